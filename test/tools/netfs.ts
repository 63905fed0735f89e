// A "network home directory" for the oracle tier: an sshfs (FUSE) mount of a temp
// directory, served by a throwaway sshd of its own. Ordinary files and directories
// work there, Unix sockets do not: sshfs can create only regular files
// (its mknod refuses anything else with EPERM), so ssh's control master fails to
// bind, as it does on other network and host-shared file systems.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { startSshd, type Sshd } from './sshd';

export interface NetFs {
  /** Where the file system is mounted. */
  mountPoint: string;
  /** The directory it serves (on a local disk). */
  remoteDir: string;
  /** Unmounts, stops sshfs and its sshd, removes both directories. Idempotent. */
  unmount(): Promise<void>;
}

/** Why a FUSE mount cannot be made here, or undefined when it can be tried. */
export function netFsUnavailable(): string | undefined {
  const has = (tool: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool]).status === 0;
  if (!has('sshfs')) return 'sshfs is not installed (Debian sshfs; see test/setup/apt-packages.txt)';
  if (!has('fusermount3')) return 'fusermount3 is not installed (Debian fuse3)';
  if (!fs.existsSync('/dev/fuse')) return '/dev/fuse is missing (no FUSE in this kernel or container)';
  return undefined;
}

const isMounted = (dir: string) => fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === dir);

/** Binds a Unix socket in `dir` with Python: 'ok', or the error (e.g. `[Errno 1] Operation not permitted`). */
export function trySocket(dir: string): string {
  const r = spawnSync('python3', ['-c', [
    'import os, socket, sys',
    'p = os.path.join(sys.argv[1], "probe.sock")',
    's = socket.socket(socket.AF_UNIX)',
    'try:\n  s.bind(p); os.unlink(p); print("ok")',
    'except OSError as e:\n  print(e)',
  ].join('\n'), dir], { encoding: 'utf8' });
  return (r.stdout || r.stderr).trim();
}

/**
 * Mounts `remoteDir` (created) on `mountPoint` (created) with sshfs in the foreground
 * (`-f`, so the process is ours), and resolves once the mount is there.
 */
export async function mountSshfs(mountPoint: string, remoteDir: string, timeoutMs = 15_000): Promise<NetFs> {
  fs.mkdirSync(remoteDir, { recursive: true });
  fs.mkdirSync(mountPoint, { recursive: true });
  let sshd: Sshd | undefined;
  let child: ChildProcess | undefined;
  let log = '';
  let done: Promise<void> | undefined;
  const unmount = () => {
    done ??= (async () => {
      if (isMounted(mountPoint)) {
        const r = spawnSync('fusermount3', ['-u', mountPoint], { encoding: 'utf8' });
        if (r.status !== 0) spawnSync('fusermount3', ['-uz', mountPoint]); // busy: detach lazily
      }
      if (child?.pid && child.exitCode === null && child.signalCode === null) {
        const c = child;
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => { try { process.kill(c.pid!, 'SIGKILL'); } catch { /* gone */ } resolve(); }, 3000);
          c.once('exit', () => { clearTimeout(t); resolve(); });
          try { process.kill(c.pid!, 'SIGTERM'); } catch { clearTimeout(t); resolve(); }
        });
      }
      await sshd?.stop();
      if (!isMounted(mountPoint)) fs.rmSync(mountPoint, { recursive: true, force: true });
      fs.rmSync(remoteDir, { recursive: true, force: true });
    })();
    return done;
  };
  try {
    sshd = await startSshd();
    child = spawn('sshfs', [
      '-f', `${sshd.user}@127.0.0.1:${remoteDir}`, mountPoint, '-p', String(sshd.port),
      '-o', `IdentityFile=${sshd.userKey},IdentitiesOnly=yes,StrictHostKeyChecking=no,UserKnownHostsFile=/dev/null,BatchMode=yes`,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { log += d; });
    process.once('exit', () => { if (isMounted(mountPoint)) spawnSync('fusermount3', ['-uz', mountPoint]); });
    const started = Date.now();
    while (!isMounted(mountPoint)) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`sshfs exited (${child.exitCode ?? child.signalCode}): ${log.trim() || 'no output'}`);
      if (Date.now() - started > timeoutMs) throw new Error(`sshfs did not mount ${mountPoint} within ${timeoutMs} ms: ${log.trim() || 'no output'}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (e) {
    await unmount();
    throw e;
  }
  return { mountPoint, remoteDir, unmount };
}
