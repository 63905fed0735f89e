// Harness for the real-tool (oracle) tier: writes a small Packer template (legacy
// JSON or HCL2) with the `null` builder talking SSH to a throwaway sshd and one
// `ansible` provisioner, runs the real `packer`, and reports what happened,
// including every ssh/scp/sftp command line Ansible ran and every control
// socket that appeared.
//
// Verbosity comes from ANSIBLE_VERBOSITY=4 in packer's environment (Packer
// hands its environment to ansible-playbook), so templates are built exactly as
// given: with -vvvv Ansible logs `SSH: EXEC <argv>` for each command and adds
// -vvv to ssh, whose debug output names each master socket it binds.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { split as shellSplit } from 'shlex';
import { startSshd, type Sshd } from './sshd';
import { toolchain as getToolchain, type Toolchain, type ToolchainName } from './toolchains';

export type Format = 'json' | 'hcl';
/** Attributes of an `ansible` provisioner, as the template states them (`type` is implied). */
export type Provisioner = Record<string, unknown>;

/** Lets Packer 1.6.6's proxy adapter (ssh-rsa host key) through an OpenSSH 8.8+ client. */
export const HOSTKEY_ARGS = '-o HostKeyAlgorithms=+ssh-rsa -o PubkeyAcceptedKeyTypes=+ssh-rsa';
/** The working baseline with Packer 1.6.6 + OpenSSH 9: the host-key args for ssh, legacy scp protocol for scp. */
export const BASELINE_EXTRA_ARGUMENTS: readonly string[] = ['--ssh-extra-args', HOSTKEY_ARGS, '--scp-extra-args', "'-O'"];
/** The same baseline through --ssh-common-args (reaches ssh, scp and sftp). */
export const COMMON_EXTRA_ARGUMENTS: readonly string[] = ['--ssh-common-args', HOSTKEY_ARGS, '--scp-extra-args', "'-O'"];

export const PLAYBOOK = '- hosts: all\n  gather_facts: false\n  tasks:\n    - ping:\n';

/**
 * An ansible provisioner that builds with Packer 1.6.6 + OpenSSH 9.2, with `partial`
 * laid over it: tests state only what differs. Pass `extra_arguments: undefined`
 * (or any other key with `undefined`) to drop a default attribute.
 */
export function ansibleProvisioner(partial: Provisioner = {}): Provisioner {
  const p: Provisioner = { playbook_file: '@WORK@/play.yml', extra_arguments: [...BASELINE_EXTRA_ARGUMENTS], ...partial };
  for (const k of Object.keys(p)) if (p[k] === undefined) delete p[k];
  return p;
}

/* ------------------------------------------------------------------ rendering */

/** Legacy JSON builder for the sshd, with @SSH_*@ placeholders filled in at build time. */
export function nullBuilderJson(): Record<string, unknown> {
  return {
    type: 'null', communicator: 'ssh', ssh_host: '127.0.0.1', ssh_port: '@SSH_PORT@',
    ssh_username: '@SSH_USER@', ssh_private_key_file: '@SSH_KEY@', ssh_timeout: '30s',
  };
}

/** HCL2 source block for the sshd (named `source.null.sshd`), placeholders as above. */
export function nullSourceHcl(): string {
  return [
    'source "null" "sshd" {',
    '  communicator         = "ssh"',
    '  ssh_host             = "127.0.0.1"',
    '  ssh_port             = "@SSH_PORT@"', // HCL converts the string to a number; the text stays valid HCL
    '  ssh_username         = "@SSH_USER@"',
    '  ssh_private_key_file = "@SSH_KEY@"',
    '  ssh_timeout          = "30s"',
    '}',
  ].join('\n');
}

/** An HCL2 expression for a JSON-like value. */
export function hclValue(v: unknown, indent = ''): string {
  if (typeof v === 'string') return JSON.stringify(v).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const inner = indent + '  ';
    return `[\n${v.map((x) => inner + hclValue(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    const inner = indent + '  ';
    const key = (k: string) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k));
    return `{\n${entries.map(([k, x]) => `${inner}${key(k)} = ${hclValue(x, inner)}`).join('\n')}\n${indent}}`;
  }
  throw new Error(`no HCL form for ${typeof v}`);
}

/**
 * Template text with one ansible provisioner; placeholders (@WORK@, @SSH_*@) still in it, always
 * inside strings, so the text parses as JSON / HCL2 before the build fills them in (the round-trip
 * tests run the analysis and its fixes over exactly this text, then build the result).
 */
export function renderTemplate(format: Format, provisioner: Provisioner): string {
  const { type: _type, ...attrs } = provisioner;
  if (format === 'json') {
    // ssh_port stays a string ("@SSH_PORT@" → "40123"): Packer decodes it weakly, and the text stays valid JSON.
    return JSON.stringify({ builders: [nullBuilderJson()], provisioners: [{ type: 'ansible', ...attrs }] }, null, 2) + '\n';
  }
  const body = Object.entries(attrs).map(([k, v]) => `    ${k} = ${hclValue(v, '    ')}`).join('\n');
  return `${nullSourceHcl()}\n\nbuild {\n  sources = ["source.null.sshd"]\n\n  provisioner "ansible" {\n${body}\n  }\n}\n`;
}

/* ------------------------------------------------------------------ running */

export interface BuildOptions {
  /** Which real toolchain runs the build (test/tools/toolchains.ts). Default `bookworm`, this machine's packages. */
  toolchain?: ToolchainName;
  format?: Format;
  /** The provisioner to render (ignored when `text` is given). Default: `ansibleProvisioner()`. */
  provisioner?: Provisioner;
  /** Whole template text instead (e.g. a docs template after a quick fix); may use the placeholders. */
  text?: string;
  /** Extra files, path relative to the work dir → content (placeholders are filled in here too). `play.yml` is written unless given. */
  files?: Record<string, string>;
  /** Directory (relative to the work dir) packer runs in. Default: the work dir, where the template is. */
  cwd?: string;
  /** Template file name relative to the work dir. Default `template.json` / `template.pkr.hcl`. */
  templateName?: string;
  /** Extra environment for packer (and so for ansible). HOME is a fresh temp dir unless given. */
  env?: Record<string, string>;
  /** Path prefixes to watch for socket files during the build; `<HOME>/.ansible/cp/` is always watched. */
  watch?: string[];
  /** `build` (default) or `validate`. */
  command?: 'build' | 'validate';
  /** Called after the files are written, before packer starts (e.g. to chmod something). */
  prepare?: (workDir: string) => void;
  sshd?: Sshd;
  timeoutMs?: number;
  /**
   * ssh finds ~/.ssh through the passwd entry, not $HOME, so every build would add the proxy's
   * host key to the real ~/.ssh/known_hosts. By default Ansible gets ssh/scp/sftp wrappers that
   * only prepend `-o UserKnownHostsFile=/dev/null` (scp and sftp: `-S <that ssh>`), through
   * ANSIBLE_SSH_EXECUTABLE / ANSIBLE_SCP_EXECUTABLE / ANSIBLE_SFTP_EXECUTABLE.
   */
  isolateKnownHosts?: boolean;
  /** Keep the work dir (for debugging). */
  keep?: boolean;
}

export interface BuildResult {
  /** The toolchain that ran the build, with the versions its tools reported. */
  toolchain: Toolchain;
  exitCode: number | null;
  timedOut: boolean;
  /** Exit 0 and Packer said `Builds finished` (build) / nothing failed (validate). */
  ok: boolean;
  /** Raw `-machine-readable` output (stdout + stderr). */
  output: string;
  /** Output with `%!(PACKER_COMMA)` and `\n`/`\r` escapes decoded, for matching messages. */
  text: string;
  /** Just the UI messages, decoded, without the machine-readable and `    <builder>: ` prefixes. */
  ui: string;
  /** argv of each command Ansible ran, by program (from `SSH: EXEC` lines). */
  sshCommands: string[][];
  scpCommands: string[][];
  sftpCommands: string[][];
  /** The ControlPath each command was given (first `-o ControlPath=` wins, as in ssh), undefined when none. */
  sshControlPaths: (string | undefined)[];
  scpControlPaths: (string | undefined)[];
  sftpControlPaths: (string | undefined)[];
  /** Control sockets ssh bound as master, from its debug output (`new mux listener [<path>]`). */
  muxListeners: string[];
  /** Socket files seen on disk under the watched prefixes during or right after the build. */
  sockets: string[];
  /**
   * ssh's temporary master sockets (`<ControlPath>.<16 random>`, bound first, then linked into place),
   * when the poll happened to catch one; kept apart so `sockets` does not depend on timing.
   */
  tempSockets: string[];
  /** The play recap counters, when there was one. */
  recap?: { ok: number; changed: number; unreachable: number; failed: number };
  workDir: string;
  home: string;
  durationMs: number;
  /** The files written for the build (placeholders filled), by absolute path: what the analysis of the same build reads. */
  files: Record<string, string>;
  /** The template's absolute path, and the directory Packer ran in. */
  template: string;
  cwd: string;
}

let shared: Promise<Sshd> | undefined;
/** One sshd for the whole run, started on first use; stop it with `stopSharedSshd()`. */
export function sharedSshd(): Promise<Sshd> {
  shared ??= startSshd();
  return shared;
}
export async function stopSharedSshd(): Promise<void> {
  if (!shared) return;
  const s = shared;
  shared = undefined;
  await (await s).stop();
}

/** The value of the first `-o <name>=...` (or `-o<name>=`) in an ssh/scp/sftp argv, quotes removed (ssh keeps the first value). */
export function optionOf(argv: readonly string[], name: string): string | undefined {
  const re = new RegExp(`^\\s*${name}\\s*[= ]\\s*(.*)$`, 'i');
  for (let i = 0; i < argv.length; i++) {
    let opt: string | undefined;
    if (argv[i] === '-o' && i + 1 < argv.length) opt = argv[++i];
    else if (argv[i]!.startsWith('-o')) opt = argv[i]!.slice(2);
    const m = opt?.match(re);
    if (m) return m[1]!.replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

/** The ControlPath a command was given, undefined when none. */
export function controlPathOf(argv: readonly string[]): string | undefined {
  return optionOf(argv, 'ControlPath');
}

/** Decodes Packer's machine-readable escapes. */
export function decodeMachineReadable(s: string): string {
  return s.replace(/%!\(PACKER_COMMA\)/g, ',').replace(/\\r\\n|\\n/g, '\n').replace(/\\r/g, '');
}

function fill(s: string, vars: Record<string, string>): string {
  return s.replace(/@(WORK|SSH_PORT|SSH_USER|SSH_KEY|HOME)@/g, (m, k: string) => vars[k] ?? m);
}

const isTemp = (p: string) => /\.[A-Za-z0-9]{16}$/.test(p);

function listSockets(prefix: string, into: Set<string>): void {
  const dir = prefix.endsWith('/') ? prefix : path.dirname(prefix);
  let names: string[];
  try { names = fs.readdirSync(dir); } catch { return; }
  for (const n of names) {
    const full = path.join(dir, n);
    if (!full.startsWith(prefix) || into.has(full)) continue;
    try { if (fs.lstatSync(full).isSocket()) into.add(full); } catch { /* gone already */ }
  }
}

/** Writes the wrappers described at `isolateKnownHosts` into `dir`; returns the env naming them. */
export function sshWrappers(dir: string, tc: Toolchain): Record<string, string> {
  fs.mkdirSync(dir, { recursive: true });
  const ssh = path.join(dir, 'ssh');
  const write = (name: string, body: string) => fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  write('ssh', `exec ${tc.bin('ssh')} -o UserKnownHostsFile=/dev/null "$@"`);
  write('scp', `exec ${tc.bin('scp')} -S ${ssh} "$@"`);
  write('sftp', `exec ${tc.bin('sftp')} -S ${ssh} "$@"`);
  return { ANSIBLE_SSH_EXECUTABLE: ssh, ANSIBLE_SCP_EXECUTABLE: path.join(dir, 'scp'), ANSIBLE_SFTP_EXECUTABLE: path.join(dir, 'sftp') };
}

const keepEnv = /^(PATH|LANG|LC_[A-Z]+|TZ|TMPDIR|USER|LOGNAME|SHELL|TERM)$/;

/** Builds (or validates) a template with the real packer against the sshd. */
export async function buildTemplate(opts: BuildOptions = {}): Promise<BuildResult> {
  const format = opts.format ?? 'json';
  const tc = await getToolchain(opts.toolchain ?? 'bookworm');
  const sshd = opts.sshd ?? await sharedSshd();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-build-'));
  const home = opts.env?.HOME ?? path.join(workDir, 'home');
  fs.mkdirSync(home, { recursive: true });
  const vars = { WORK: workDir, SSH_PORT: String(sshd.port), SSH_USER: sshd.user, SSH_KEY: sshd.userKey, HOME: home };
  const templateName = opts.templateName ?? (format === 'json' ? 'template.json' : 'template.pkr.hcl');
  const text = opts.text ?? renderTemplate(format, opts.provisioner ?? ansibleProvisioner());
  const files: Record<string, string> = { 'play.yml': PLAYBOOK, ...opts.files, [templateName]: text };
  const written: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    const p = path.join(workDir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    written[p] = fill(content, vars);
    fs.writeFileSync(p, written[p]);
  }
  opts.prepare?.(workDir);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && keepEnv.test(k)) env[k] = v;
  Object.assign(env, {
    HOME: home,
    CHECKPOINT_DISABLE: '1',
    PACKER_NO_COLOR: '1',
    ANSIBLE_VERBOSITY: '4',
    // ansible-core 2.19 no longer adds ssh -vvv at -vvvv; it has its own setting (ignored by 2.14).
    ANSIBLE_SSH_VERBOSITY: '3',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    // Skips interpreter discovery (two ssh round trips per build); changes nothing about sockets or transfers.
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
  });
  if (opts.isolateKnownHosts ?? true) Object.assign(env, sshWrappers(path.join(workDir, 'bin'), tc));
  for (const [k, v] of Object.entries(opts.env ?? {})) env[k] = fill(v, vars);

  const watch = [path.join(home, '.ansible', 'cp') + '/', ...(opts.watch ?? []).map((w) => fill(w, vars))];
  const sockets = new Set<string>();
  const poll = () => { for (const w of watch) listSockets(w, sockets); };
  const command = opts.command ?? 'build';
  const args = [command, '-machine-readable', path.join(workDir, templateName)];
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 90_000;

  const { exitCode, timedOut, output } = await new Promise<{ exitCode: number | null; timedOut: boolean; output: string }>((resolve, reject) => {
    const cwd = path.join(workDir, opts.cwd ?? '.');
    const cmd = tc.command('packer', args, cwd);
    const child = spawn(cmd.file, cmd.args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let timedOut = false;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { out += d; });
    const poller = setInterval(poll, 15);
    const timer = setTimeout(() => {
      // Only a build still running is cut short (one that just exited keeps its own exit code).
      if (child.exitCode !== null || child.signalCode !== null) return;
      timedOut = true;
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
    }, timeoutMs);
    child.once('error', (e) => { clearInterval(poller); clearTimeout(timer); reject(e); });
    child.once('close', (code) => {
      clearInterval(poller);
      clearTimeout(timer);
      poll();
      resolve({ exitCode: code, timedOut, output: out });
    });
  });

  const decodedText = decodeMachineReadable(output);
  const ui: string[] = [];
  for (const line of output.split('\n')) {
    const m = line.match(/^\d+,[^,]*,ui,(?:message|say|error),(.*)$/);
    if (m) ui.push(decodeMachineReadable(m[1]!).replace(/^(?: {4}|==> )[\w.-]+: /, ''));
  }
  const byProgram: Record<'ssh' | 'scp' | 'sftp', string[][]> = { ssh: [], scp: [], sftp: [] };
  for (const line of output.split('\n')) {
    const m = line.match(/SSH: EXEC (.*)$/);
    if (!m) continue;
    let argv: string[];
    try { argv = shellSplit(decodeMachineReadable(m[1]!)); } catch { continue; }
    const prog = path.basename(argv[0] ?? '');
    if (prog === 'ssh' || prog === 'scp' || prog === 'sftp') byProgram[prog].push(argv);
  }
  // ssh's debug lines reach Packer inside the repr of a Python bytes object, quotes escaped (`\\'`).
  const muxListeners = [...new Set([...decodedText.matchAll(/new mux listener \[([^\]]+)\]/g)].map((m) => m[1]!.replace(/\\'/g, "'")))];
  const r = decodedText.match(/ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/);
  const recap = r ? { ok: +r[1]!, changed: +r[2]!, unreachable: +r[3]!, failed: +r[4]! } : undefined;
  const ok = exitCode === 0 && !timedOut && (command === 'validate' || /Builds finished/.test(decodedText));
  if (!opts.keep) {
    try { fs.rmSync(workDir, { recursive: true, force: true, maxRetries: 3 }); } catch { /* an ssh master may still be closing its socket in here */ }
  }
  return {
    toolchain: tc, exitCode, timedOut, ok, output, text: decodedText, ui: ui.join('\n'),
    sshCommands: byProgram.ssh, scpCommands: byProgram.scp, sftpCommands: byProgram.sftp,
    sshControlPaths: byProgram.ssh.map(controlPathOf),
    scpControlPaths: byProgram.scp.map(controlPathOf),
    sftpControlPaths: byProgram.sftp.map(controlPathOf),
    muxListeners,
    sockets: [...sockets].filter((p) => !isTemp(p)).sort(),
    tempSockets: [...sockets].filter(isTemp).sort(),
    recap, workDir, home, files: written, template: path.join(workDir, templateName), cwd: path.join(workDir, opts.cwd ?? '.'),
    durationMs: Date.now() - started,
  };
}

/** Runs async jobs with at most `n` at a time (the tier runs independent builds side by side). */
export function limiter(n: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const next = () => { active--; queue.shift()?.(); };
  return <T>(job: () => Promise<T>) => new Promise<T>((resolve, reject) => {
    const run = () => { active++; job().then(resolve, reject).finally(next); };
    if (active < n) run(); else queue.push(run);
  });
}
