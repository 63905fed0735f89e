/**
 * Code actions from the findings' fixes: a `quickfix` per fix of the
 * diagnostic it resolves (matched by rule id and range, never by message),
 * and `source.fixAll.packer-bake`, which applies every preferred fix in the
 * document as one minimal edit.
 *
 * No action carries an edit computed from text that moved on: a diagnostic
 * of another document version gets none (as vscode-eslint does); the fixes
 * come from an analysis checked against the current text of every file they
 * edit (`WorkspaceIndex.verifiedEntry`); each edit names the document
 * version it was computed for (`documentChanges`), so the client refuses it
 * once the document changed. An edit of a file outside the workspace folders
 * is never offered: the action is shown disabled, saying why.
 */
import { CodeAction, CodeActionKind, TextDocumentEdit, type CodeActionParams, type Diagnostic, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fixAll, type Fix } from './analysis';
import { SOURCE, diagnosticVersion, sameRange } from './diagnostics';
import { keyOfUri } from './documentKeys';
import { analysisSettings } from './settings';
import type { Entry, WorkspaceIndex } from './workspaceIndex';

/** The kind of the fix-all source action (`editor.codeActionsOnSave: { "source.fixAll.packer-bake": "explicit" }`). */
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.packer-bake`;
export const CODE_ACTION_KINDS = [CodeActionKind.QuickFix, FIX_ALL_KIND];

/** What the client can take in a workspace edit and a code action. */
export interface EditCapabilities {
  /** `WorkspaceEdit.documentChanges` with versioned documents. */
  documentChanges: boolean;
  /** `CodeAction.disabled`, shown with its reason. */
  disabledActions: boolean;
}

/** True when a requested kind (`only`) covers `kind`: equal, or a parent in the dotted hierarchy. */
function covers(requested: string, kind: string): boolean {
  return kind === requested || kind.startsWith(`${requested}.`);
}

export async function codeActions(index: WorkspaceIndex, params: CodeActionParams, caps: EditCapabilities): Promise<CodeAction[]> {
  const key = keyOfUri(params.textDocument.uri);
  if (!key) return [];
  const only = params.context?.only;
  const wants = (kind: string) => !only || only.some((k) => covers(k, kind));
  const actions: CodeAction[] = [];
  if (wants(CodeActionKind.QuickFix)) actions.push(...(await quickFixes(index, key, params.context?.diagnostics ?? [], caps)));
  // Source actions only when asked for: VS Code never shows them in the light bulb anyway.
  if (only && wants(FIX_ALL_KIND)) {
    const action = await fixAllAction(index, key, caps);
    if (action) actions.push(action);
  }
  return actions;
}

async function quickFixes(index: WorkspaceIndex, key: string, diagnostics: Diagnostic[], caps: EditCapabilities): Promise<CodeAction[]> {
  const ours = diagnostics.filter((d) => d && d.source === SOURCE && typeof d.code === 'string' && d.range);
  if (ours.length === 0) return [];
  // A diagnostic computed for another version of this document has ranges that no longer hold.
  const version = index.openDocument(key)?.version ?? null;
  const current = ours.filter((d) => diagnosticVersion(d) === version);
  if (current.length === 0) return [];
  const findings = await index.findingsIn(key);
  if ((index.openDocument(key)?.version ?? null) !== version) return [];
  const actions: CodeAction[] = [];
  const seen = new Set<string>();
  for (const d of current) {
    for (const { finding } of findings) {
      if (finding.ruleId !== d.code || !sameRange(finding.range, d.range)) continue;
      for (const fix of finding.fixes) {
        const id = JSON.stringify([d.code, d.range, fix.title]);
        if (seen.has(id)) continue;
        seen.add(id);
        const edit = workspaceEdit(index, fix, caps);
        if ('edit' in edit) actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: fix.isPreferred, edit: edit.edit });
        else if (caps.disabledActions) actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d], disabled: { reason: `Not offered: ${edit.refused}.` } });
      }
    }
  }
  return actions;
}

/**
 * A fix's edits as a WorkspaceEdit keyed by the URIs the client knows, each
 * naming the version it was computed for; or why it may not be applied.
 */
export function workspaceEdit(index: WorkspaceIndex, fix: Fix, caps: EditCapabilities): { edit: WorkspaceEdit } | { refused: string } {
  const files = fix.edits.map(({ file, edits }) => ({ key: index.keyOfName(file), edits }));
  for (const { key } of files) {
    const why = index.editRefusal(key);
    if (why) return { refused: `it would edit ${key}, and ${why}` };
  }
  return { edit: versionedEdit(index, files, caps) };
}

/** Edits per key as a WorkspaceEdit: `documentChanges` with the open document's version (null on disk), or `changes`. */
export function versionedEdit(index: WorkspaceIndex, files: { key: string; edits: TextEdit[] }[], caps: EditCapabilities): WorkspaceEdit {
  if (!caps.documentChanges) {
    const changes: Record<string, TextEdit[]> = {};
    for (const { key, edits } of files) (changes[index.uriOf(key)] ??= []).push(...edits);
    return { changes };
  }
  const byKey = new Map<string, TextEdit[]>();
  for (const { key, edits } of files) byKey.set(key, [...(byKey.get(key) ?? []), ...edits]);
  return {
    documentChanges: [...byKey].map(([key, edits]) => TextDocumentEdit.create({ uri: index.uriOf(key), version: index.openDocument(key)?.version ?? null }, edits)),
  };
}

/** The text of a template after all its preferred in-file fixes, or undefined when nothing applies. */
export async function fixedText(index: WorkspaceIndex, key: string): Promise<{ entry: Entry; text: string; applied: number } | undefined> {
  const entry = await index.verifiedEntry(key);
  const template = entry?.result.template;
  if (!entry || !template || !entry.settings.enable) return undefined;
  index.analyzer.configure(analysisSettings(entry.settings));
  const { text, applied } = fixAll(index.analyzer, entry.name, template.text);
  return applied > 0 && text !== template.text ? { entry, text, applied } : undefined;
}

async function fixAllAction(index: WorkspaceIndex, key: string, caps: EditCapabilities): Promise<CodeAction | undefined> {
  const version = index.openDocument(key)?.version;
  const fixed = await fixedText(index, key);
  if (!fixed || index.openDocument(key)?.version !== version || index.editRefusal(key)) return undefined;
  const edit = minimalEdit(fixed.entry.result.template!.text, fixed.text);
  if (!edit) return undefined;
  return { title: 'Fix all packer-bake control-socket problems', kind: FIX_ALL_KIND, edit: versionedEdit(index, [{ key, edits: [edit] }], caps) };
}

/**
 * One edit turning `before` into `after`: the differing middle, after the
 * common prefix and suffix (never splitting a CRLF or a surrogate pair), so
 * the editor keeps cursors, folding and undo stops outside it.
 */
export function minimalEdit(before: string, after: string): TextEdit | undefined {
  if (before === after) return undefined;
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  while (start > 0 && splits(before, start)) start--;
  let end = 0;
  while (end < max - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  while (end > 0 && (splits(before, before.length - end) || splits(after, after.length - end))) end--;
  const doc = TextDocument.create('file:///x', 'text', 0, before);
  return {
    range: { start: doc.positionAt(start), end: doc.positionAt(before.length - end) },
    newText: after.slice(start, after.length - end),
  };
}

/** True when offset `i` falls between the halves of a CRLF or a surrogate pair. */
function splits(text: string, i: number): boolean {
  if (i <= 0 || i >= text.length) return false;
  const prev = text.charCodeAt(i - 1);
  const next = text.charCodeAt(i);
  return (prev === 13 && next === 10) || (prev >= 0xd800 && prev <= 0xdbff && next >= 0xdc00 && next <= 0xdfff);
}
