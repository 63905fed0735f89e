// Real container engine for the bake tier: Podman's Docker-compatible API on a
// temp socket (driven by the real `docker` CLI), and the bake image built from
// Debian packages by setup-image.sh (cached per recipe hash).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Test-machine-only engine settings (see shared/ENVIRONMENT.md); never used by the product. */
export const CONTAINERS_CONF = path.join(__dirname, 'containers.conf');
export const SETUP_IMAGE = path.join(__dirname, 'setup-image.sh');

/** Runs a setup script (cached by its recipe hash), resolving with its stdout. */
function runSetup(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { env: { ...process.env, CONTAINERS_CONF }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(script)} failed (exit ${code}):\n${err}${out}`));
    });
  });
}

/** Builds (or finds) the test image (Debian 12's Packer 1.6.6, ansible-core 2.14, OpenSSH 9.2); returns its reference. */
export async function ensureTestImage(): Promise<string> {
  const image = (await runSetup(SETUP_IMAGE)).trim().split('\n').pop() ?? '';
  if (!image) throw new Error('setup-image.sh printed no image');
  return image;
}

export interface PodmanService {
  /** `unix://…/podman.sock`, for DOCKER_HOST. */
  dockerHost: string;
  dir: string;
  stop(): Promise<void>;
}

const services = new Set<ChildProcess>();
process.once('exit', () => { for (const s of services) if (s.pid) try { process.kill(s.pid, 'SIGTERM'); } catch { /* gone */ } });

/** Starts `podman system service` on a temp socket; resolves once `docker version` answers through it. */
export async function startPodmanService(timeoutMs = 30_000): Promise<PodmanService> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-podman-'));
  const dockerHost = `unix://${path.join(dir, 'podman.sock')}`;
  const child = spawn('podman', ['system', 'service', '--time=0', dockerHost], {
    env: { ...process.env, CONTAINERS_CONF }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  services.add(child);
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { log += d; });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    services.delete(child);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) break;
    if (fs.existsSync(path.join(dir, 'podman.sock'))) {
      const r = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { env: { ...process.env, DOCKER_HOST: dockerHost }, encoding: 'utf8', timeout: 10_000 });
      if (r.status === 0) return { dockerHost, dir, stop };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`podman system service did not come up: ${log.trim() || 'no output'}`);
}

/** Names of containers (any state) whose name matches, via the docker CLI. */
export function containersNamed(dockerHost: string, name: string): string[] {
  const r = spawnSync('docker', ['ps', '-a', '--filter', `name=${name}`, '--format', '{{.Names}}'], {
    env: { ...process.env, DOCKER_HOST: dockerHost }, encoding: 'utf8', timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`docker ps failed: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}

export const SETUP_STANDINS = path.join(__dirname, 'setup-standins.sh');

/** Builds (or finds) the stand-in base images of bake/Dockerfile; returns its build arguments. */
export async function ensureStandins(): Promise<Record<string, string>> {
  const lines = (await runSetup(SETUP_STANDINS)).trim().split('\n').filter((l) => /^[A-Z_]+=/.test(l));
  const args = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  if (!args.BASE_IMAGE || !args.PACKER_IMAGE || !args.PACKER_VERSION) throw new Error(`setup-standins.sh printed ${lines.join(', ')}`);
  return args;
}

/** Runs the podman CLI (test-machine settings), returning its output; throws on failure unless `allowFail`. */
export function podman(args: string[], allowFail = false): string {
  const r = spawnSync('podman', args, { env: { ...process.env, CONTAINERS_CONF }, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0 && !allowFail) throw new Error(`podman ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}
