/**
 * How `packer-bake lint --fix` writes a file: only if its bytes are still
 * those the fix was computed from, all at once (a temporary file in the same
 * folder, renamed over it, so a reader never sees half a file and a crash
 * leaves the old one), keeping its mode, and never a file marked read-only.
 */
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { readBoundedSync } from './boundedRead';

/** A write that did not happen, with the reason as a phrase for the message. */
export class WriteRefused extends Error {}

export function digest(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Replaces `file` with `bytes` if its current content has the digest
 * `expected` (what was read). Throws WriteRefused with the reason otherwise.
 * `limit` bounds the read of the current content.
 */
export function writeIfUnchanged(file: string, bytes: Buffer, expected: string, limit: number): void {
  let real: string;
  let st: fs.Stats;
  try {
    real = fs.realpathSync.native(file);
    st = fs.statSync(real);
  } catch (e) {
    throw new WriteRefused(`it cannot be found (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // Root may write anything; a file its owner marked read-only is still not ours to change.
  if ((st.mode & 0o222) === 0) throw new WriteRefused('it is read-only');
  const current = readBoundedSync(real, limit);
  if (!current.ok || digest(current.bytes) !== expected) throw new WriteRefused('it changed after it was read');
  const tmp = path.join(path.dirname(real), `.${path.basename(real)}.packer-bake-${randomBytes(6).toString('hex')}`);
  try {
    const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, st.mode & 0o7777);
    try {
      fs.writeFileSync(fd, bytes);
      fs.fchmodSync(fd, st.mode & 0o7777);
      try {
        fs.fchownSync(fd, st.uid, st.gid);
      } catch {
        // Only root may give a file away; anyone else writes it as their own, as an editor does.
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, real);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    throw new WriteRefused(code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? `it cannot be written (${code})` : `writing failed (${code ?? (e as Error).message})`);
  }
}
