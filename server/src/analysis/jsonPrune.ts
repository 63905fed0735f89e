/**
 * The parts of a legacy JSON template the findings can depend on, for a
 * parse that skips the rest (the lint's, as hclPrune.ts for HCL2).
 *
 * Only `ansible` provisioners are analysed; of the others the model keeps
 * the files they name (they place Packer's working directory). An element of
 * the top-level `provisioners` array (in HCL2 JSON, `.pkr.json`: of a
 * `provisioner` array in a top-level `build` block, `{ "shell": { ... } }`)
 * whose text holds neither `ansible`, nor a key that names a file, nor a `\u`
 * escape (which could spell either) contributes nothing to a finding: its
 * contents are left out of the text given to the parser (it stays an object,
 * `{}`, which neither reading takes for a provisioner), and the offsets of
 * the tree are mapped back to the whole text. What is lost is only what the lint
 * does not report: a syntax error inside such a provisioner. The caller
 * parses the whole text when the pruned one has a syntax error, and the scan
 * gives up (undefined) on anything it does not follow: comments, unbalanced
 * brackets, an unterminated string. The scan reads the UTF-8 bytes
 * (byteScan.ts): the lint's pruned text of a template's bytes
 * (prunedText.ts) leaves the same provisioners out before decoding them.
 */
import { C, latin1, mayMatter, indexOfBytes, isBlankBytes } from './byteScan';
import { unitCuts, type ByteCut } from './hclPrune';

export interface PrunedJson {
  /** The text with the left-out contents removed. */
  text: string;
  /** The offset in the whole text of an offset in `text`. */
  original(offset: number): number;
}

/** Provisioners below this many characters are not worth a cut. */
const MIN_CUT = 64;
/** The bytes the scan stops at: quotes, braces, brackets and slashes (a comment). */
const STRUCTURE = new Uint8Array(256);
for (const ch of [C.QUOTE, C.LBRACE, C.RBRACE, C.LBRACKET, C.RBRACKET, C.SLASH]) STRUCTURE[ch] = 1;

/** A legacy JSON template, or an HCL2 JSON one (`.pkr.json`). */
export type JsonShape = 'legacy' | 'hcl-json';

/** The key of the list whose elements may be left out. */
const LIST_KEY: Record<JsonShape, string> = { legacy: 'provisioners', 'hcl-json': 'provisioner' };

export function prunedJson(text: string, shape: JsonShape = 'legacy'): PrunedJson | undefined {
  if (text.length < MIN_CUT * 2 || !text.includes(`"${LIST_KEY[shape]}"`)) return undefined;
  const bytes = Buffer.from(text, 'utf8');
  const byteCuts = jsonCuts(bytes, shape);
  if (!byteCuts || byteCuts.length === 0) return undefined;
  const cuts = unitCuts(bytes, text, byteCuts).map((c) => [c.start, c.end]);
  const parts: string[] = [];
  /** Per cut, where it is in the pruned text and how much was removed up to and with it. */
  const at: number[] = [];
  const removed: number[] = [];
  let from = 0;
  let gone = 0;
  for (const [start, end] of cuts) {
    parts.push(text.slice(from, start));
    gone += end - start;
    at.push(end - gone);
    removed.push(gone);
    from = end;
  }
  parts.push(text.slice(from));
  return {
    text: parts.join(''),
    original(offset: number): number {
      let lo = 0;
      let hi = at.length - 1;
      let k = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (at[mid] <= offset) {
          k = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      return k < 0 ? offset : offset + removed[k];
    },
  };
}

/**
 * What a key at this place of the scan may be: the list's (`list`) or a
 * top-level block type (`top`). In a legacy template the list's key is at the
 * top level; in HCL2 JSON it is in a `build` block's body, `"build": { ... }`
 * or `"build": [{ ... }, ...]`.
 */
function keyPlace(shape: JsonShape, stack: number[], topKey: string | undefined): 'top' | 'list' | undefined {
  if (stack.length === 1) return stack[0] === C.LBRACE ? (shape === 'legacy' ? 'list' : 'top') : undefined;
  if (shape === 'legacy' || topKey !== 'build') return undefined;
  if (stack.length === 2) return stack[1] === C.LBRACE ? 'list' : undefined;
  return stack.length === 3 && stack[1] === C.LBRACKET && stack[2] === C.LBRACE ? 'list' : undefined;
}

/**
 * The contents (inside the braces) of the provisioners of a JSON template's
 * UTF-8 bytes that can be left out, in order; undefined when unsure.
 */
export function jsonCuts(b: Uint8Array, shape: JsonShape): ByteCut[] | undefined {
  const n = b.length;
  if (n < MIN_CUT * 2 || indexOfBytes(b, LIST_NEEDLE[shape], 0) < 0) return undefined;
  const cuts: ByteCut[] = [];
  const stack: number[] = [];
  /** The stack depth inside the provisioners' array, or -1. */
  let inList = -1;
  /** After the list's key (`"provisioners":`), the index of its colon. */
  let colon = -1;
  let element = -1;
  /** The top-level key whose value the scan is in (HCL2 JSON: the block type). */
  let topKey: string | undefined;
  const listKey = LIST_KEY[shape];
  for (let i = 0; ; i++) {
    while (i < n && STRUCTURE[b[i]] === 0) i++;
    if (i >= n) break;
    const ch = b[i];
    const after = colon;
    colon = -1;
    if (ch === C.QUOTE) {
      const end = stringEnd(b, i);
      if (end < 0) return undefined;
      const place = keyPlace(shape, stack, topKey);
      if (place) {
        let k = end;
        while (k < n && isBlankBytes(b, k, k + 1)) k++;
        if (b[k] === C.COLON) {
          // Keys spelt with escapes match nothing here: their lists are not pruned. Only short keys can match.
          const key = end - i - 2 <= KEY_MAX ? latin1(b, i + 1, end - 1) : '';
          if (place === 'top') topKey = key;
          else if (key === listKey) colon = k;
        }
      }
      i = end - 1;
      continue;
    }
    if (ch === C.SLASH) return undefined; // a comment: not a template Packer reads, parse it all
    if (ch === C.LBRACE || ch === C.LBRACKET) {
      if (ch === C.LBRACKET && after >= 0 && isBlankBytes(b, after + 1, i)) inList = stack.length + 1;
      stack.push(ch);
      if (ch === C.LBRACE && stack.length === inList + 1) element = i;
      continue;
    }
    const open = stack.pop();
    if (open !== (ch === C.RBRACE ? C.LBRACE : C.LBRACKET)) return undefined;
    if (ch === C.RBRACE && element >= 0 && stack.length === inList) {
      if (i - element >= MIN_CUT && !mayMatter(b, element, i, 'json')) cuts.push({ start: element + 1, end: i });
      element = -1;
    } else if (ch === C.RBRACKET && stack.length === inList - 1) inList = -1;
  }
  return stack.length === 0 ? cuts : undefined;
}

/** The longest key the scan compares (`provisioners`, `build`). */
const KEY_MAX = 12;
const LIST_NEEDLE: Record<JsonShape, Uint8Array> = {
  legacy: Uint8Array.from('"provisioners"', (c) => c.charCodeAt(0)),
  'hcl-json': Uint8Array.from('"provisioner"', (c) => c.charCodeAt(0)),
};

/** At a quote: the index after the string's closing quote, or -1. */
function stringEnd(b: Uint8Array, quote: number): number {
  for (let j = quote + 1; ; j++) {
    j = b.indexOf(C.QUOTE, j);
    if (j < 0) return -1;
    let k = j - 1;
    while (b[k] === C.BACKSLASH) k--;
    if ((j - 1 - k) % 2 === 0) return j + 1;
  }
}
