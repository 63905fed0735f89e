/** The custom requests of `shared/protocol.ts`, answered from the workspace index. */
import type { Connection, Diagnostic, TextEdit } from 'vscode-languageserver/node';
import { Analyzer } from './analysis';
import { hclSettled } from './analysis/hclParser';
import type { FixAllParams, FixAllResult, TemplateInfo, TemplateInfoParams, TemplateSummary, WithheldFix } from './shared/protocol';
import { minimalEdit, versionedEdit, type EditCapabilities } from './codeActions';
import { cachedHost } from './diskHost';
import { FixSession } from './fixSession';
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
  const entry = await index.entry(key, index.follows(key));
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
 * `workspace/applyEdit` (the command "Fix All Control-Socket Problems in
 * Workspace", and the bake's preflight). The fixes are applied one at a time
 * to an overlay of the files, each template analysed again after each fix
 * (FixSession), from the files' current text (open documents, else the disk
 * read afresh); then one minimal edit per changed file, naming the version it
 * was computed from. Fixes that would edit a file outside the workspace
 * folders (or one VS Code would rewrite in another encoding), fixes of a file
 * that changed while they were computed, and fixes the editor refused to
 * apply are withheld and listed in the answer, with the reason.
 */
export async function fixAllTemplates(index: WorkspaceIndex, connection: Connection, params: FixAllParams | undefined, caps: EditCapabilities): Promise<FixAllResult> {
  const only = typeof params?.uri === 'string' ? keyOfUri(params.uri) : undefined;
  if (params?.uri !== undefined && !only) return { applied: 0 };
  if (!only) await index.scanned();
  const entries: Entry[] = [];
  for (const key of only ? [only] : index.knownKeys()) {
    const entry = await index.entry(key, index.follows(key));
    // A template whose last analysis offered no fix is not analysed again: Fix All fixes what the diagnostics show.
    if (entry?.result.template && entry.settings.enable && entry.result.findings.some((f) => f.fixes.some((x) => x.isPreferred))) entries.push(entry);
  }
  if (entries.length === 0) return { applied: 0 };
  const limit = Math.max(...entries.map((e) => e.settings.maxFileSize));
  // Each folder listed and each file read once for the whole run, not once per template (siblings, ansible.cfg lookups).
  const session = new FixSession({ base: cachedHost(index.freshHost(limit)), refusal: (name) => index.editRefusal(index.keyOfName(name)) });
  const analyzer = new Analyzer(session.host);
  for (const entry of entries) {
    const doc = index.openDocument(entry.key);
    if (entry.name !== entry.key && doc) session.seed(entry.name, doc.getText());
    await hclSettled();
    analyzer.configure(analysisSettings(entry.settings));
    session.fix(entry.name, (text) => analyzer.analyze(entry.name, text));
  }
  const withheld: WithheldFix[] = session.withheld().map((w) => ({ uri: index.uriOf(index.keyOfName(w.file)), rule: w.ruleId, reason: w.reason }));
  const files: { key: string; name: string; edits: TextEdit[] }[] = [];
  const stale = new Set<string>();
  const withhold = (name: string, reason: string) => {
    for (const rule of session.rulesEditing(name)) withheld.push({ uri: index.uriOf(index.keyOfName(name)), rule, reason });
  };
  for (const change of session.changes()) {
    const key = index.keyOfName(change.file);
    // The session read the file a moment ago; if it moved on since, leave it for another run.
    const edit = index.currentText(key)?.text === change.before ? minimalEdit(change.before, change.after) : undefined;
    if (edit) files.push({ key, name: change.file, edits: [edit] });
    else {
      stale.add(change.file);
      withhold(change.file, STALE);
    }
  }
  const applied = session.appliedExcept(stale);
  let answer: { applied: boolean; failureReason?: string } | undefined;
  if (files.length > 0 && applied > 0) {
    answer = await connection.workspace.applyEdit({ label: 'Fix all packer-bake control-socket problems', edit: versionedEdit(index, files, caps) });
    // The editor refuses the whole edit when a document moved on from the version named (the user typed meanwhile).
    if (!answer.applied) for (const f of files) withhold(f.name, `the editor did not apply the edit${answer.failureReason ? ` (${answer.failureReason})` : ''}; run Fix All again`);
  }
  for (const w of withheld) connection.console.info(`packer-bake: not fixed: ${w.uri} (${w.rule}): ${w.reason}`);
  const result: FixAllResult = { applied: answer?.applied ? applied : 0 };
  return withheld.length ? { ...result, withheld } : result;
}

/** Why a fix computed from a file that changed before its edit was sent is withheld. */
export const STALE = 'it changed while the fixes were computed; run Fix All again';
