/**
 * Finding the files in a folder that can be Packer templates, without reading
 * them: names only, sizes from `stat`, so a folder of large or unrelated files
 * costs a directory walk and nothing more. The one walk of both the language
 * server (workspace folders) and `packer-bake lint` (the folders it is given),
 * so both see the same templates.
 */
import { promises as fs, type Dirent } from 'fs';
import * as fsSync from 'fs';
import * as path from 'path';
import { CONTAINER_DIRS, containerFileKind, formatForName } from './analysis';
import { folderEntries, folderEntriesSync } from './diskHost';
import { CONTAINER_WATCH_PATTERNS, TEMPLATE_FILE_PATTERNS } from './shared/documents';

/** Folders never walked: dependencies, VCS data, build output. Hidden folders are skipped too. */
export const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', 'out']);

/** The walk stops after this many candidates, so a huge folder cannot stall the server. */
export const MAX_CANDIDATES = 20000;

/** Glob patterns for `workspace/didChangeWatchedFiles`: templates and the files templates depend on. */
export const WATCH_PATTERNS: string[] = [...TEMPLATE_FILE_PATTERNS, ...CONTAINER_WATCH_PATTERNS];

export interface Candidate {
  file: string;
  size: number;
}

/** A file name that can be a template (`.pkr.hcl`, `.pkr.json`, or any `.json` to be looked into). */
export function isCandidateName(file: string): boolean {
  return formatForName(file) !== undefined || containerFileKind(file) !== undefined;
}

/** True when `file` lies in a folder the scan skips (relative to the workspace folder `root`). */
export function inSkippedDir(root: string, file: string): boolean {
  const rel = path.relative(root, path.dirname(file));
  if (rel === '') return false;
  if (rel.startsWith('..') || path.isAbsolute(rel)) return true;
  return rel.split(path.sep).some((d) => SKIPPED_DIRS.has(d) || (d.startsWith('.') && !CONTAINER_DIRS.has(d)));
}

/**
 * Walks `root` and yields candidate template files with their size, a
 * folder's files before its subfolders, in code-unit order of names (the same
 * in every locale). Symbolic links to folders are not followed (they can
 * loop); links to regular files are (reading them is bounded, and edits
 * through them are checked by EditScope). FIFOs, devices and sockets are never
 * yielded. `onLimit` is called once when `limit` candidates were yielded.
 * Of a folder at most MAX_LISTING entries are read (in the order the file
 * system gives them; `onCut` says which folders had more), so a folder of
 * millions of entries costs that many, not all of them.
 */
export async function* scanFolder(root: string, onLimit?: () => void, limit = MAX_CANDIDATES, onCut?: (dir: string) => void): AsyncGenerator<Candidate> {
  const pending = [root];
  let count = 0;
  while (pending.length > 0) {
    const dir = pending.pop()!;
    const entries = await folderEntries(dir, onCut);
    if (!entries) continue;
    const { subdirs, files } = classify(dir, entries);
    for (const { file } of files) {
      let stat;
      try {
        stat = await fs.stat(file);
      } catch {
        continue;
      }
      if (!stat.isFile()) continue;
      if (++count > limit) {
        onLimit?.();
        return;
      }
      yield { file, size: stat.size };
    }
    pending.push(...subdirs.reverse());
  }
}

/**
 * The same walk, synchronous and without sizes, for the CLI (which waits for
 * the list anyway): a `readdir` per folder and a `stat` only for links.
 * `onListing` sees each folder's entries as read (the lint's analysis asks
 * for the same listings).
 */
export function scanFolderSync(root: string, onListing?: (dir: string, entries: readonly Dirent[]) => void, onCut?: (dir: string) => void): string[] {
  return TargetWalk.inFolder(root, { onListing, onCut }).rest();
}

export interface WalkHooks {
  /** Each folder's entries as read. */
  onListing?: (dir: string, entries: readonly Dirent[]) => void;
  /** A folder of more than MAX_LISTING entries, of which the first were walked. */
  onCut?: (dir: string) => void;
}

/**
 * The lint's walk of the paths it was given, a file at a time: a path that
 * is a folder gives the candidates scanFolderSync finds in it, any other path
 * gives itself, and each file is given once, where it is first reached.
 */
export class TargetWalk {
  private readonly seen = new Set<string>();
  /** Files found and not yet given, from `at` on. */
  private ready: string[] = [];
  private at = 0;

  /** `targets`: paths not yet begun; `pending`: folders still to list, the next one last. */
  private constructor(
    private readonly targets: string[],
    private readonly pending: string[],
    private readonly hooks: WalkHooks,
  ) {}

  static of(targets: readonly string[], hooks: WalkHooks = {}): TargetWalk {
    return new TargetWalk([...targets], [], hooks);
  }

  /** The walk of one folder. */
  static inFolder(root: string, hooks: WalkHooks = {}): TargetWalk {
    return new TargetWalk([], [root], hooks);
  }

  /** The next file, or undefined when the walk is over. */
  next(): string | undefined {
    for (;;) {
      if (this.at < this.ready.length) {
        const file = this.ready[this.at++];
        if (this.seen.has(file)) continue;
        this.seen.add(file);
        return file;
      }
      const dir = this.pending.pop();
      if (dir !== undefined) {
        const entries = folderEntriesSync(dir, this.hooks.onCut);
        if (!entries) continue;
        this.hooks.onListing?.(dir, entries);
        const { subdirs, files } = classify(dir, entries);
        this.ready = files.filter((f) => !f.link || linksToFile(f.file)).map((f) => f.file);
        this.at = 0;
        this.pending.push(...subdirs.reverse());
        continue;
      }
      const target = this.targets.shift();
      if (target === undefined) return undefined;
      if (isFolder(target)) this.pending.push(target);
      else {
        this.ready = [target];
        this.at = 0;
      }
    }
  }

  /** Up to `count` more files. */
  take(count: number): string[] {
    const out: string[] = [];
    while (out.length < count) {
      const file = this.next();
      if (file === undefined) break;
      out.push(file);
    }
    return out;
  }

  /** All the files left. */
  rest(): string[] {
    return this.take(Infinity);
  }
}

/** A path that is a folder; one that is gone (since the command line was checked) is read, and reading it reports it. */
function isFolder(target: string): boolean {
  try {
    return fsSync.statSync(target).isDirectory();
  } catch {
    return false;
  }
}

function linksToFile(file: string): boolean {
  try {
    return fsSync.statSync(file).isFile();
  } catch {
    return false; // dangling, a loop, no permission
  }
}

/** A folder's entries in code-unit order: the subfolders to walk, and the candidate files (regular files and links). */
function classify(dir: string, entries: Dirent[]): { subdirs: string[]; files: { file: string; link: boolean }[] } {
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const subdirs: string[] = [];
  const files: { file: string; link: boolean }[] = [];
  for (const e of entries) {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIPPED_DIRS.has(e.name) && (!e.name.startsWith('.') || CONTAINER_DIRS.has(e.name))) subdirs.push(file);
      continue;
    }
    if (isCandidateName(file) && (e.isFile() || e.isSymbolicLink())) files.push({ file, link: e.isSymbolicLink() });
  }
  return { subdirs, files };
}
