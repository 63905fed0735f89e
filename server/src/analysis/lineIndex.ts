/**
 * Positions of offsets in a text, as vscode-languageserver-textdocument's
 * `TextDocument.positionAt` gives them (line breaks `\n`, `\r\n` and `\r`;
 * an offset inside or at the end of a line break counts as before it; offsets
 * clamped to the text), with the line starts found by `indexOf` (or one
 * regular expression when the text has a `\r`) instead of a loop over every
 * character, and only as far as the offsets asked for: an analysis asks for a
 * few positions in texts of up to megabytes.
 */
export class LineIndex {
  /** The line starts found so far: all those up to `starts[starts.length - 1]`. */
  private readonly starts = [0];
  /** True once the text's last line start is in `starts`. */
  private whole = false;
  private readonly crlf: boolean;

  constructor(private readonly text: string) {
    this.crlf = text.includes('\r');
  }

  positionAt(offset: number): { line: number; character: number } {
    const text = this.text;
    offset = Math.max(Math.min(offset, text.length), 0);
    // Line starts are found as far as the offsets asked for: findings are in the first lines of a long template
    // more often than not, and most of a large one is never asked about.
    while (!this.whole && this.starts[this.starts.length - 1] <= offset) this.next();
    const starts = this.starts;
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

  /** The offset of a position, as TextDocument.offsetAt gives it (clamped to its line, before the line break, and to the text). */
  offsetAt(position: { line: number; character: number }): number {
    while (!this.whole && this.starts.length <= position.line + 1) this.next();
    if (position.line >= this.starts.length) return this.text.length;
    if (position.line < 0) return 0;
    const start = this.starts[position.line];
    if (position.character <= 0) return start;
    const next = position.line + 1 < this.starts.length ? this.starts[position.line + 1] : this.text.length;
    let offset = Math.min(start + position.character, next);
    while (offset > start && isEol(this.text.charCodeAt(offset - 1))) offset--;
    return offset;
  }

  /** Finds the next line start, or notes that there is none. */
  private next(): void {
    const from = this.starts[this.starts.length - 1];
    if (!this.crlf) {
      const i = this.text.indexOf('\n', from);
      if (i === -1) this.whole = true;
      else this.starts.push(i + 1);
      return;
    }
    BREAK.lastIndex = from;
    const m = BREAK.exec(this.text);
    if (!m) this.whole = true;
    else this.starts.push(m.index + m[0].length);
  }
}

const BREAK = /\r\n?|\n/g;

function isEol(ch: number): boolean {
  return ch === 10 || ch === 13;
}
