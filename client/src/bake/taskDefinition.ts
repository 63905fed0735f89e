/**
 * The `packer-bake` task type, as written in tasks.json or built by the
 * "Packer: Bake AMI" command, and its translation into a `BakeRequest`.
 * Pure: no `vscode` import.
 */
import path from 'node:path';
import type { BakeRequest, TemplateFormat } from './argv';

export const BAKE_TASK_TYPE = 'packer-bake';

/** A `packer-bake` task: `{ "type": "packer-bake", "template": "images/base.pkr.hcl", ... }`. */
export interface BakeTaskDefinition {
  type: typeof BAKE_TASK_TYPE;
  /** Template path, relative to the task's workspace folder, or absolute. */
  template: string;
  /** `-only` builds (legacy JSON: builder names; HCL2: `<type>.<name>` sources). Empty or absent: all. */
  only?: string[];
  /** Var files, relative to the template's folder, or absolute. */
  varFiles?: string[];
  /** `-var name=value` pairs. */
  variables?: Record<string, string>;
  /** Index signature required by vscode.TaskDefinition. */
  [key: string]: unknown;
}

/** What the language server knows about a template, as far as the bake needs it. */
export interface TemplateFacts {
  format: TemplateFormat;
  requiresInit: boolean;
}

function substitute(p: string, folder: string | undefined): string {
  if (!folder) return p;
  return p.replace(/\$\{workspaceFolder\}/g, folder).replace(/\$\{workspaceRoot\}/g, folder);
}

/** Absolute template path of a definition (variables VS Code left unresolved are resolved here). */
export function templatePath(def: Pick<BakeTaskDefinition, 'template'>, folder: string | undefined): string {
  const p = substitute(def.template, folder);
  return path.isAbsolute(p) || !folder ? path.resolve(p) : path.resolve(folder, p);
}

/** Checks a definition read from tasks.json; returns the problem, if any. */
export function definitionProblem(def: Record<string, unknown>): string | undefined {
  if (typeof def.template !== 'string' || def.template.trim() === '') return 'a packer-bake task needs "template" (the template\'s path)';
  const strings = (v: unknown) => v === undefined || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
  if (!strings(def.only)) return '"only" must be a list of build names';
  if (!strings(def.varFiles)) return '"varFiles" must be a list of paths';
  const vars = def.variables;
  if (vars !== undefined && (typeof vars !== 'object' || vars === null || Array.isArray(vars)
    || !Object.values(vars).every((v) => typeof v === 'string'))) return '"variables" must map names to string values';
  return undefined;
}

/** The format a template's file name implies, when the server cannot be asked. */
export function formatFromName(file: string): TemplateFormat {
  if (/\.pkr\.hcl$/i.test(file)) return 'hcl';
  if (/\.pkr\.json$/i.test(file)) return 'hcl-json';
  return 'json';
}

export function requestFromDefinition(def: BakeTaskDefinition, folder: string | undefined, facts: TemplateFacts): BakeRequest {
  const template = templatePath(def, folder);
  const templateDir = path.dirname(template);
  return {
    template,
    mountRoot: folder,
    format: facts.format,
    only: [...(def.only ?? [])],
    varFiles: (def.varFiles ?? []).map((v) => path.resolve(templateDir, substitute(v, folder))),
    variables: { ...(def.variables ?? {}) },
    requiresInit: facts.requiresInit,
  };
}

/** A definition for the command's choices, with paths as a user would write them in tasks.json. */
export function definitionFor(template: string, folder: string | undefined, only: string[], varFiles: string[]): BakeTaskDefinition {
  const rel = (p: string, base: string) => {
    const r = path.relative(base, p);
    return r && !r.startsWith('..') && !path.isAbsolute(r) ? r.split(path.sep).join('/') : p;
  };
  const def: BakeTaskDefinition = { type: BAKE_TASK_TYPE, template: folder ? rel(template, folder) : template };
  if (only.length > 0) def.only = [...only];
  if (varFiles.length > 0) def.varFiles = varFiles.map((v) => rel(v, path.dirname(template)));
  return def;
}

/** The task's label in the terminal panel and "Tasks: Run Task". */
export function taskLabel(def: Pick<BakeTaskDefinition, 'template' | 'only'>): string {
  const only = def.only && def.only.length > 0 ? ` (${def.only.join(', ')})` : '';
  return `bake ${def.template}${only}`;
}
