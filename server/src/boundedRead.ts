/**
 * The one way the server and the CLI read a file a repository put in front of
 * them: templates, ansible.cfg files (wherever `ANSIBLE_CONFIG` points),
 * sibling HCL files, var files.
 *
 * A repository is hostile input, so a read
 * - never opens anything but a regular file: `stat` first (which opens
 *   nothing), then `open` with O_NONBLOCK, then `fstat` on the descriptor
 *   (the name may have been swapped in between); a FIFO, a device (also
 *   through a symlink), a socket or a folder is refused, and nothing blocks;
 * - is bounded by the bytes actually read, never by the size `stat` reports:
 *   `/proc/self/pagemap` is a regular file of size 0 that yields gigabytes. It
 *   reads at most limit + 1 bytes, so a 2 GB sparse file costs the limit.
 */
import * as fs from 'fs';
import { decodeBytes, looksBinary, type DecodedText } from './textBytes';

export type ReadFailure = 'missing' | 'not-regular' | 'too-large' | 'error';

export type ReadResult =
  | ({ ok: true; bytes: Buffer; binary: false } & DecodedText)
  /** Content no template or config file can be (see looksBinary): not decoded at all. */
  | { ok: true; bytes: Buffer; binary: true }
  | { ok: false; reason: ReadFailure; message: string };

/** The largest read buffer allocated before the file proves it has more. */
const FIRST_CHUNK = 64 * 1024;

// O_NONBLOCK and O_NOCTTY do not exist on Windows, where FIFOs cannot be opened by name anyway.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0);

function failure(reason: ReadFailure, message: string): ReadResult {
  return { ok: false, reason, message };
}

function fromError(e: unknown): ReadResult {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return failure('missing', 'it does not exist');
  // A socket, or a FIFO on a system without O_NONBLOCK semantics for open.
  if (code === 'ENXIO' || code === 'EAGAIN' || code === 'EWOULDBLOCK') return failure('not-regular', 'it is not a regular file');
  return failure('error', code ? `it cannot be read (${code})` : `it cannot be read (${e instanceof Error ? e.message : String(e)})`);
}

function checkStat(st: fs.Stats, limit: number): ReadResult | undefined {
  if (!st.isFile()) return failure('not-regular', st.isDirectory() ? 'it is a folder' : 'it is not a regular file (a FIFO, device or socket)');
  if (st.size > limit) return failure('too-large', `it is larger than ${limit} bytes`);
  return undefined;
}

/** The read buffer of one file: grows as the file proves it has more, up to limit + 1 bytes. */
class Accumulator {
  private buf: Buffer;
  private length = 0;

  constructor(private readonly limit: number) {
    this.buf = Buffer.allocUnsafe(Math.min(limit + 1, FIRST_CHUNK));
  }

  /** Where the next read goes (buffer, offset, length); undefined once more than `limit` bytes were read. */
  room(): [Buffer, number, number] | undefined {
    if (this.length > this.limit) return undefined;
    if (this.length === this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.min(this.limit + 1, this.buf.length * 4));
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    return [this.buf, this.length, this.buf.length - this.length];
  }

  add(n: number): void {
    this.length += n;
  }

  /** The result once a read returned 0 bytes (end of file), or when there was no more room. */
  finish(): ReadResult {
    if (this.length > this.limit) return failure('too-large', `it is larger than ${this.limit} bytes`);
    const bytes = this.buf.subarray(0, this.length);
    return looksBinary(bytes) ? { ok: true, bytes, binary: true } : { ok: true, bytes, binary: false, ...decodeBytes(bytes) };
  }
}

/** Reads `file` if it is a regular file of at most `limit` bytes (see the module comment). */
export function readBoundedSync(file: string, limit: number): ReadResult {
  let fd: number;
  try {
    const refused = checkStat(fs.statSync(file), limit);
    if (refused) return refused;
    fd = fs.openSync(file, OPEN_FLAGS);
  } catch (e) {
    return fromError(e);
  }
  try {
    const refused = checkStat(fs.fstatSync(fd), limit);
    if (refused) return refused;
    const acc = new Accumulator(limit);
    for (let room = acc.room(); room; room = acc.room()) {
      const n = fs.readSync(fd, ...room, null);
      if (n === 0) break;
      acc.add(n);
    }
    return acc.finish();
  } catch (e) {
    return fromError(e);
  } finally {
    fs.closeSync(fd);
  }
}

/** The same, without blocking the event loop on a slow file system. */
export async function readBounded(file: string, limit: number): Promise<ReadResult> {
  let handle: fs.promises.FileHandle;
  try {
    const refused = checkStat(await fs.promises.stat(file), limit);
    if (refused) return refused;
    handle = await fs.promises.open(file, OPEN_FLAGS);
  } catch (e) {
    return fromError(e);
  }
  try {
    const refused = checkStat(await handle.stat(), limit);
    if (refused) return refused;
    const acc = new Accumulator(limit);
    for (let room = acc.room(); room; room = acc.room()) {
      const { bytesRead } = await handle.read(...room, null);
      if (bytesRead === 0) break;
      acc.add(bytesRead);
    }
    return acc.finish();
  } catch (e) {
    return fromError(e);
  } finally {
    await handle.close();
  }
}
