/**
 * Var files next to a template: `*.pkrvars.hcl`, `*.pkrvars.json` and JSON
 * var files (a flat object of values; not a template). No `vscode` import.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TemplateFormat } from './argv';

/** JSON files larger than this are not read to see whether they are var files. */
const MAX_JSON_VAR_FILE = 256 * 1024;

/** True for JSON text that is a legacy var file: an object whose values are all scalars. */
export function isJsonVarFile(text: string): boolean {
  let value: unknown;
  try { value = JSON.parse(text); } catch { return false; }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value as Record<string, unknown>);
  return entries.length > 0 && entries.every(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v));
}

/**
 * Var files in the template's folder that Packer accepts for the template's
 * format (legacy JSON templates take JSON var files only), sorted by name.
 */
export function listVarFiles(template: string, format: TemplateFormat,
  io: { readdir: (dir: string) => string[]; readFile: (file: string) => string | undefined } = nodeIo): string[] {
  const dir = path.dirname(template);
  const out: string[] = [];
  let names: string[];
  try { names = io.readdir(dir); } catch { return []; }
  for (const name of names.sort()) {
    const file = path.join(dir, name);
    if (file === template) continue;
    if (/\.pkrvars\.hcl$/i.test(name)) {
      if (format !== 'json') out.push(file);
    } else if (/\.pkrvars\.json$/i.test(name)) {
      out.push(file);
    } else if (/\.json$/i.test(name) && !/\.pkr\.json$/i.test(name)) {
      const text = io.readFile(file);
      if (text !== undefined && isJsonVarFile(text)) out.push(file);
    }
  }
  return out;
}

const nodeIo = {
  readdir: (dir: string) => fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name),
  readFile: (file: string) => {
    try {
      return fs.statSync(file).size <= MAX_JSON_VAR_FILE ? fs.readFileSync(file, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  },
};
