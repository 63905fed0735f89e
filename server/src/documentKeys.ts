/**
 * How the server names a document: by file system path for `file:` URIs (so
 * an open editor, the workspace scan and the analysis core's file names all
 * meet on one key), by the URI itself for anything else (untitled documents).
 */
import * as path from 'path';
import { URI } from 'vscode-uri';
import { formatForName } from './analysis';

/** The key of a document URI: its path for `file:` URIs, else the URI. Undefined for a URI that cannot be parsed. */
export function keyOfUri(uri: string): string | undefined {
  if (typeof uri !== 'string' || uri.length === 0) return undefined;
  try {
    const u = URI.parse(uri, true);
    if (u.scheme === 'file') return path.normalize(u.fsPath);
    return uri;
  } catch {
    return undefined;
  }
}

/** A `file:` URI for a path key; other keys are URIs already. */
export function uriOfKey(key: string): string {
  return path.isAbsolute(key) ? URI.file(key).toString() : key;
}

/** True for keys that name a file on disk. */
export function isFileKey(key: string): boolean {
  return path.isAbsolute(key);
}

/** Language ids whose untitled documents are analysed as HCL2 templates, or as JSON. */
const HCL_LANGUAGES = new Set(['packer', 'packer-hcl', 'hcl']);
const JSON_LANGUAGES = new Set(['json', 'jsonc']);

/**
 * The file name handed to the analysis core, which decides the format by the
 * name: the path for files; for untitled documents the URI, plus a suffix
 * implied by the language when the URI has no template extension.
 */
export function analysisName(key: string, languageId: string | undefined): string {
  if (isFileKey(key) || formatForName(key)) return key;
  if (languageId && HCL_LANGUAGES.has(languageId)) return `${key}.pkr.hcl`;
  if (languageId && JSON_LANGUAGES.has(languageId)) return `${key}.json`;
  return key;
}
