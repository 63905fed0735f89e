/**
 * Moving parts of the model along the document: what an edit before them
 * does to their offsets. The parsers of open documents (parseHcl.ts,
 * parseJson.ts) take the parts an edit did not touch from their last
 * conversion, moved, instead of converting them again.
 */
import type { Span } from './types';

/** Keys whose values are spans of the document. */
const SPAN_KEYS = new Set(['span', 'typeSpan', 'nameSpan', 'keySpan']);

/**
 * A copy of part of the model with every offset into the document moved by
 * `delta` (spans, string offsets, body anchors); objects shared inside it
 * (a build and its provisioners) stay shared in the copy.
 */
export function shifted<T>(x: T, delta: number, memo = new Map<object, unknown>()): T {
  return moved(x, delta, memo, false);
}

/**
 * A copy of part of the model whose strings are copies too. V8 keeps a
 * string cut out of a longer one as a view of it: a part kept across
 * keystrokes would keep the whole text of the version it was converted
 * from, one version per part converted since (hundreds of MB after a few
 * hundred keystrokes in a 1 MB template). For the parts converted on their own.
 */
export function detached<T>(x: T): T {
  return moved(x, 0, new Map(), true);
}

/** A string with its own characters (not a view into a longer string). */
export function ownCopy(s: string): string {
  // Flattening the concatenation copies the characters; the slice is then a view of that copy only.
  return s.length < 13 ? s : (' ' + s).slice(1);
}

function moved<T>(x: T, delta: number, memo: Map<object, unknown>, copyStrings: boolean): T {
  if (typeof x === 'string') return (copyStrings ? ownCopy(x) : x) as T;
  if (typeof x !== 'object' || x === null) return x;
  const known = memo.get(x);
  if (known) return known as T;
  if (Array.isArray(x)) {
    const out: unknown[] = [];
    memo.set(x, out);
    for (const e of x) out.push(moved(e, delta, memo, copyStrings));
    return out as T;
  }
  if (x instanceof Map) {
    const out = new Map<unknown, unknown>();
    memo.set(x, out);
    for (const [k, v] of x) out.set(moved(k, delta, memo, copyStrings), moved(v, delta, memo, copyStrings));
    return out as T;
  }
  const out: Record<string, unknown> = {};
  memo.set(x, out);
  for (const [k, v] of Object.entries(x)) {
    if (SPAN_KEYS.has(k)) out[k] = { start: (v as Span).start + delta, end: (v as Span).end + delta };
    else if (k === 'offsets') out[k] = (v as number[]).map((o) => o + delta);
    else if (k === 'anchor') out[k] = { ...(v as object), open: (v as { open: number }).open + delta, close: (v as { close: number }).close + delta };
    else out[k] = moved(v, delta, memo, copyStrings);
  }
  return out as T;
}
