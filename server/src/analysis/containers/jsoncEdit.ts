/**
 * Insertions into JSONC arrays and objects in the file's own style: items on
 * their own lines at the indentation of their neighbours (or inline when the
 * list is on one line), the file's line ending, a trailing comma when the
 * list has one, and comments left where they are (a comment after the last
 * item stays with that item, which jsonc-parser's `modify` does not do: it
 * inserts before the comment and reformats the whole list).
 */
import { createScanner, SyntaxKind, type Node } from 'jsonc-parser';

export interface Edit {
  start: number;
  end: number;
  newText: string;
}

/** The line ending of a text: CRLF when it has one, else LF. */
export function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** The whitespace a line starts with, for the line holding `offset`. */
function indentAt(text: string, offset: number): string {
  const lineStart = Math.max(text.lastIndexOf('\n', offset - 1) + 1, 0);
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** One level of indentation as the file writes it (first indented line), tab by default. */
function indentUnit(text: string): string {
  const m = /\n([ \t]+)\S/.exec(text);
  return m ? m[1] : '\t';
}

/**
 * Appends JSON-encoded items to an array or properties (`"name": value`) to an
 * object. `container` is the array or object node; `entries` are the texts to
 * add, already encoded.
 */
export function appendEntries(text: string, container: Node, entries: string[]): Edit[] {
  const eol = eolOf(text);
  const open = container.offset;
  const close = container.offset + container.length - 1;
  const children = container.children ?? [];
  const multiline = /[\r\n]/.test(text.slice(open, children.length ? children[0].offset : close));
  if (children.length === 0) {
    if (!multiline) return [{ start: open + 1, end: close, newText: entries.join(', ') }];
    // Before the line holding the closing bracket, after any comments inside.
    const lineStart = text.lastIndexOf('\n', close - 1) + 1;
    const indent = indentAt(text, open) + indentUnit(text);
    const closeIndented = /^[ \t]*$/.test(text.slice(lineStart, close));
    const at = closeIndented ? lineStart : close;
    const lines = entries.map((e, i) => `${indent}${e}${i < entries.length - 1 ? ',' : ''}`).join(eol);
    return [{ start: at, end: at, newText: closeIndented ? `${lines}${eol}` : `${eol}${lines}${eol}${indentAt(text, open)}` }];
  }
  const last = children[children.length - 1];
  const lastEnd = last.offset + last.length;
  // What follows the last item on its line: a trailing comma, comments.
  const scanner = createScanner(text, false);
  scanner.setPosition(lastEnd);
  let trailingComma = false;
  let lineEnd = close;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind === SyntaxKind.CommaToken) trailingComma = true;
    else if (kind === SyntaxKind.LineBreakTrivia) {
      lineEnd = scanner.getTokenOffset();
      break;
    } else if (kind !== SyntaxKind.Trivia && kind !== SyntaxKind.LineCommentTrivia && kind !== SyntaxKind.BlockCommentTrivia) {
      lineEnd = scanner.getTokenOffset();
      break;
    }
  }
  if (!multiline) {
    const items = entries.map((e) => ` ${e}`).join(',');
    if (trailingComma) {
      const comma = text.indexOf(',', lastEnd);
      return [{ start: comma + 1, end: comma + 1, newText: `${items},` }];
    }
    return [{ start: lastEnd, end: lastEnd, newText: `,${items}` }];
  }
  const indent = indentAt(text, last.offset);
  const lines = entries.map((e, i) => `${eol}${indent}${e}${trailingComma || i < entries.length - 1 ? ',' : ''}`).join('');
  // The closing bracket on the last item's line moves to a line of its own.
  const added = lineEnd === close ? `${lines}${eol}${indentAt(text, open)}` : lines;
  if (trailingComma) return [{ start: lineEnd, end: lineEnd, newText: added }];
  if (lineEnd === lastEnd) return [{ start: lastEnd, end: lastEnd, newText: `,${added}` }];
  return [{ start: lastEnd, end: lastEnd, newText: ',' }, { start: lineEnd, end: lineEnd, newText: added }];
}

/** The text after `edits` (non-overlapping, any order). */
export function applyOffsetEdits(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}
