/**
 * Reading OpenSSH options out of the argument strings Ansible passes to ssh,
 * scp and sftp. Ansible splits them with Python's `shlex.split`; the `shlex`
 * package is a port of it.
 */
import { split } from 'shlex';

/** Splits an argument string as Ansible does; undefined when shlex rejects it (unbalanced quotes). */
export function splitArgs(s: string): string[] | undefined {
  try {
    return split(s).map((a) => a.trim()).filter((a) => a !== '');
  } catch {
    return undefined;
  }
}

export interface SshOption {
  key: string;
  value: string;
}

/** `-o Key=Value`, `-oKey=Value`, `-o "Key Value"`, plus the flags `-M` (ControlMaster) and `-S path` (ControlPath). */
export function sshOptions(args: string[]): SshOption[] {
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
