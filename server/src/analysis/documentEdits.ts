/**
 * The edits of the language server's open documents since their last parse
 * (issue #12 item 3). The server notes each change as the client sends it
 * (offsets and positions from its document, which keeps its line offsets),
 * so the parsers of an open document (hclParser.ts's kept tree, parseJson.ts's
 * patched tree) learn where the text changed without comparing the texts.
 * Edits are only handed out for the exact pair of texts they lead between:
 * anything else (another text of the same file, a change whose positions are
 * not tree-sitter's) gets none, and the caller falls back to comparing.
 */

/** A point as tree-sitter counts it: rows split at `\n`, columns in UTF-16 code units. */
export interface Point {
  row: number;
  column: number;
}

/** One replacement, in the shape of tree-sitter's `Edit`: `[startIndex, oldEndIndex)` of the old text became `[startIndex, newEndIndex)`. */
export interface DocumentEdit {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: Point;
  oldEndPosition: Point;
  newEndPosition: Point;
}

interface Pending {
  before: string;
  after: string;
  /** Undefined when some change could not be described (a full-text change, a lone `\r`). */
  edits: DocumentEdit[] | undefined;
}

/** More edits than this between two parses: compare the texts instead. */
const MAX_PENDING = 1000;
const pending = new Map<string, Pending>();

/** Notes that `file`'s text went from `before` to `after` by `edits` (in order), or by changes that could not be described. */
export function noteEdits(file: string, before: string, after: string, edits: DocumentEdit[] | undefined): void {
  const p = pending.get(file);
  if (p && p.after === before) {
    p.after = after;
    p.edits = p.edits && edits && p.edits.length + edits.length <= MAX_PENDING ? [...p.edits, ...edits] : undefined;
  } else {
    pending.set(file, { before, after, edits });
  }
}

/** The edits that turned `before` into `after`, taken out, or undefined when they are not known. */
export function takeEdits(file: string, before: string, after: string): DocumentEdit[] | undefined {
  const p = pending.get(file);
  if (!p || p.after !== after) return undefined;
  pending.delete(file);
  return p.before === before ? p.edits : undefined;
}

/** `file` was parsed in full as `text`: the edits that led to it are not needed any more. */
export function parsedInFull(file: string, text: string): void {
  if (pending.get(file)?.after === text) pending.delete(file);
}

/** The same without taking them out. */
export function peekEdits(file: string, before: string, after: string): DocumentEdit[] | undefined {
  const p = pending.get(file);
  return p && p.after === after && p.before === before ? p.edits : undefined;
}

const forgetters: ((file: string) => void)[] = [];

/** Runs `forget` for each document closed (`forgetEdits`), so the parsers free at once what they keep for it. */
export function onForget(forget: (file: string) => void): void {
  forgetters.push(forget);
}

/** Forgets `file`'s edits and what the parsers keep for it (the document was closed). */
export function forgetEdits(file: string): void {
  pending.delete(file);
  for (const forget of forgetters) forget(file);
}

/** One edit covering a sequence of edits: the old text outside `[startIndex, oldEndIndex)` is the new text outside `[startIndex, newEndIndex)`. */
export interface Span3 {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
}

/** The covering edit of `edits` applied in order to a text of `oldLength` characters. */
export function coveringEdit(edits: readonly Span3[], oldLength: number): Span3 | undefined {
  let cover: Span3 | undefined;
  let length = oldLength;
  for (const e of edits) {
    const next = length - (e.oldEndIndex - e.startIndex) + (e.newEndIndex - e.startIndex);
    if (!cover) {
      cover = { startIndex: e.startIndex, oldEndIndex: e.oldEndIndex, newEndIndex: e.newEndIndex };
    } else {
      // Unchanged since the start: the shorter of the two unchanged tails.
      const tail = Math.min(length - cover.newEndIndex, length - e.oldEndIndex);
      cover = { startIndex: Math.min(cover.startIndex, e.startIndex), oldEndIndex: oldLength - tail, newEndIndex: next - tail };
    }
    length = next;
  }
  return cover;
}
