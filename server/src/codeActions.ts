/**
 * Code actions from the findings' fixes: a `quickfix` per fix of the
 * diagnostic it resolves (matched by rule id and range, never by message),
 * and `source.fixAll.packer-bake`, which applies every preferred fix in the
 * document as one minimal edit.
 */
import { CodeAction, CodeActionKind, type CodeActionParams, type Diagnostic, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fixAll, type Fix } from './analysis';
import { SOURCE, diagnosticVersion, sameRange } from './diagnostics';
import { keyOfUri } from './documentKeys';
import { analysisSettings } from './settings';
import type { Entry, WorkspaceIndex } from './workspaceIndex';

/** The kind of the fix-all source action (`editor.codeActionsOnSave: { "source.fixAll.packer-bake": "explicit" }`). */
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.packer-bake`;
export const CODE_ACTION_KINDS = [CodeActionKind.QuickFix, FIX_ALL_KIND];

/** True when a requested kind (`only`) covers `kind`: equal, or a parent in the dotted hierarchy. */
function covers(requested: string, kind: string): boolean {
  return kind === requested || kind.startsWith(`${requested}.`);
}

export async function codeActions(index: WorkspaceIndex, params: CodeActionParams): Promise<CodeAction[]> {
  const key = keyOfUri(params.textDocument.uri);
  if (!key) return [];
  const only = params.context?.only;
  const wants = (kind: string) => !only || only.some((k) => covers(k, kind));
  const actions: CodeAction[] = [];
  if (wants(CodeActionKind.QuickFix)) actions.push(...(await quickFixes(index, key, params.context?.diagnostics ?? [])));
  // Source actions only when asked for: VS Code never shows them in the light bulb anyway.
  if (only && wants(FIX_ALL_KIND)) {
    const action = await fixAllAction(index, key);
    if (action) actions.push(action);
  }
  return actions;
}

async function quickFixes(index: WorkspaceIndex, key: string, diagnostics: Diagnostic[]): Promise<CodeAction[]> {
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
        const edit = workspaceEdit(index, fix);
        const id = JSON.stringify([d.code, d.range, fix.title]);
        if (seen.has(id)) continue;
        seen.add(id);
        actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: fix.isPreferred, edit });
      }
    }
  }
  return actions;
}

/** A fix's edits as a WorkspaceEdit keyed by the URIs the client knows. */
export function workspaceEdit(index: WorkspaceIndex, fix: Fix): WorkspaceEdit {
  const changes: Record<string, TextEdit[]> = {};
  for (const { file, edits } of fix.edits) {
    const uri = index.uriOf(index.keyOfName(file));
    (changes[uri] ??= []).push(...edits);
  }
  return { changes };
}

/** The text of a template after all its preferred in-file fixes, or undefined when nothing applies. */
export async function fixedText(index: WorkspaceIndex, key: string): Promise<{ entry: Entry; text: string; applied: number } | undefined> {
  const entry = await index.entry(key);
  const template = entry?.result.template;
  if (!entry || !template || !entry.settings.enable) return undefined;
  index.analyzer.configure(analysisSettings(entry.settings));
  const { text, applied } = fixAll(index.analyzer, entry.name, template.text);
  return applied > 0 && text !== template.text ? { entry, text, applied } : undefined;
}

async function fixAllAction(index: WorkspaceIndex, key: string): Promise<CodeAction | undefined> {
  const version = index.openDocument(key)?.version;
  const fixed = await fixedText(index, key);
  if (!fixed || index.openDocument(key)?.version !== version) return undefined;
  const edit = minimalEdit(fixed.entry.result.template!.text, fixed.text);
  if (!edit) return undefined;
  return { title: 'Fix all packer-bake control-socket problems', kind: FIX_ALL_KIND, edit: { changes: { [index.uriOf(key)]: [edit] } } };
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
