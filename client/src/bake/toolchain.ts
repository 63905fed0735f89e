/**
 * Asks a bake container which versions of Packer, packer-plugin-ansible,
 * ansible-core and OpenSSH it holds, for the toolchain rules
 * (proxy-host-key-rejected, scp-sftp-mismatch) and for the bake's own checks
 * (`packer init` needs Packer 1.7). Pure apart from the injected exec; no vscode.
 */
import type { ExecFn, ExecResult } from './engine';

export interface ToolchainVersions {
  packer?: string;
  ansiblePlugin?: string;
  ansible?: string;
  openssh?: string;
}

/** One probe: a binary of the container and its arguments. */
export interface Probe {
  binary: string;
  args: string[];
}

export const PROBES = {
  packer: { binary: 'packer', args: ['version'] },
  plugins: { binary: 'packer', args: ['plugins', 'installed'] },
  ansible: { binary: 'ansible', args: ['--version'] },
  ssh: { binary: 'ssh', args: ['-V'] },
} as const satisfies Record<string, Probe>;

export type ProbeName = keyof typeof PROBES;

/** The engine argv of each probe: the image's own binaries, no shell, no network. */
export function toolchainProbeArgs(image: string, pluginMount: string[] = []): Record<ProbeName, string[]> {
  const run = (p: Probe) => ['run', '--rm', '--network', 'none', ...pluginMount, '--entrypoint', p.binary, image, ...p.args];
  return { packer: run(PROBES.packer), plugins: run(PROBES.plugins), ansible: run(PROBES.ansible), ssh: run(PROBES.ssh) };
}

/** `Packer v1.6.6` → 1.6.6 */
export function parsePackerVersion(out: string): string | undefined {
  return /Packer v(\d+\.\d+\.\d+)/.exec(out)?.[1];
}

/** `.../packer-plugin-ansible_v1.1.1_x5.0_linux_amd64` → 1.1.1 (the highest installed) */
export function parseAnsiblePlugin(out: string): string | undefined {
  const versions = [...out.matchAll(/packer-plugin-ansible_v(\d+\.\d+\.\d+)/g)].map((m) => m[1]);
  return versions.sort(compareVersions).pop();
}

/** `ansible [core 2.14.18]` (ansible-core) or `ansible 2.9.27` (before ansible-core) → the version */
export function parseAnsibleVersion(out: string): string | undefined {
  return /^ansible \[core (\d+\.\d+\.\d+)[^\]]*\]/m.exec(out)?.[1] ?? /^ansible (\d+\.\d+\.\d+)/m.exec(out)?.[1];
}

/** `OpenSSH_9.2p1 Debian-2+deb12u3, OpenSSL 3.0.15 3 Sep 2024` → 9.2p1 */
export function parseOpensshVersion(out: string): string | undefined {
  return /OpenSSH_(\d+\.\d+(?:p\d+)?)/.exec(out)?.[1];
}

/** Numeric comparison of dotted versions (`1.10.0` > `1.9.2`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.p]/).map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split(/[.p]/).map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The first Packer with `packer init` and `required_plugins`. */
export const PACKER_INIT_SINCE = '1.7.0';

/** True when a known Packer version is too old for `required_plugins` (no `packer init`). */
export function packerTooOldForInit(versions: ToolchainVersions): boolean {
  return versions.packer !== undefined && compareVersions(versions.packer, PACKER_INIT_SINCE) < 0;
}

/** Runs the probes (a missing tool, or an old Packer without `plugins`, leaves that version out). */
export async function probeWith(run: (p: Probe) => Promise<ExecResult>): Promise<ToolchainVersions> {
  const [packer, plugins, ansible, ssh] = await Promise.all([run(PROBES.packer), run(PROBES.plugins), run(PROBES.ansible), run(PROBES.ssh)]);
  const t: ToolchainVersions = {};
  const p = parsePackerVersion(packer.stdout + packer.stderr);
  if (p) t.packer = p;
  const a = parseAnsiblePlugin(plugins.stdout);
  if (a) t.ansiblePlugin = a;
  const core = parseAnsibleVersion(ansible.stdout);
  if (core) t.ansible = core;
  const o = parseOpensshVersion(ssh.stderr + ssh.stdout);
  if (o) t.openssh = o;
  return t;
}

/** Probes an image through the engine CLI (`run --rm --entrypoint <binary>`). */
export function probeToolchain(enginePath: string, image: string, exec: ExecFn, env: NodeJS.ProcessEnv, pluginMount: string[] = []): Promise<ToolchainVersions> {
  const args = toolchainProbeArgs(image, pluginMount);
  const byProbe = new Map<Probe, string[]>((Object.keys(PROBES) as ProbeName[]).map((k) => [PROBES[k], args[k]]));
  return probeWith((p) => exec(enginePath, byProbe.get(p)!, { env, timeoutMs: 60_000 }));
}

/** The versions as the terminal shows them: `packer 1.6.6, ansible 2.14.18, openssh 9.2p1`. */
export function describeToolchain(versions: ToolchainVersions): string {
  return Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ');
}
