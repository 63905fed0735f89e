/**
 * Var files a configuration can take: `*.pkrvars.hcl`, `*.pkrvars.json` and
 * JSON var files (a flat object of values; not a template), in the
 * configuration's folder, its sub-folders (`vars/`, `env/`...) and Packer's
 * working directory. `*.auto.pkrvars.*` are left out: Packer loads those
 * itself. No `vscode` import.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TemplateFormat } from './argv';
import { readBounded } from './files';

/** JSON files larger than this are not read to see whether they are var files. */
const MAX_JSON_VAR_FILE = 256 * 1024;
/** Entries looked at per folder: a folder with more is not one of var files. */
const MAX_ENTRIES = 1000;
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'out']);

/** True for JSON text that is a legacy var file: an object whose values are all scalars. */
export function isJsonVarFile(text: string): boolean {
  let value: unknown;
  try { value = JSON.parse(text); } catch { return false; }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value as Record<string, unknown>);
  return entries.length > 0 && entries.every(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v));
}

export interface VarFileIo {
  /** Regular files and folders of a directory (no symlinks, no special files). */
  list(dir: string): { files: string[]; folders: string[] };
  /** At most `maxBytes` of a file as UTF-8, or undefined when it is larger or unreadable. */
  readFile(file: string, maxBytes: number): string | undefined;
}

/** The var file kinds a configuration takes, by file name. */
function kindOf(name: string, format: TemplateFormat): 'yes' | 'json' | 'no' {
  const lower = name.toLowerCase();
  if (/\.auto\.pkrvars\.(hcl|json)$/.test(lower) && format !== 'json') return 'no';
  if (lower.endsWith('.pkrvars.hcl')) return format === 'json' ? 'no' : 'yes';
  if (lower.endsWith('.pkrvars.json')) return 'yes';
  if (lower.endsWith('.json') && !lower.endsWith('.pkr.json')) return 'json';
  return 'no';
}

/**
 * Var files for a configuration (`target`: the legacy template file or the
 * HCL2 folder), sorted by path: its folder first, then its sub-folders, then
 * Packer's working directory when that is elsewhere.
 */
export function listVarFiles(target: string, format: TemplateFormat, cwd?: string, io: VarFileIo = nodeIo): string[] {
  const dir = format === 'json' ? path.dirname(target) : target;
  const out: string[] = [];
  const look = (folder: string, deeper: boolean) => {
    let entries: { files: string[]; folders: string[] };
    try { entries = io.list(folder); } catch { return; }
    if (entries.files.length + entries.folders.length > MAX_ENTRIES) return;
    for (const name of [...entries.files].sort()) {
      const file = path.join(folder, name);
      if (file === target || out.includes(file)) continue;
      const kind = kindOf(name, format);
      if (kind === 'yes') out.push(file);
      if (kind === 'json') {
        const text = io.readFile(file, MAX_JSON_VAR_FILE);
        if (text !== undefined && isJsonVarFile(text)) out.push(file);
      }
    }
    if (!deeper) return;
    for (const sub of [...entries.folders].sort()) {
      if (!sub.startsWith('.') && !SKIPPED_FOLDERS.has(sub)) look(path.join(folder, sub), false);
    }
  };
  look(dir, true);
  if (cwd && cwd !== dir) look(cwd, false);
  return out;
}

const nodeIo: VarFileIo = {
  list: (dir) => {
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    return { files: entries.filter((d) => d.isFile()).map((d) => d.name), folders: entries.filter((d) => d.isDirectory()).map((d) => d.name) };
  },
  readFile: readBounded,
};
