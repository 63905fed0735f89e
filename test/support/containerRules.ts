import assert from 'node:assert/strict';
import { parseTree, type ParseError } from 'jsonc-parser';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseDocument } from 'yaml';
import { applyEdits, containerFileKind, type AnalysisSettings, type Finding } from '../../server/src/analysis';
import { statements, tokenize } from '../../server/src/analysis/containers/groovy';
import { analyzer } from './analysis';
import { assertOnlyInside, textAt } from './rules';

/** Findings of a container file among in-memory `files`, as [rule id, text at the range]. */
export function containerFindings(files: Record<string, string>, file: string, ruleId?: string, settings: Partial<AnalysisSettings> = {}): [string, string][] {
  return analyzer(files, settings).analyze(file, files[file]).findings
    .filter((f) => !ruleId || f.ruleId === ruleId)
    .map((f) => [f.ruleId, textAt(files[f.file], f)]);
}

/** The whole findings of one rule (for message and severity checks). */
export function fullFindings(files: Record<string, string>, file: string, ruleId: string, settings: Partial<AnalysisSettings> = {}): Finding[] {
  return analyzer(files, settings).analyze(file, files[file]).findings.filter((f) => f.ruleId === ruleId);
}

/** Asserts that a container file still reads as its kind: JSONC without errors, YAML without errors, balanced Groovy. */
export function assertStillParses(file: string, text: string): void {
  const kind = containerFileKind(file);
  if (kind === 'devcontainer') {
    const errors: ParseError[] = [];
    parseTree(text, errors, { allowTrailingComma: true });
    assert.deepEqual(errors, [], 'the fixed devcontainer.json parses');
  } else if (kind === 'github-workflow') {
    assert.deepEqual(parseDocument(text).errors.map((e) => e.message), [], 'the fixed workflow parses');
  } else if (kind === 'jenkinsfile') {
    const tokens = tokenize(text);
    assert.ok(tokens && statements(tokens), 'the fixed Jenkinsfile balances');
  }
}

/**
 * Applies the preferred fix of the first `ruleId` finding and checks the fix
 * invariants: bytes change only inside the edits, the file still parses, the
 * finding is gone, and the rule has nothing left to fix there. Returns the new text.
 */
export function applyContainerFix(files: Record<string, string>, file: string, ruleId: string, settings: Partial<AnalysisSettings> = {}): string {
  const before = analyzer(files, settings).analyze(file, files[file]);
  const f = before.findings.find((x) => x.ruleId === ruleId);
  assert.ok(f, `expected a ${ruleId} finding`);
  const fix = f.fixes.find((x) => x.isPreferred);
  assert.ok(fix, 'expected a preferred fix');
  assert.deepEqual(fix.edits.map((e) => e.file), [file], 'the fix edits the file itself');
  const original = files[file];
  const edits = fix.edits[0].edits;
  const updated = applyEdits(original, edits);
  const doc = TextDocument.create('file:///x', 'x', 0, original);
  assertOnlyInside(original, updated, edits.map((e) => ({ start: doc.offsetAt(e.range.start), end: doc.offsetAt(e.range.end), newText: e.newText })));
  assertStillParses(file, updated);
  const after = analyzer({ ...files, [file]: updated }, settings).analyze(file, updated);
  const count = (r: typeof before) => r.findings.filter((x) => x.ruleId === ruleId).length;
  assert.equal(count(after), count(before) - 1, 'the finding is gone, and no other appeared');
  return updated;
}
