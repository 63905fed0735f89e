/**
 * Finding the files in a folder that can be Packer templates, without reading
 * them: names only, sizes from `stat`, so a folder of large or unrelated files
 * costs a directory walk and nothing more. The one walk of both the language
 * server (workspace folders) and `packer-bake lint` (the folders it is given),
 * so both see the same templates.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { CONTAINER_DIRS, containerFileKind, formatForName } from './analysis';
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
 */
export async function* scanFolder(root: string, onLimit?: () => void, limit = MAX_CANDIDATES): AsyncGenerator<Candidate> {
  const pending = [root];
  let count = 0;
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const e of entries) {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name) && (!e.name.startsWith('.') || CONTAINER_DIRS.has(e.name))) subdirs.push(file);
        continue;
      }
      if (!isCandidateName(file) || !(e.isFile() || e.isSymbolicLink())) continue;
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
