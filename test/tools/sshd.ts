// A throwaway OpenSSH server on loopback: the "machine being provisioned" for
// the real-tool (oracle) tier. Its own host key, its own authorized key, all in
// one temp directory; nothing in ~/.ssh is read or written.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface Sshd {
  host: '127.0.0.1';
  port: number;
  /** The login name (the user running the tests; sshd not running as root can log in only as itself). */
  user: string;
  /** Temp directory holding keys, config and the sshd log. */
  dir: string;
  /** Private key accepted by this server (ed25519). */
  userKey: string;
  pid: number;
  /** Text sshd logged so far (stderr, `-e`). */
  log(): string;
  /** Stops the server by its pid and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

/** Absolute path of sshd (it refuses to run from a relative path). */
export function sshdPath(): string {
  const r = spawnSync('sh', ['-c', 'command -v sshd || true'], { encoding: 'utf8' });
  const found = r.stdout.trim();
  if (found && path.isAbsolute(found)) return found;
  for (const p of ['/usr/sbin/sshd', '/usr/local/sbin/sshd']) if (fs.existsSync(p)) return p;
  return 'sshd';
}

/** A loopback TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function keygen(file: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'packer-bake-test', '-f', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr || r.error}`);
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) if (child.pid) try { process.kill(child.pid, 'SIGTERM'); } catch { /* already gone */ }
});

/** Starts sshd in the foreground (`-D -e`) so its pid is ours; resolves once it listens. */
export async function startSshd(opts: { timeoutMs?: number } = {}): Promise<Sshd> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-sshd-'));
  const hostKey = path.join(dir, 'hostkey');
  const userKey = path.join(dir, 'userkey');
  keygen(hostKey);
  keygen(userKey);
  fs.copyFileSync(`${userKey}.pub`, path.join(dir, 'authorized_keys'));
  const user = os.userInfo().username;
  // Privilege separation directory; only root needs (and can create) it.
  if (process.getuid?.() === 0) fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const bin = sshdPath();
  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const config = path.join(dir, 'sshd_config');
    fs.writeFileSync(config, [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'UsePAM no',
      'StrictModes no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${user}`,
      'UseDNS no',
      'MaxStartups 100:30:200',
      'MaxSessions 100',
      'Subsystem sftp internal-sftp',
      'LogLevel INFO',
      '',
    ].join('\n'));
    const child = spawn(bin, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(child);
    let log = '';
    child.stderr!.setEncoding('utf8');
    const listening = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      child.stderr!.on('data', (chunk: string) => {
        log += chunk;
        if (/Server listening on 127\.0\.0\.1 port/.test(log)) { clearTimeout(timer); resolve(true); }
      });
      child.once('exit', () => { clearTimeout(timer); resolve(false); });
      child.once('error', (e) => { log += String(e); clearTimeout(timer); resolve(false); });
    });
    if (listening && child.pid) {
      const pid = child.pid;
      let stopped: Promise<void> | undefined;
      return {
        host: '127.0.0.1', port, user, dir, userKey, pid,
        log: () => log,
        stop: () => {
          stopped ??= new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const kill = setTimeout(() => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }, 3000);
            child.once('exit', () => { clearTimeout(kill); resolve(); });
            try { process.kill(pid, 'SIGTERM'); } catch { resolve(); }
          }).then(() => {
            running.delete(child);
            fs.rmSync(dir, { recursive: true, force: true });
          });
          return stopped;
        },
      };
    }
    lastError = log;
    if (child.exitCode === null && child.pid) try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
    running.delete(child);
    if (!/Address already in use|Bind to port/.test(log)) break; // not a port race: retrying will not help
  }
  fs.rmSync(dir, { recursive: true, force: true });
  throw new Error(`sshd did not start: ${lastError.trim() || 'no output'}`);
}
