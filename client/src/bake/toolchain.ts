/**
 * Asks a bake image which versions of Packer, packer-plugin-ansible and
 * OpenSSH it holds, for the toolchain rules (proxy-host-key-rejected,
 * scp-sftp-mismatch). Pure apart from the injected exec; no vscode.
 */
import type { ExecFn } from './engine';

export interface ToolchainVersions {
  packer?: string;
  ansiblePlugin?: string;
  ansible?: string;
  openssh?: string;
}

/** The engine argv of each probe: the image's own binaries, no shell. */
export function toolchainProbeArgs(image: string): { packer: string[]; plugins: string[]; ssh: string[] } {
  const run = (entrypoint: string, ...args: string[]) => ['run', '--rm', '--network', 'none', '--entrypoint', entrypoint, image, ...args];
  return {
    packer: run('packer', 'version'),
    plugins: run('packer', 'plugins', 'installed'),
    ssh: run('ssh', '-V'),
  };
}

/** `Packer v1.6.6` → 1.6.6 */
export function parsePackerVersion(out: string): string | undefined {
  return /Packer v(\d+\.\d+\.\d+)/.exec(out)?.[1];
}

/** `.../packer-plugin-ansible_v1.1.1_x5.0_linux_amd64` → 1.1.1 (the highest installed) */
export function parseAnsiblePlugin(out: string): string | undefined {
  const versions = [...out.matchAll(/packer-plugin-ansible_v(\d+\.\d+\.\d+)/g)].map((m) => m[1]);
  const key = (v: string) => v.split('.').map((n) => n.padStart(6, '0')).join('.');
  return versions.sort((a, b) => key(a).localeCompare(key(b))).pop();
}

/** `OpenSSH_9.2p1 Debian-2+deb12u3, OpenSSL 3.0.15 3 Sep 2024` → 9.2p1 */
export function parseOpensshVersion(out: string): string | undefined {
  return /OpenSSH_(\d+\.\d+(?:p\d+)?)/.exec(out)?.[1];
}

/** Runs the probes (a missing tool or an old Packer without `plugins` leaves that version out). */
export async function probeToolchain(enginePath: string, image: string, exec: ExecFn, env: NodeJS.ProcessEnv): Promise<ToolchainVersions> {
  const args = toolchainProbeArgs(image);
  const run = (a: string[]) => exec(enginePath, a, { env, timeoutMs: 60_000 });
  const [packer, plugins, ssh] = await Promise.all([run(args.packer), run(args.plugins), run(args.ssh)]);
  const t: ToolchainVersions = {};
  const p = parsePackerVersion(packer.stdout + packer.stderr);
  if (p) t.packer = p;
  const a = parseAnsiblePlugin(plugins.stdout);
  if (a) t.ansiblePlugin = a;
  const o = parseOpensshVersion(ssh.stderr + ssh.stdout);
  if (o) t.openssh = o;
  return t;
}
