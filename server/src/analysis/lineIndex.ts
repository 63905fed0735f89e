/**
 * Positions of offsets in a text, as vscode-languageserver-textdocument's
 * `TextDocument.positionAt` gives them (line breaks `\n`, `\r\n` and `\r`;
 * an offset inside or at the end of a line break counts as before it; offsets
 * clamped to the text), with the line starts found by `indexOf` (or one
 * regular expression when the text has a `\r`) instead of a loop over every
 * character: an analysis asks for a few positions in texts of up to megabytes.
 */
export class LineIndex {
  private starts: number[] | undefined;

  constructor(private readonly text: string) {}

  positionAt(offset: number): { line: number; character: number } {
    const text = this.text;
    offset = Math.max(Math.min(offset, text.length), 0);
    const starts = (this.starts ??= lineStarts(text));
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (starts[mid] > offset) high = mid;
      else low = mid + 1;
    }
    const line = low - 1;
    while (offset > starts[line] && isEol(text.charCodeAt(offset - 1))) offset--;
    return { line, character: offset - starts[line] };
  }
}

const BREAK = /\r\n?|\n/g;

function lineStarts(text: string): number[] {
  const starts = [0];
  if (!text.includes('\r')) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
  BREAK.lastIndex = 0;
  for (let m = BREAK.exec(text); m; m = BREAK.exec(text)) starts.push(m.index + m[0].length);
  return starts;
}

function isEol(ch: number): boolean {
  return ch === 10 || ch === 13;
}
