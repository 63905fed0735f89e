/**
 * Minimal, style-keeping insertions into JSON and HCL bodies and lists: new
 * text copies the neighbours' indentation, separators and line endings, and
 * nothing outside the insertion point changes.
 */
import type { Attribute, BodyAnchor, Value } from '../types';
import { encodeHclString, encodeJsonString } from '../stringOffsets';

export interface OffsetEdit {
  file: string;
  start: number;
  end: number;
  newText: string;
}

export function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** The whitespace before `offset` on its line, when only whitespace precedes it there. */
function lineIndent(text: string, offset: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/** One indentation step as the file uses it (a tab, or N spaces). */
function indentUnit(text: string): string {
  const m = /\n(\t+|[ ]{2,8})\S/.exec(text);
  if (!m) return '  ';
  return m[1][0] === '\t' ? '\t' : m[1].length % 4 === 0 && !/\n {2}\S/.test(text) ? '    ' : '  ';
}

export function quote(syntax: 'json' | 'hcl', s: string): string {
  return `"${syntax === 'json' ? encodeJsonString(s) : encodeHclString(s)}"`;
}

/** Appends string items to a list value. */
export function appendToList(file: string, text: string, list: Extract<Value, { kind: 'list' }>, syntax: 'json' | 'hcl', ...items: string[]): OffsetEdit {
  const q = items.map((i) => quote(syntax, i));
  const last = list.items[list.items.length - 1];
  if (!last) {
    return { file, start: list.span.start + 1, end: list.span.start + 1, newText: q.join(', ') };
  }
  const indent = lineIndent(text, last.span.start);
  // HCL allows a trailing comma: keep it trailing.
  const after = text.slice(last.span.end, list.span.end - 1);
  const trailing = /^\s*,/.exec(after);
  if (indent !== undefined) {
    const eol = eolOf(text);
    if (trailing) {
      const at = last.span.end + trailing[0].length;
      return { file, start: at, end: at, newText: q.map((x) => `${eol}${indent}${x},`).join('') };
    }
    return { file, start: last.span.end, end: last.span.end, newText: q.map((x) => `,${eol}${indent}${x}`).join('') };
  }
  if (trailing) {
    const at = last.span.end + trailing[0].length;
    return { file, start: at, end: at, newText: q.map((x) => ` ${x},`).join('') };
  }
  return { file, start: last.span.end, end: last.span.end, newText: q.map((x) => `, ${x}`).join('') };
}

/** Adds `name = value` / `"name": value` as the body's last attribute. */
export function addAttribute(
  file: string,
  text: string,
  anchor: BodyAnchor,
  attrs: Map<string, Attribute>,
  name: string,
  valueText: string,
): OffsetEdit {
  const syntax = anchor.syntax;
  const entry = syntax === 'json' ? `${quote('json', name)}: ${valueText}` : `${name} = ${valueText}`;
  const eol = eolOf(text);
  let last: Attribute | undefined;
  for (const a of attrs.values()) if (a.span.start >= anchor.open && a.span.end <= anchor.close && (!last || a.span.end > last.span.end)) last = a;
  if (last) {
    const indent = lineIndent(text, last.span.start);
    const sep = syntax === 'json' ? ',' : '';
    if (indent !== undefined || syntax === 'hcl') {
      return { file, start: last.span.end, end: last.span.end, newText: `${sep}${eol}${indent ?? ''}${entry}` };
    }
    return { file, start: last.span.end, end: last.span.end, newText: `${sep} ${entry}` };
  }
  // Empty body: indent one step deeper than the line holding `{`.
  const lineStart = text.lastIndexOf('\n', anchor.open - 1) + 1;
  const outer = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const inner = outer + indentUnit(text);
  const between = text.slice(anchor.open, anchor.close);
  if (between.includes('\n')) {
    return { file, start: anchor.open, end: anchor.open, newText: `${eol}${inner}${entry}` };
  }
  return { file, start: anchor.open, end: anchor.close, newText: `${eol}${inner}${entry}${eol}${outer}` };
}

/** Turns a single-string value into a list holding it and `items`. */
export function stringToList(file: string, text: string, v: Value, syntax: 'json' | 'hcl', ...items: string[]): OffsetEdit {
  return { file, start: v.span.start, end: v.span.end, newText: `[${[text.slice(v.span.start, v.span.end), ...items.map((i) => quote(syntax, i))].join(', ')}]` };
}
