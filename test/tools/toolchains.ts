// The real toolchains the oracle tier runs Packer, Ansible and OpenSSH from:
//   bookworm: this machine's Debian 12 packages (Packer 1.6.6, ansible-core 2.14, OpenSSH 9.2);
//   trixie:   a Debian 13 root (ansible-core 2.19, OpenSSH 10.0) with the same Packer binary
//             copied in, built and cached by test/setup/toolchain-trixie.sh and entered through
//             test/setup/toolchain-run.sh (private mount namespace + chroot, shared network).
// Versions are always read from the tools themselves, never assumed.
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export type ToolchainName = 'bookworm' | 'trixie';
export const TOOLCHAIN_NAMES: readonly ToolchainName[] = ['bookworm', 'trixie'];

const SETUP = path.join(__dirname, '..', 'setup');
const RUN = path.join(SETUP, 'toolchain-run.sh');

export interface Versions {
  /** `packer version`, e.g. `1.6.6`. */
  packer: string;
  /** ansible-core, from `ansible --version`, e.g. `2.19.11`. */
  ansible: string;
  /** The OpenSSH client, from `ssh -V`, e.g. `10.0p2`. */
  openssh: string;
  /** The first line each tool printed. */
  raw: { packer: string; ansible: string; ssh: string };
}

export interface Toolchain {
  name: ToolchainName;
  /** The root directory the tools run in (`/` for bookworm, this machine). */
  root: string;
  versions: Versions;
  /** The file and argv that run `program args` in `cwd` with this toolchain (spawn them with `cwd` too). */
  command(program: string, args: readonly string[], cwd: string): { file: string; args: string[] };
  /** Absolute path of a tool as seen inside the toolchain (e.g. `/usr/bin/ssh`). */
  bin(tool: string): string;
}

function hostWhich(tool: string): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function run(file: string, args: string[], timeoutMs = 60_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1', CHECKPOINT_DISABLE: '1' } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` }));
  });
}

/** Reads the three versions with the toolchain's own tools. */
async function readVersions(tc: Omit<Toolchain, 'versions'>): Promise<Versions> {
  const ask = async (program: string, args: string[], re: RegExp, what: string) => {
    const c = tc.command(program, args, '/');
    const r = await run(c.file, c.args);
    const m = re.exec(r.out);
    if (!m) throw new Error(`${tc.name}: cannot read the ${what} version from \`${program} ${args.join(' ')}\` (exit ${r.code}): ${r.out.trim().slice(0, 300)}`);
    return { version: m[1]!, line: m[0]! };
  };
  const [p, a, s] = await Promise.all([
    ask('packer', ['version'], /^Packer v(\S+)/m, 'Packer'),
    ask('ansible', ['--version'], /^ansible \[core ([^\]]+)\]/m, 'ansible-core'),
    ask('ssh', ['-V'], /^OpenSSH_(\S+?),? .*$/m, 'OpenSSH'),
  ]);
  return { packer: p.version, ansible: a.version, openssh: s.version, raw: { packer: p.line, ansible: a.line, ssh: s.line } };
}

/** Why the host toolchain cannot run here, or undefined. */
function bookwormProblem(): string | undefined {
  for (const tool of ['packer', 'ansible-playbook', 'ssh']) {
    if (!hostWhich(tool)) return `${tool} is not installed (bash test/setup/apt.sh)`;
  }
  return undefined;
}

/** Why the trixie root cannot be built or entered here, or undefined. */
function trixieProblem(): string | undefined {
  if (process.getuid?.() !== 0) return 'the trixie toolchain needs root (debootstrap, chroot, mount namespaces)';
  for (const tool of ['debootstrap', 'unshare', 'chroot', 'packer']) {
    if (!hostWhich(tool)) return `${tool} is not installed (bash test/setup/apt.sh)`;
  }
  return undefined;
}

/** Runs test/setup/toolchain-<suite>.sh (builds the root on first use, minutes; cached after) and returns the root. */
function setUpRoot(suite: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(SETUP, `toolchain-${suite}.sh`)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; process.stderr.write(`    [${suite} set-up] ${d}`); });
    child.once('error', reject);
    child.once('close', (code) => {
      const root = out.trim().split('\n').pop() ?? '';
      if (code === 0 && root && fs.existsSync(path.join(root, '.complete'))) resolve(root);
      else reject(new Error(`test/setup/toolchain-${suite}.sh failed (exit ${code}): ${err.trim().slice(-2000)}`));
    });
  });
}

const cache = new Map<ToolchainName, Promise<Toolchain>>();

/**
 * The toolchain, set up and with its versions read (memoised). Rejects with the
 * reason when it cannot run here; `toolchainProblem` tells that without trying.
 */
export function toolchain(name: ToolchainName): Promise<Toolchain> {
  let p = cache.get(name);
  if (!p) {
    p = (async () => {
      const problem = toolchainProblem(name);
      if (problem) throw new Error(problem);
      let base: Omit<Toolchain, 'versions'>;
      if (name === 'bookworm') {
        base = {
          name, root: '/',
          command: (program, args) => ({ file: program, args: [...args] }),
          bin: (tool) => hostWhich(tool) ?? `/usr/bin/${tool}`,
        };
      } else {
        const root = await setUpRoot(name);
        base = {
          name, root,
          command: (program, args, cwd) => ({ file: RUN, args: [root, cwd, program, ...args] }),
          bin: (tool) => ['/usr/local/bin', '/usr/bin', '/bin'].map((d) => `${d}/${tool}`).find((p) => fs.existsSync(root + p)) ?? `/usr/bin/${tool}`,
        };
      }
      return { ...base, versions: await readVersions(base) };
    })();
    cache.set(name, p);
  }
  return p;
}

/** Why a toolchain cannot run on this machine (missing tool, not root), or undefined. */
export function toolchainProblem(name: ToolchainName): string | undefined {
  return name === 'bookworm' ? bookwormProblem() : trixieProblem();
}

/** `ansible-core 2.19.11, OpenSSH 10.0p2, Packer 1.6.6`. */
export function describeVersions(v: Versions): string {
  return `ansible-core ${v.ansible}, OpenSSH ${v.openssh}, Packer ${v.packer}`;
}
