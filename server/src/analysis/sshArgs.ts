/**
 * Reading OpenSSH options out of the argument strings Ansible passes to ssh,
 * scp and sftp. Ansible splits them with Python's `shlex.split`; the `shlex`
 * package is a port of it.
 */
import { split } from 'shlex';

const splits = new Map<string, readonly string[] | undefined>();

/**
 * Splits an argument string as Ansible does; undefined when shlex rejects it
 * (unbalanced quotes). The same few strings come back on every keystroke, so
 * results are kept (a bounded number).
 */
export function splitArgs(s: string): readonly string[] | undefined {
  if (splits.has(s)) return splits.get(s);
  let args: string[] | undefined;
  try {
    args = split(s).map((a) => a.trim()).filter((a) => a !== '');
  } catch {
    args = undefined;
  }
  if (splits.size >= 1000) splits.clear();
  splits.set(s, args && Object.freeze(args));
  return args;
}

export interface SshOption {
  key: string;
  value: string;
}

/** `-o Key=Value`, `-oKey=Value`, `-o "Key Value"`, plus the flags `-M` (ControlMaster) and `-S path` (ControlPath). */
export function sshOptions(args: readonly string[]): SshOption[] {
  const out: SshOption[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    let opt: string | undefined;
    if (a === '-o') opt = args[++i];
    else if (a.startsWith('-o')) opt = a.slice(2);
    else if (a === '-M') out.push({ key: 'controlmaster', value: 'yes' });
    else if (a === '-S') out.push({ key: 'controlpath', value: args[++i] ?? '' });
    if (opt === undefined) continue;
    const m = /^\s*([A-Za-z]+)\s*(?:=\s*|\s+)(.*)$/s.exec(opt);
    if (m) out.push({ key: m[1].toLowerCase(), value: unquote(m[2].trim()) });
  }
  return out;
}

function unquote(v: string): string {
  return v.length >= 2 && v[0] === '"' && v[v.length - 1] === '"' ? v.slice(1, -1) : v;
}

/** The first value given for `key` (OpenSSH uses the first value obtained). */
export function firstOption(opts: SshOption[], key: string): string | undefined {
  return opts.find((o) => o.key === key)?.value;
}

/** ssh's own ControlMaster values that make it create a socket. */
export function createsMaster(controlMaster: string | undefined): boolean {
  return ['yes', 'auto', 'ask', 'autoask'].includes((controlMaster ?? 'no').toLowerCase());
}

/**
 * An argument that holds several ssh options in one word, such as
 * `-o ControlMaster=auto -o ControlPersist=60s` arriving as one argv entry
 * (a quoted value ansible-core 2.15+ does not unquote): ssh reads the first
 * option and rejects the rest of the line. Returns that word.
 */
export function severalOptionsInOneWord(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const opt = a === '-o' ? args[i + 1] : a.startsWith('-o') ? a.slice(2) : /^-\S/.test(a) && /\s/.test(a.trim()) ? a : undefined;
    if (a === '-o') i++;
    if (opt === undefined) continue;
    // "Key=Value -o Other=..." or "-F file -o X": more words that are options of their own.
    if (/\s-[A-Za-z]/.test(opt.trim())) return a === '-o' ? `-o ${opt}` : a;
  }
  return undefined;
}
