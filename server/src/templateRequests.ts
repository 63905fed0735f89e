/** The custom requests of `shared/protocol.ts`, answered from the workspace index. */
import type { Connection, Diagnostic, TextEdit } from 'vscode-languageserver/node';
import type { FixAllParams, TemplateInfo, TemplateInfoParams, TemplateSummary } from './shared/protocol';
import { minimalEdit, fixedText } from './codeActions';
import { toDiagnostic } from './diagnostics';
import { keyOfUri } from './documentKeys';
import { analysisSettings } from './settings';
import type { Entry, WorkspaceIndex } from './workspaceIndex';

function summary(index: WorkspaceIndex, entry: Entry): TemplateSummary | undefined {
  const t = entry.result.template;
  if (!t) return undefined;
  const workingDirectory = entry.result.workingDirectory;
  return {
    uri: index.uriOf(entry.key), format: t.format, builds: entry.result.builds ?? [...new Set(t.builders.map((b) => b.name))], requiresInit: t.requiresInit,
    workingDirectory: workingDirectory?.dir ?? '', workingDirectoryReason: workingDirectory?.reason ?? '',
  };
}

export async function listTemplates(index: WorkspaceIndex): Promise<TemplateSummary[]> {
  await index.scanned();
  const out: TemplateSummary[] = [];
  for (const key of index.knownKeys()) {
    const entry = await index.entry(key);
    const s = entry && summary(index, entry);
    if (s) out.push(s);
  }
  return out;
}

/**
 * A template's summary and its findings as diagnostics. Findings in another
 * file (an ansible.cfg) are included too, since they fail the build just the
 * same: their range is in that file, named by `relatedInformation`.
 */
export async function templateInfo(index: WorkspaceIndex, params: TemplateInfoParams): Promise<TemplateInfo | null> {
  const key = typeof params?.uri === 'string' ? keyOfUri(params.uri) : undefined;
  if (!key) return null;
  const followed = index.knownKeys().includes(key);
  const entry = await index.entry(key, followed);
  const s = entry && summary(index, entry);
  if (!entry || !s) return null;
  const version = index.openDocument(key)?.version ?? null;
  const diagnostics: Diagnostic[] = [];
  if (entry.settings.enable) {
    for (const f of entry.result.findings) {
      const target = index.keyOfName(f.file);
      const d = toDiagnostic(f, target === key ? version : (index.openDocument(target)?.version ?? null));
      if (target !== key) d.relatedInformation = [{ location: { uri: index.uriOf(target), range: f.range }, message: 'set here' }];
      diagnostics.push(d);
    }
  }
  return { ...s, diagnostics };
}

/**
 * Applies the preferred fixes of one template or of every known one through
 * `workspace/applyEdit`: per template one minimal edit, plus the preferred
 * fixes that edit other files (ansible.cfg), each edit once; an edit that
 * overlaps a different one in the same file is left for a second run.
 */
export async function fixAllTemplates(index: WorkspaceIndex, connection: Connection, params: FixAllParams | undefined): Promise<{ applied: number }> {
  const only = typeof params?.uri === 'string' ? keyOfUri(params.uri) : undefined;
  if (params?.uri !== undefined && !only) return { applied: 0 };
  if (!only) await index.scanned();
  const keys = only ? [only] : index.knownKeys();
  const changes = new Map<string, TextEdit[]>();
  let applied = 0;
  const later: { entry: Entry; text: string }[] = [];
  for (const key of keys) {
    const entry = await index.entry(key, index.knownKeys().includes(key));
    if (!entry?.result.template || !entry.settings.enable) continue;
    const fixed = await fixedText(index, key);
    if (fixed) {
      const edit = minimalEdit(entry.result.template.text, fixed.text);
      if (edit) changes.set(key, [edit]);
      applied += fixed.applied;
    }
    later.push({ entry, text: fixed?.text ?? entry.result.template.text });
  }
  // Fixes in other files, from the analysis of each template as fixed.
  const templates = new Set(later.map((l) => l.entry.key));
  for (const { entry, text } of later) {
    index.analyzer.configure(analysisSettings(entry.settings));
    for (const f of index.analyzer.analyze(entry.name, text).findings) {
      const fix = f.fixes.find((x) => x.isPreferred);
      if (!fix) continue;
      const edits = fix.edits.map((e) => ({ key: index.keyOfName(e.file), edits: e.edits }));
      // Template files get one whole-document edit each, computed above; nothing may overlap it.
      if (edits.some((e) => templates.has(e.key))) continue;
      if (!edits.every((e) => e.edits.every((x) => fits(changes.get(e.key) ?? [], x)))) continue;
      let added = false;
      for (const e of edits) {
        const list = changes.get(e.key) ?? [];
        for (const x of e.edits) {
          if (list.some((y) => sameEdit(x, y))) continue;
          list.push(x);
          added = true;
        }
        changes.set(e.key, list);
      }
      if (added) applied++;
    }
  }
  if (changes.size === 0 || applied === 0) return { applied: 0 };
  const edit = { changes: Object.fromEntries([...changes].map(([k, v]) => [index.uriOf(k), v])) };
  const result = await connection.workspace.applyEdit({ label: 'Fix all packer-bake control-socket problems', edit });
  return { applied: result.applied ? applied : 0 };
}

function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return a.newText === b.newText && JSON.stringify(a.range) === JSON.stringify(b.range);
}

/** An edit can join a list when it equals one there or overlaps none. */
function fits(list: TextEdit[], x: TextEdit): boolean {
  return list.every((y) => sameEdit(x, y) || before(x.range.end, y.range.start) || before(y.range.end, x.range.start));
}

function before(a: { line: number; character: number }, b: { line: number; character: number }): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}
