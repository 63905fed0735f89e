/**
 * The `packer-bake` task type, as written in tasks.json or built by the
 * "Packer: Bake AMI" command, and its translation into a `BakeRequest`.
 * Pure: no `vscode` import.
 */
import path from 'node:path';
import type { BakeRequest, TemplateFormat } from './argv';

export const BAKE_TASK_TYPE = 'packer-bake';

/** A `packer-bake` task: `{ "type": "packer-bake", "template": "images/web", ... }`. */
export interface BakeTaskDefinition {
  type: typeof BAKE_TASK_TYPE;
  /**
   * What to bake, relative to the task's workspace folder or absolute: a
   * legacy JSON template file, or an HCL2 configuration's folder (a
   * `.pkr.hcl` file stands for its folder: Packer builds the folder).
   */
  template: string;
  /** `-only` builds (legacy JSON: builder names; HCL2: `<type>.<name>` sources). Empty or absent: all. */
  only?: string[];
  /** Var files, relative to the template's folder (the HCL2 folder), or absolute. */
  varFiles?: string[];
  /** `-var name=value` pairs. */
  variables?: Record<string, string>;
  /** The directory Packer runs in, relative to the workspace folder or absolute; default: the one the analysis infers. */
  cwd?: string;
  /** Index signature required by vscode.TaskDefinition. */
  [key: string]: unknown;
}

/** What the language server knows about a configuration, as far as the bake needs it. */
export interface TemplateFacts {
  format: TemplateFormat;
  requiresInit: boolean;
  /** Where Packer runs, when the analysis says. */
  workingDirectory?: string;
}

function substitute(p: string, folder: string | undefined): string {
  if (!folder) return p;
  return p.replace(/\$\{workspaceFolder\}/g, folder).replace(/\$\{workspaceRoot\}/g, folder);
}

function resolveIn(p: string, folder: string | undefined): string {
  const s = substitute(p, folder);
  return path.isAbsolute(s) || !folder ? path.resolve(s) : path.resolve(folder, s);
}

/** Absolute path of a definition's template (variables VS Code left unresolved are resolved here). */
export function templatePath(def: Pick<BakeTaskDefinition, 'template'>, folder: string | undefined): string {
  return resolveIn(def.template, folder);
}

/** Checks a definition read from tasks.json; returns the problem, if any. */
export function definitionProblem(def: Record<string, unknown>): string | undefined {
  if (typeof def.template !== 'string' || def.template.trim() === '') return 'a packer-bake task needs "template" (the template\'s file or HCL2 folder)';
  const strings = (v: unknown) => v === undefined || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
  if (!strings(def.only)) return '"only" must be a list of build names';
  if (!strings(def.varFiles)) return '"varFiles" must be a list of paths';
  const vars = def.variables;
  if (vars !== undefined && (typeof vars !== 'object' || vars === null || Array.isArray(vars)
    || !Object.values(vars).every((v) => typeof v === 'string'))) return '"variables" must map names to string values';
  if (def.cwd !== undefined && (typeof def.cwd !== 'string' || def.cwd.trim() === '')) return '"cwd" must be a directory path';
  return undefined;
}

/**
 * The format a path implies, when the server cannot be asked: `*.pkr.hcl`
 * and `*.pkr.json` are HCL2, other `.json` files legacy JSON, and anything
 * else a folder, which Packer reads as HCL2.
 */
export function formatFromName(file: string): TemplateFormat {
  if (/\.pkr\.hcl$/i.test(file)) return 'hcl';
  if (/\.pkr\.json$/i.test(file)) return 'hcl-json';
  if (/\.json$/i.test(file)) return 'json';
  return 'hcl';
}

/** What Packer builds for a template path: the file itself (legacy JSON), or its folder (HCL2; a folder stays itself). */
export function buildTarget(template: string, format: TemplateFormat): string {
  if (format === 'json') return template;
  return /\.pkr\.(hcl|json)$/i.test(template) ? path.dirname(template) : template;
}

export function requestFromDefinition(def: BakeTaskDefinition, folder: string | undefined, facts: TemplateFacts): BakeRequest {
  const target = buildTarget(templatePath(def, folder), facts.format);
  const targetDir = facts.format === 'json' ? path.dirname(target) : target;
  const cwd = def.cwd !== undefined ? resolveIn(def.cwd, folder) : facts.workingDirectory || undefined;
  return {
    target,
    format: facts.format,
    ...(cwd && cwd !== targetDir ? { cwd } : {}),
    mountRoot: folder,
    only: [...(def.only ?? [])],
    varFiles: (def.varFiles ?? []).map((v) => path.resolve(targetDir, substitute(v, folder))),
    variables: { ...(def.variables ?? {}) },
    requiresInit: facts.format !== 'json' && facts.requiresInit,
  };
}

/** `p` as a user would write it in tasks.json: relative to `base` when inside it, else absolute. */
function relativeTo(p: string, base: string): string {
  const r = path.relative(base, p);
  if (r === '') return '.';
  return !r.startsWith('..') && !path.isAbsolute(r) ? r.split(path.sep).join('/') : p;
}

/**
 * A definition for the command's choices. `cwd` is written only when Packer
 * does not run in the target's own folder (the analysis inferred another
 * directory), so the task runs the same way later.
 */
export function definitionFor(target: string, format: TemplateFormat, folder: string | undefined, only: string[], varFiles: string[],
  cwd?: string): BakeTaskDefinition {
  const def: BakeTaskDefinition = { type: BAKE_TASK_TYPE, template: folder ? relativeTo(target, folder) : target };
  const targetDir = format === 'json' ? path.dirname(target) : target;
  if (only.length > 0) def.only = [...only];
  if (varFiles.length > 0) def.varFiles = varFiles.map((v) => relativeTo(v, targetDir));
  if (cwd && cwd !== targetDir) def.cwd = folder ? relativeTo(cwd, folder) : cwd;
  return def;
}

/** The task's label in the terminal panel and "Tasks: Run Task". */
export function taskLabel(def: Pick<BakeTaskDefinition, 'template' | 'only'>): string {
  const only = def.only && def.only.length > 0 ? ` (${def.only.join(', ')})` : '';
  return `bake ${def.template}${only}`;
}
