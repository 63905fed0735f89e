import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_SETTINGS, SKIPPED, formatForName, type AnalysisHost, type AnalysisResult } from './analysis';
import { readBoundedSync, readTextSync, type ReadResult, type TextReadResult } from './boundedRead';
import { withoutBom } from './textBytes';
import { nameSet } from './analysis/workingDirectory';

/** Entries of one folder listed at most: a folder of a million files costs this much, not more. */
export const MAX_LISTING = 50000;

export interface DiskHostOptions {
  /** Files larger than this many bytes are not read (the current `maxFileSize`). */
  limit: () => number;
  /** Every read, for callers that keep what was read (digests, watch lists). */
  onRead?: (file: string, result: ReadResult) => void;
  /**
   * Drop a leading byte order mark, as VS Code does in its documents: the
   * server, whose offsets must agree with the editor's. The CLI keeps it
   * (Packer rejects a BOM in a JSON template, and the analysis says so).
   */
  stripBom?: boolean;
  /** Folder listings already read (listingOf's), answered without listing again. */
  listings?: ReadonlyMap<string, string[]>;
}

/**
 * The analysis host over the file system: every read bounded (see
 * boundedRead.ts); a file that looks binary reads as absent, so it is never
 * parsed; a folder listing is bounded too.
 */
export function boundedDiskHost(options: DiskHostOptions): AnalysisHost {
  // The bytes only for a caller that keeps them (the fix's digests); else the text alone (readTextSync).
  const read = (f: string): TextReadResult => {
    if (!options.onRead) return readTextSync(f, options.limit());
    const r = readBoundedSync(f, options.limit());
    options.onRead(f, r);
    return r;
  };
  return {
    readFile: (f) => {
      const r = read(f);
      if (!r.ok || r.binary) return undefined;
      return options.stripBom ? withoutBom(r.text) : r.text;
    },
    listDir: (dir) => {
      // A folder the caller's walk listed already (the lint's, moments before) is not listed again.
      const known = options.listings?.get(dir);
      return known ?? listDirBounded(dir);
    },
  };
}

/** The names of a listing (listDirBounded's) that are regular files: no folder to list there. */
const regularFiles = new WeakMap<string[], Set<string>>();

/** A listing as listDirBounded gives it, from entries read elsewhere (up to MAX_LISTING of them, in their order; no more are pulled). */
export function listingOf(entries: Iterable<{ name: string; isFile(): boolean }>): string[] {
  const names: string[] = [];
  const files = new Set<string>();
  for (const e of entries) {
    if (names.length >= MAX_LISTING) break;
    names.push(e.name);
    if (e.isFile()) files.add(e.name);
  }
  regularFiles.set(names, files);
  return names;
}

/** Entries a folder's handle yields at a time (fewer system calls than Node's default of 32). */
const DIR_BUFFER = 256;

/** A folder's entries as they are read, up to MAX_LISTING; `add` is false (and onCut told) at one more. */
class Entries {
  readonly list: fs.Dirent[] = [];
  constructor(private readonly dir: string, private readonly onCut?: (dir: string) => void) {}

  add(e: fs.Dirent): boolean {
    if (this.list.length >= MAX_LISTING) {
      this.onCut?.(this.dir);
      return false;
    }
    this.list.push(e);
    return true;
  }
}

/**
 * A folder this size or smaller is listed at once (`readdir`): a few thousand
 * entries at most on any file system that reports a folder's size (ext4, XFS
 * and tmpfs count bytes, ZFS entries), far below MAX_LISTING. A larger one,
 * or one whose size is 0 (procfs and some FUSE file systems report no size),
 * is read MAX_LISTING entries at most, through a handle.
 */
const SMALL_FOLDER = 16 * 1024;

/**
 * Up to MAX_LISTING entries of `dir` (onCut(dir) when it has more), or
 * undefined when it cannot be listed. `size`: its size, when the caller has
 * just stat'ed it.
 */
export function folderEntriesSync(dir: string, onCut?: (dir: string) => void, size?: number): fs.Dirent[] | undefined {
  let d: fs.Dir | undefined;
  try {
    size ??= fs.statSync(dir, { throwIfNoEntry: false })?.size;
    if (size !== undefined && size > 0 && size <= SMALL_FOLDER) {
      const all = fs.readdirSync(dir, { withFileTypes: true });
      if (all.length > MAX_LISTING) {
        onCut?.(dir);
        all.length = MAX_LISTING;
      }
      return all;
    }
    d = fs.opendirSync(dir, { bufferSize: DIR_BUFFER });
    const entries = new Entries(dir, onCut);
    for (let e = d.readSync(); e && entries.add(e); e = d.readSync());
    return entries.list;
  } catch {
    return undefined;
  } finally {
    d?.closeSync();
  }
}

/** The same, without blocking. */
export async function folderEntries(dir: string, onCut?: (dir: string) => void): Promise<fs.Dirent[] | undefined> {
  let d: fs.Dir | undefined;
  try {
    d = await fs.promises.opendir(dir, { bufferSize: DIR_BUFFER });
    const entries = new Entries(dir, onCut);
    for (let e = await d.read(); e && entries.add(e); e = await d.read());
    return entries.list;
  } catch {
    return undefined;
  } finally {
    await d?.close();
  }
}

/** Up to MAX_LISTING entry names of a folder, or undefined when it cannot be listed. */
export function listDirBounded(dir: string): string[] | undefined {
  let st: fs.Stats | undefined;
  try {
    // Most folders asked about are files or do not exist (the working directory search): a stat that does not
    // throw answers those without the cost of an exception.
    st = fs.statSync(dir, { throwIfNoEntry: false });
    if (!st?.isDirectory()) return undefined;
  } catch {
    return undefined; // a path through a file (ENOTDIR), no permission
  }
  const entries = folderEntriesSync(dir, undefined, st.size);
  return entries && listingOf(entries);
}

/** The analysis host over the file system with the default size limit, for tests. */
export const diskHost: AnalysisHost = boundedDiskHost({ limit: () => DEFAULT_SETTINGS.maxFileSize });

/**
 * A host that reads each file and folder once for one lint run (sibling HCL
 * files are read for every template of their folder). Only the files of the
 * last few folders are kept, so a large workspace is not held in memory; the
 * walk visits a folder's files together. `forget` after writing a file.
 */
export function cachedHost(host: AnalysisHost, folders = 4): AnalysisHost & { forget(file: string): void } {
  const files = new Map<string, Map<string, string | undefined>>();
  const dirs = new Map<string, string[] | undefined>();
  // True when the nearest ancestor listed so far has no entry on the way to `target` (or, for a folder, a file there).
  const absentByListing = (target: string, folder: boolean): boolean => {
    for (let d = target, up = path.dirname(d); up !== d; d = up, up = path.dirname(d)) {
      if (!dirs.has(up)) continue;
      const names = dirs.get(up);
      if (names && names.length >= MAX_LISTING) return false; // a cut listing cannot tell
      const name = path.basename(d);
      return !names || !nameSet(names).has(name) || (folder || d !== target ? regularFiles.get(names)?.has(name) === true : false);
    }
    return false;
  };
  // A folder's version changes when its files are forgotten: read again, they may differ.
  const versions = new Map<string, number>();
  const bump = (dir: string) => versions.set(dir, (versions.get(dir) ?? 0) + 1);
  return {
    readFile(file) {
      const dir = path.dirname(file);
      let inDir = files.get(dir);
      if (!inDir) {
        if (files.size >= folders) {
          const oldest = files.keys().next().value!;
          files.delete(oldest);
          bump(oldest);
        }
        inDir = new Map();
        files.set(dir, inDir);
      }
      if (!inDir.has(file)) inDir.set(file, absentByListing(file, false) ? undefined : host.readFile(file));
      return inDir.get(file);
    },
    listDir(dir) {
      if (!dirs.has(dir)) {
        // A folder its parent's listing (already read) does not hold needs no system call: the working
        // directory search asks for many that do not exist (every candidate folder + a playbook's path).
        dirs.set(dir, absentByListing(dir, true) ? undefined : host.listDir(dir));
      }
      return dirs.get(dir);
    },
    folderVersion(dir) {
      return String(versions.get(dir) ?? 0);
    },
    forget(file) {
      files.get(path.dirname(file))?.delete(file);
      bump(path.dirname(file));
    },
  };
}

/**
 * The result for a template that was not read: one informational finding for
 * files that are templates by name (a large `.json` may be anything, and stays
 * silent), saying why.
 */
export function skippedTemplate(file: string, why: string): AnalysisResult {
  const empty: AnalysisResult = { findings: [], plans: [], dependsOn: [] };
  const format = formatForName(file);
  if (format !== 'hcl' && format !== 'hcl-json') return empty;
  const zero = { line: 0, character: 0 };
  return { ...empty, findings: [{ ruleId: SKIPPED, severity: 'info', message: `packer-bake skipped this file: ${why}.`, file, range: { start: zero, end: zero }, fixes: [] }] };
}

/** The reason of a template skipped for its size, as the setting names it. */
export function tooLargeReason(maxFileSize: number): string {
  return `it is larger than ${Math.round(maxFileSize / 1024)} KB (setting packerBake.maxFileSize)`;
}
