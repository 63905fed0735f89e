/**
 * Applying many fixes at once ("Fix All ... in Workspace", the bake's
 * preflight, `lint --fix`) without ever applying an edit computed from other
 * text: fixes are applied to an overlay of the files, one fix at a time, and
 * the template is analysed again after each, from the overlay, until no fix
 * is left (bounded). Two fixes of the same ControlPath inside `ssh_args` can
 * therefore never be applied with each other's offsets. The caller then
 * writes each changed file once, after checking that the file is still what
 * the session read (`FileChange.before`).
 */
import * as path from 'path';
import { applyEdits, type AnalysisHost, type AnalysisResult, type Finding } from './analysis';

export interface FileChange {
  /** The file name as the analysis uses it. */
  file: string;
  /** Its text when the session first read it. */
  before: string;
  after: string;
}

export interface Withheld {
  /** The file the fix would have edited. */
  file: string;
  /** Why not, as a phrase: "it is outside the workspace folders". */
  reason: string;
  ruleId: string;
  title: string;
}

export interface FixSessionOptions {
  /** The files as they are now. */
  base: AnalysisHost;
  /** Why a file may not be edited (see EditScope), or undefined. */
  refusal(file: string): string | undefined;
  /** Analyses per template at most (fixes applied + 1). */
  maxRounds?: number;
}

export class FixSession {
  /** The analysis host over the overlay: what the files will be once the session is written. */
  readonly host: AnalysisHost;
  /** Preferred fixes applied. */
  applied = 0;
  private readonly before = new Map<string, string | undefined>();
  private readonly after = new Map<string, string>();
  /** Fixes applied per folder (the overlay's part of the host's `folderVersion`). */
  private readonly edits = new Map<string, number>();
  private readonly refusals = new Map<string, string | undefined>();
  private readonly held = new Map<string, Withheld>();
  /** The files each applied fix edited, and its rule. */
  private readonly fixFiles: { files: string[]; ruleId: string }[] = [];

  constructor(private readonly options: FixSessionOptions) {
    this.host = {
      readFile: (f) => this.read(f),
      listDir: (d) => options.base.listDir(d),
      folderVersion: (d) => {
        const base = options.base.folderVersion?.(d);
        return base === undefined ? undefined : `${base}:${this.edits.get(d) ?? 0}`;
      },
    };
  }

  /**
   * Gives the session the text of a template it cannot read through the
   * base host (an unsaved document), before fixing it.
   */
  seed(file: string, text: string): void {
    if (!this.before.has(file)) this.before.set(file, text);
  }

  /** The file's text in the overlay. */
  read(file: string): string | undefined {
    if (this.after.has(file)) return this.after.get(file);
    if (!this.before.has(file)) this.before.set(file, this.options.base.readFile(file));
    return this.before.get(file);
  }

  /**
   * Applies the preferred fixes of the findings of template `file` until none
   * is left. `analyse` analyses a text of it with an analyzer over `host`.
   */
  fix(file: string, analyse: (text: string) => AnalysisResult): void {
    const noop = new Set<string>();
    const rounds = this.options.maxRounds ?? 50;
    for (let round = 0; round < rounds; round++) {
      const text = this.read(file);
      if (text === undefined || !this.applyOne(analyse(text).findings, noop)) break;
    }
    // Keep only what a change needs, so a session over a large workspace does not hold it all.
    for (const f of [...this.before.keys()]) if (!this.after.has(f)) this.before.delete(f);
  }

  /** Applies the first fix that can be applied; false when there is none. */
  private applyOne(findings: Finding[], noop: Set<string>): boolean {
    for (const f of findings) {
      const fix = f.fixes.find((x) => x.isPreferred);
      const key = `${f.ruleId}\0${f.file}\0${JSON.stringify(f.range)}`;
      if (!fix || noop.has(key)) continue;
      const refused = fix.edits.map((e) => ({ file: e.file, reason: this.refusal(e.file) })).find((r) => r.reason !== undefined);
      if (refused) {
        this.held.set(`${refused.file}\0${f.ruleId}\0${fix.title}`, { file: refused.file, reason: refused.reason!, ruleId: f.ruleId, title: fix.title });
        continue;
      }
      const updates: [string, string][] = [];
      for (const e of fix.edits) {
        const current = this.read(e.file);
        if (current === undefined) break;
        updates.push([e.file, applyEdits(current, e.edits)]);
      }
      if (updates.length < fix.edits.length || updates.every(([file, next]) => next === this.read(file))) {
        noop.add(key);
        continue;
      }
      for (const [file, next] of updates) {
        this.after.set(file, next);
        const dir = path.dirname(file);
        this.edits.set(dir, (this.edits.get(dir) ?? 0) + 1);
      }
      this.applied++;
      this.fixFiles.push({ files: updates.map(([file]) => file), ruleId: f.ruleId });
      return true;
    }
    return false;
  }

  private refusal(file: string): string | undefined {
    if (!this.refusals.has(file)) this.refusals.set(file, this.options.refusal(file));
    return this.refusals.get(file);
  }

  /** The files the session changed, with their text before and after. */
  changes(): FileChange[] {
    const out: FileChange[] = [];
    for (const [file, after] of this.after) {
      const before = this.before.get(file);
      if (before !== undefined && before !== after) out.push({ file, before, after });
    }
    return out;
  }

  /** How many applied fixes edited none of `failed` (files whose change could not be written). */
  appliedExcept(failed: ReadonlySet<string>): number {
    return this.fixFiles.filter(({ files }) => !files.some((f) => failed.has(f))).length;
  }

  /** The rules of the applied fixes that edited `file`, once each. */
  rulesEditing(file: string): string[] {
    return [...new Set(this.fixFiles.filter(({ files }) => files.includes(file)).map((x) => x.ruleId))];
  }

  /** Fixes not applied because a file they edit may not be edited, once per file, rule and fix. */
  withheld(): Withheld[] {
    return [...this.held.values()];
  }
}
