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
 *
 * readTextSync, for callers that want the text only (the analysis's reads),
 * reads into one buffer kept between reads instead of a new one per file (an
 * allocation per file, a copy when it grew, and external memory that brings
 * on garbage collections); the text is a copy anyway. The lint reads its
 * templates' bytes into a KeptBuffer of its own (lintWorkers.ts), which
 * stay there while the analysis reads other files.
 */
import * as fs from 'fs';
import { KeptBytes } from './analysis/keptBytes';
import { decodeBytes, looksBinary, type DecodedText } from './textBytes';

export type ReadFailure = 'missing' | 'not-regular' | 'too-large' | 'error';

export type ReadFailed = { ok: false; reason: ReadFailure; message: string };

export type ReadResult =
  | ({ ok: true; bytes: Buffer; binary: false } & DecodedText)
  /** Content no template or config file can be (see looksBinary): not decoded at all. */
  | { ok: true; bytes: Buffer; binary: true }
  | ReadFailed;

/** readTextSync's result: ReadResult without the bytes. */
export type TextReadResult = ({ ok: true; binary: false } & DecodedText) | { ok: true; binary: true } | ReadFailed;

/** The smallest first read buffer, and the first step of growth (a file whose size fstat under-reports: /proc's). */
const FIRST_CHUNK = 64 * 1024;

// O_NONBLOCK and O_NOCTTY do not exist on Windows, where FIFOs cannot be opened by name anyway.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0);

function failure(reason: ReadFailure, message: string): ReadFailed {
  return { ok: false, reason, message };
}

function fromError(e: unknown): ReadFailed {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return failure('missing', 'it does not exist');
  // A socket, or a FIFO on a system without O_NONBLOCK semantics for open.
  if (code === 'ENXIO' || code === 'EAGAIN' || code === 'EWOULDBLOCK') return failure('not-regular', 'it is not a regular file');
  return failure('error', code ? `it cannot be read (${code})` : `it cannot be read (${e instanceof Error ? e.message : String(e)})`);
}

function checkStat(st: fs.Stats, limit: number): ReadFailed | undefined {
  if (!st.isFile()) return failure('not-regular', st.isDirectory() ? 'it is a folder' : 'it is not a regular file (a FIFO, device or socket)');
  if (st.size > limit) return failure('too-large', `it is larger than ${limit} bytes`);
  return undefined;
}

/** The read buffer of one file: grows as the file proves it has more, up to limit + 1 bytes. */
class Accumulator {
  private length = 0;

  /** `buf`: where the first bytes go (at least one byte, at most limit + 1; firstSize). */
  constructor(
    private readonly limit: number,
    private buf: Buffer,
  ) {}

  /** Where the next read goes (buffer, offset, length); undefined once more than `limit` bytes were read. */
  room(): [Buffer, number, number] | undefined {
    if (this.length > this.limit) return undefined;
    if (this.length === this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.min(this.limit + 1, Math.max(FIRST_CHUNK, this.buf.length * 4)));
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    return [this.buf, this.length, this.buf.length - this.length];
  }

  add(n: number): void {
    this.length += n;
  }

  /** The bytes once a read returned 0 bytes (end of file), or the failure when there was no more room. */
  bytes(): Buffer | ReadFailed {
    if (this.length > this.limit) return failure('too-large', `it is larger than ${this.limit} bytes`);
    return this.buf.subarray(0, this.length);
  }
}

/** The text of bytes read, unless they look binary. */
function textOf(bytes: Buffer): { binary: true } | ({ binary: false } & DecodedText) {
  return looksBinary(bytes) ? { binary: true } : { binary: false, ...decodeBytes(bytes) };
}

/** The bytes read (or the failure), decoded unless they look binary. */
function classified(bytes: Buffer | ReadFailed): ReadResult {
  return Buffer.isBuffer(bytes) ? { ok: true, bytes, ...textOf(bytes) } : bytes;
}

/**
 * The first read buffer's size: room for the size fstat reports and one byte
 * more (the read that finds the end needs it), so one read when it tells the
 * truth. A size that lies only changes where the reads go, not how many bytes
 * are read.
 */
function firstSize(st: fs.Stats, limit: number): number {
  return Math.min(limit + 1, Math.max(st.size + 1, FIRST_CHUNK));
}

/**
 * Opens `file` if it is a regular file of at most `limit` bytes and reads it
 * (see the module comment): the bytes, in `first` when they fit there.
 */
function readSync(file: string, limit: number, first?: (size: number) => Buffer | undefined): Buffer | ReadFailed {
  let fd: number;
  try {
    const refused = checkStat(fs.statSync(file), limit);
    if (refused) return refused;
    fd = fs.openSync(file, OPEN_FLAGS);
  } catch (e) {
    return fromError(e);
  }
  try {
    const st = fs.fstatSync(fd);
    const refused = checkStat(st, limit);
    if (refused) return refused;
    const size = firstSize(st, limit);
    const acc = new Accumulator(limit, first?.(size) ?? Buffer.allocUnsafe(size));
    for (let room = acc.room(); room; room = acc.room()) {
      const n = fs.readSync(fd, ...room, null);
      if (n === 0) break;
      acc.add(n);
    }
    return acc.bytes();
  } catch (e) {
    return fromError(e);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads `file` if it is a regular file of at most `limit` bytes (see the module comment). */
export function readBoundedSync(file: string, limit: number): ReadResult {
  return classified(readSync(file, limit));
}

/** The largest buffer kept between reads: a larger file gets its own. */
const KEPT_BUFFER = 1024 * 1024;

/**
 * A read buffer kept between reads (a sync read has its thread to itself):
 * the bytes a read returns are valid until its next read.
 */
export class KeptBuffer {
  private readonly bytes = new KeptBytes(KEPT_BUFFER, FIRST_CHUNK);

  /** readBoundedSync's checks and bytes, in the kept buffer when they fit. */
  read(file: string, limit: number): Buffer | ReadFailed {
    return readSync(file, limit, (size) => this.bytes.take(size));
  }
}

const shared = new KeptBuffer();

/**
 * readBoundedSync's text, without the bytes: read into a buffer kept between
 * calls (the bytes do not outlive the call: the text is a copy).
 */
export function readTextSync(file: string, limit: number): TextReadResult {
  const bytes = shared.read(file, limit);
  return Buffer.isBuffer(bytes) ? { ok: true, ...textOf(bytes) } : bytes;
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
    const st = await handle.stat();
    const refused = checkStat(st, limit);
    if (refused) return refused;
    const acc = new Accumulator(limit, Buffer.allocUnsafe(firstSize(st, limit)));
    for (let room = acc.room(); room; room = acc.room()) {
      const { bytesRead } = await handle.read(...room, null);
      if (bytesRead === 0) break;
      acc.add(bytesRead);
    }
    return classified(acc.bytes());
  } catch (e) {
    return fromError(e);
  } finally {
    await handle.close();
  }
}
