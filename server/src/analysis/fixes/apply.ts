import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit } from 'vscode-languageserver-types';
import type { Analyzer } from '../analyze';
import type { Finding } from '../types';

/** Applies LSP text edits to a text. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///x', 'text', 0, text), edits);
}

/**
 * Applies the preferred fix of each finding in `file`, one at a time and
 * re-analysing after each (fixes may touch the same list), until none is left.
 * Only fixes whose edits all fall in `file` are applied. Returns the new text
 * and how many fixes were applied.
 */
export function fixAll(analyzer: Analyzer, file: string, text: string, ruleIds?: Set<string>, maxRounds = 50): { text: string; applied: number } {
  const preferred = (f: Finding) => f.fixes.find((x) => x.isPreferred && x.edits.every((e) => e.file === file));
  const key = (f: Finding) => `${f.ruleId}:${JSON.stringify(f.range)}`;
  /** Findings whose fix changed nothing in the current text (skipped until the text changes). */
  const noop = new Set<string>();
  let applied = 0;
  for (let round = 0; round < maxRounds; round++) {
    const next = analyzer.analyze(file, text).findings.find((f) => (!ruleIds || ruleIds.has(f.ruleId)) && preferred(f) && !noop.has(key(f)));
    if (!next) break;
    const updated = applyEdits(text, preferred(next)!.edits.flatMap((e) => e.edits));
    if (updated === text) {
      noop.add(key(next));
      continue;
    }
    text = updated;
    applied++;
    noop.clear();
  }
  return { text, applied };
}
