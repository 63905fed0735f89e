import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit } from 'vscode-languageserver-types';
import type { Analyzer } from '../analyze';

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
  let applied = 0;
  const tried = new Set<string>();
  for (let round = 0; round < maxRounds; round++) {
    const { findings } = analyzer.analyze(file, text);
    const next = findings.find((f) => {
      if (ruleIds && !ruleIds.has(f.ruleId)) return false;
      const fix = f.fixes.find((x) => x.isPreferred);
      return fix && fix.edits.every((e) => e.file === file) && !tried.has(`${f.ruleId}:${JSON.stringify(f.range)}:${text.length}`);
    });
    if (!next) break;
    tried.add(`${next.ruleId}:${JSON.stringify(next.range)}:${text.length}`);
    const fix = next.fixes.find((x) => x.isPreferred)!;
    const updated = applyEdits(text, fix.edits.flatMap((e) => e.edits));
    if (updated === text) continue;
    text = updated;
    applied++;
  }
  return { text, applied };
}
