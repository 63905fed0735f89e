// Finds, by experiment, the longest ControlPath with which OpenSSH can set up a
// multiplexing master, and the message it gives one byte later.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Sshd } from './sshd';
import type { Toolchain } from './toolchains';

/** sizeof(struct sockaddr_un.sun_path) on Linux. */
export const SUN_PATH = 108;
/** ssh binds the master at `<ControlPath>.<16 random characters>` first, then links it into place. */
export const MASTER_TEMP_SUFFIX = '.XXXXXXXXXXXXXXXX'.length;
/** The longest expanded ControlPath that works: the temporary name plus its NUL must fit sun_path. */
export const MAX_CONTROL_PATH = SUN_PATH - 1 - MASTER_TEMP_SUFFIX; // 90

export interface Probe { ok: boolean; stderr: string }

/** One `ssh ... true` (the toolchain's ssh) straight to the sshd with ControlMaster=auto at `controlPath` (no Packer, no Ansible). */
export function probeControlPath(tc: Toolchain, sshd: Sshd, controlPath: string): Promise<Probe> {
  return new Promise((resolve) => {
    const cmd = tc.command('ssh', [
      '-F', '/dev/null', '-i', sshd.userKey, '-p', String(sshd.port),
      '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
      '-o', 'ControlMaster=auto', '-o', 'ControlPersist=no', '-o', `ControlPath=${controlPath}`,
      `${sshd.user}@${sshd.host}`, 'true',
    ], '/');
    execFile(cmd.file, cmd.args, { timeout: 15_000, encoding: 'utf8' }, (err, _stdout, stderr) => resolve({ ok: !err, stderr }));
  });
}

/** A path of exactly `length` bytes: `<base>xxx…/s`, its directory created. */
export function pathOfLength(base: string, length: number): string {
  const pad = length - base.length - 2;
  if (pad < 1) throw new Error(`cannot make a ${length}-byte path from ${base}`);
  const dir = base + 'x'.repeat(pad);
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, 's');
}

export interface Limit { longestOk: number; shortestFail: number; failure: string; probes: number }

/**
 * Binary search over the length of a literal ControlPath (no % tokens, so expanded = literal)
 * for the longest that works. `lo` must work and `hi` must fail.
 */
export async function findControlPathLimit(tc: Toolchain, sshd: Sshd, base: string, lo = 40, hi = 200): Promise<Limit> {
  let probes = 0;
  let failure = '';
  const check = async (len: number) => { probes++; return probeControlPath(tc, sshd, pathOfLength(base, len)); };
  const first = await check(lo);
  if (!first.ok) throw new Error(`a ${lo}-byte ControlPath already fails: ${first.stderr}`);
  const last = await check(hi);
  if (last.ok) throw new Error(`a ${hi}-byte ControlPath still works`);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const r = await check(mid);
    if (r.ok) lo = mid; else { hi = mid; failure = r.stderr.trim(); }
  }
  if (!failure) failure = (await check(hi)).stderr.trim();
  return { longestOk: lo, shortestFail: hi, failure, probes };
}
