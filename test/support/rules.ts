import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { applyEdits, type AnalysisSettings, type Finding } from '../../server/src/analysis';
import { analyzer } from './analysis';

/** Findings of one rule for `file` among in-memory `files`, as [rule id, text at the range]. */
export function findings(files: Record<string, string>, file: string, ruleId?: string, settings: Partial<AnalysisSettings> = {}): [string, string][] {
  const a = analyzer(files, settings);
  const r = a.analyze(file, files[file]);
  return r.findings
    .filter((f) => !ruleId || f.ruleId === ruleId)
    .map((f) => [f.ruleId, textAt(f.file === file ? files[file] : files[f.file], f)]);
}

export function textAt(text: string, f: Pick<Finding, 'range'>): string {
  const doc = TextDocument.create('file:///x', 'x', 0, text);
  return text.slice(doc.offsetAt(f.range.start), doc.offsetAt(f.range.end));
}

/**
 * Applies the preferred fix of the first `ruleId` finding and checks the fix
 * invariants: bytes change only inside the edits, the result parses, the
 * finding is gone, and applying fixes again changes nothing. Returns the new text.
 */
export function applyPreferredFix(files: Record<string, string>, file: string, ruleId: string, settings: Partial<AnalysisSettings> = {}): Record<string, string> {
  const a = analyzer(files, settings);
  const before = a.analyze(file, files[file]);
  const f = before.findings.find((x) => x.ruleId === ruleId);
  assert.ok(f, `expected a ${ruleId} finding`);
  const fix = f.fixes.find((x) => x.isPreferred);
  assert.ok(fix, 'expected a preferred fix');
  const next = { ...files };
  for (const { file: target, edits } of fix.edits) {
    const original = files[target];
    const updated = applyEdits(original, edits);
    assertOnlyInside(original, updated, edits.map((e) => {
      const doc = TextDocument.create('file:///x', 'x', 0, original);
      return { start: doc.offsetAt(e.range.start), end: doc.offsetAt(e.range.end), newText: e.newText };
    }));
    next[target] = updated;
  }
  const after = analyzer(next, settings).analyze(file, next[file]);
  assert.deepEqual(after.findings.filter((x) => x.ruleId === 'parse-error'), [], 'the fixed template parses');
  assert.ok(after.template, 'the fixed file is still a template');
  assert.equal(after.findings.filter((x) => x.ruleId === ruleId && x.file === f.file && x.range.start.line === f.range.start.line).length, 0, 'the finding is gone');
  // Idempotent: nothing left for this rule to fix at that place.
  const again = after.findings.find((x) => x.ruleId === ruleId && x.range.start.line === f.range.start.line);
  assert.equal(again, undefined);
  return next;
}

/** Every byte outside the edited ranges is unchanged (edits sorted, non-overlapping). */
export function assertOnlyInside(before: string, after: string, edits: { start: number; end: number; newText: string }[]): void {
  const sorted = [...edits].sort((x, y) => x.start - y.start);
  let expected = '';
  let last = 0;
  for (const e of sorted) {
    expected += before.slice(last, e.start) + e.newText;
    last = e.end;
  }
  expected += before.slice(last);
  assert.equal(after, expected);
  const first = sorted[0];
  const end = sorted[sorted.length - 1];
  assert.equal(after.slice(0, first.start), before.slice(0, first.start), 'text before the first edit is unchanged');
  assert.equal(after.slice(after.length - (before.length - end.end)), before.slice(end.end), 'text after the last edit is unchanged');
}
