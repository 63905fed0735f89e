/**
 * The parts of an HCL2 template the findings can depend on: the lint's
 * pruned text of its bytes (prunedText.ts), and for a text, the ranges of a
 * parse that skips the rest (tree-sitter's included ranges: offsets and
 * positions stay those of the whole text).
 *
 * Most of a large HCL2 template is `build` blocks of shell provisioners.
 * The rules read the `ansible` provisioners, the variables, locals, sources
 * and `packer` block, and the file paths any provisioner names (they place
 * Packer's working directory). A top-level `build` block whose text holds
 * neither the word `ansible` nor an attribute that names a file contributes
 * nothing to a finding: such blocks are left out of the parse, and so are the
 * provisioners and post-processors of that kind inside the builds that stay.
 * Of a top-level `source` only the communicator settings are read, of a
 * `variable` only its default: their other attributes and nested blocks are
 * left out too. What is lost is only what the lint does not report: the
 * syntax errors inside what is left out (`packer validate` reports those)
 * and the build names (Bake AMI's picks, which do not prune).
 *
 * A lexical scan of the UTF-8 bytes (byteScan.ts) finds the top-level
 * blocks: comments, quoted strings with their `${ }` / `%{ }` templates,
 * and heredocs are skipped, braces counted
 * (and, inside a source or variable, brackets and parentheses, to find where
 * a value ends). Where it meets something it does not follow (an
 * unterminated string or heredoc, unbalanced braces) it gives up and the
 * whole text is parsed, or leaves that attribute in; the
 * caller also parses the whole text again when the pruned parse has a
 * syntax error, so a wrong cut cannot change what is reported.
 */
import { BUILDER_ATTRS } from './types';
import { C, latin1, mayMatter, wordIs, indexOfBytes, isBlankBytes, isSpace, isWordChar, utf16Units } from './byteScan';

/** A tree-sitter range: UTF-16 offsets, rows and UTF-16 columns. */
export interface IncludedRange {
  startIndex: number;
  endIndex: number;
  startPosition: { row: number; column: number };
  endPosition: { row: number; column: number };
}

/** Blocks below this many characters are not worth a cut (a range costs the parser something too). */
const MIN_CUT = 256;
const MIN_NESTED_CUT = 128;

/**
 * In these top-level blocks only the named attributes are read (a source's
 * communicator settings, a variable's default): the other attributes and the
 * nested blocks (`launch_block_device_mappings`, `validation`, ...) are left
 * out. A source is most of what stays of a large template otherwise.
 */
const READ_ONLY: [string, ReadonlySet<string>][] = [
  ['source', BUILDER_ATTRS],
  ['variable', new Set(['default'])],
];

/** A span of the bytes left out: [start, end). */
export interface ByteCut {
  start: number;
  end: number;
}

/**
 * The ranges to parse, or undefined when the whole text must be parsed
 * (nothing to leave out, or the scan was unsure).
 */
export function prunedRanges(text: string): IncludedRange[] | undefined {
  if (text.length < MIN_CUT * 2 || !text.includes('build')) return undefined;
  const bytes = Buffer.from(text, 'utf8');
  const byteCuts = hclCuts(bytes);
  if (!byteCuts || byteCuts.length === 0) return undefined;
  const cuts = unitCuts(bytes, text, byteCuts);
  const ranges: IncludedRange[] = [];
  let from = { index: 0, row: 0, column: 0 };
  for (const c of cuts) {
    const start = position(text, from, c.start);
    const end = position(text, { index: c.start, ...start }, c.end);
    // Cuts with only blanks between them are one (fewer ranges for the parser); cuts start at a line's first word.
    if (c.start > from.index && !isBlank(text, from.index, c.start)) {
      ranges.push({ startIndex: from.index, endIndex: c.start, startPosition: { row: from.row, column: from.column }, endPosition: start });
    }
    from = { index: c.end, ...end };
  }
  if (from.index < text.length) {
    const end = position(text, from, text.length);
    ranges.push({ startIndex: from.index, endIndex: text.length, startPosition: { row: from.row, column: from.column }, endPosition: end });
  }
  // Tree-sitter reads no range as "the whole text": keep at least an empty one.
  if (ranges.length === 0) ranges.push({ startIndex: 0, endIndex: 0, startPosition: { row: 0, column: 0 }, endPosition: { row: 0, column: 0 } });
  return ranges;
}

/** The row and UTF-16 column of `to`, walking the text's line feeds from a known position. */
function position(text: string, from: { index: number; row: number; column: number }, to: number): { row: number; column: number } {
  let row = from.row;
  let lineStart = from.index - from.column;
  for (let i = text.indexOf('\n', from.index); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: to - lineStart };
}

/** Cuts of `text`'s UTF-8 bytes (in order) as UTF-16 offsets of the text. */
export function unitCuts(bytes: Uint8Array, text: string, cuts: ByteCut[]): ByteCut[] {
  if (bytes.length === text.length) return cuts;
  const out: ByteCut[] = [];
  let byte = 0;
  let unit = 0;
  const unitAt = (to: number) => {
    unit += utf16Units(bytes, byte, to);
    byte = to;
    return unit;
  };
  for (const c of cuts) {
    const start = unitAt(c.start);
    out.push({ start, end: unitAt(c.end) });
  }
  return out;
}

/** Bytes of the HCL2 keyword the scan looks for first. */
const BUILD = Uint8Array.from('build', (c) => c.charCodeAt(0));
const STAR_SLASH = Uint8Array.from('*/', (c) => c.charCodeAt(0));
/** The bytes that end a run of a block's body the scan need not look at (bodyRun). */
const BODY_STOP = new Uint8Array(256);
for (const ch of [C.NL, C.HASH, C.SLASH, C.QUOTE, C.LT, C.LBRACE, C.RBRACE]) BODY_STOP[ch] = 1;

/** The bytes that end a run of a quoted string the scan need not look at: a quote, an escape, a line feed, a template start. */
const STRING_STOP = new Uint8Array(256);
for (const ch of [C.QUOTE, C.BACKSLASH, C.NL, C.DOLLAR, C.PERCENT]) STRING_STOP[ch] = 1;

/** The index of the first byte from `from` that STRING_STOP stops at, or b.length (a function of its own: a loop in a closure would read the bytes through its context). */
function stringRun(b: Uint8Array, from: number): number {
  const n = b.length;
  let j = from;
  while (j < n && STRING_STOP[b[j]] === 0) j++;
  return j;
}

/** The same for BODY_STOP. */
function bodyRun(b: Uint8Array, from: number): number {
  const n = b.length;
  let j = from;
  while (j < n && BODY_STOP[b[j]] === 0) j++;
  return j;
}

/** True when b[from, to) is one of `words`. */
function oneOf(b: Uint8Array, from: number, to: number, words: readonly string[]): boolean {
  for (const w of words) if (wordIs(b, from, to, w)) return true;
  return false;
}

/** Blocks inside a `build` that hold no setting of the build itself. */
const NESTED = ['provisioner', 'post-processor', 'post-processors', 'error-cleanup-provisioner'];

interface Open {
  at: number;
  /** The brace depth outside the block. */
  depth: number;
  nested: boolean;
}

/**
 * The blocks of an HCL2 text's UTF-8 bytes that can be left out, in order:
 * top-level `build { ... }` blocks, and in the builds that stay, their
 * provisioner and post-processor blocks; in top-level sources and variables,
 * the attributes and nested blocks not read. Undefined when the scan is
 * unsure of the text's structure.
 */
export function hclCuts(b: Uint8Array): ByteCut[] | undefined {
  const n = b.length;
  if (n < MIN_CUT * 2 || indexOfBytes(b, BUILD, 0) < 0) return undefined;
  const cuts: ByteCut[] = [];
  /** The blocks inside the open build that are large enough to leave out. */
  const inner: ByteCut[] = [];
  let depth = 0;
  let atStatementStart = true;
  const open: Open[] = [];
  /** What is read of the top-level block the scan is in (READ_ONLY), and of the one whose head is being read. */
  let topKeep: ReadonlySet<string> | undefined;
  let pendingKeep: ReadonlySet<string> | undefined;
  let i = 0;
  // Skips a quoted string starting after its opening quote; returns the index after the closing quote.
  const skipString = (from: number): number => {
    let j = from;
    while (j < n) {
      j = stringRun(b, j);
      const ch = b[j];
      if (ch === C.QUOTE) return j + 1;
      if (ch === C.NL) return -1; // quoted strings do not span lines in HCL
      if (ch === C.BACKSLASH) {
        j += 2;
        continue;
      }
      if (ch === C.DOLLAR || ch === C.PERCENT) {
        const next = b[j + 1];
        if (next === ch) {
          j += 2; // `$${` and `%%{` are escapes
          continue;
        }
        if (next === C.LBRACE) {
          const end = skipTemplate(j + 2);
          if (end < 0) return -1;
          j = end;
          continue;
        }
      }
      j++;
    }
    return -1;
  };
  // Skips a template's code after `${`; returns the index after its closing brace.
  const skipTemplate = (from: number): number => {
    let d = 0;
    let j = from;
    while (j < n) {
      const ch = b[j];
      if (ch === C.QUOTE) {
        j = skipString(j + 1);
        if (j < 0) return -1;
        continue;
      }
      if (ch === C.LBRACE) d++;
      else if (ch === C.RBRACE) {
        if (d === 0) return j + 1;
        d--;
      } else if (ch === C.NL) return -1;
      j++;
    }
    return -1;
  };
  // Skips an attribute's value or a nested block from `from`: the index after its last character (before the
  // line's end or a comment), or -1 when unsure (unbalanced brackets, an unterminated string, the body's end).
  const skipValue = (from: number): number => {
    let nest = 0;
    let last = -1;
    let j = from;
    while (j < n) {
      const ch = b[j];
      const next = j + 1 < n ? b[j + 1] : -1;
      const comment = ch === C.HASH || (ch === C.SLASH && (next === C.SLASH || next === C.STAR));
      if (ch === C.NL || comment) {
        if (nest === 0) return last;
        if (ch === C.NL) j++;
        else if (next === C.STAR) {
          const end = indexOfBytes(b, STAR_SLASH, j + 2);
          if (end < 0) return -1;
          j = end + 2;
        } else {
          j = b.indexOf(C.NL, j);
          if (j < 0) return -1;
        }
        continue;
      }
      if (ch === C.SPACE || ch === C.TAB || ch === C.CR) {
        j++;
        continue;
      }
      if (ch === C.QUOTE) {
        j = skipString(j + 1);
        if (j < 0) return -1;
        last = j;
        continue;
      }
      if (ch === C.LT && next === C.LT) {
        const end = heredocEnd(b, j);
        if (end !== undefined) {
          if (end < 0) return -1;
          last = end;
          while (last > j && isBlankBytes(b, last - 1, last)) last--;
          j = end;
          continue;
        }
      }
      if (ch === C.LPAREN || ch === C.LBRACKET || ch === C.LBRACE) nest++;
      else if (ch === C.RPAREN || ch === C.RBRACKET || ch === C.RBRACE) {
        if (nest === 0) return -1;
        nest--;
      }
      j++;
      last = j;
    }
    return -1;
  };
  const wordEnd = (k: number): number => {
    while (k < n && isWordChar(b[k])) k++;
    return k;
  };
  // At a statement start in a block of which only `keep` is read: the end of the attribute or nested block there
  // when it is not read, else -1.
  const unreadItem = (keep: ReadonlySet<string>, at: number): number => {
    let k = wordEnd(at);
    const word = latin1(b, at, k);
    while (k < n && (b[k] === C.SPACE || b[k] === C.TAB)) k++;
    if (b[k] === C.EQUALS) return b[k + 1] === C.EQUALS || keep.has(word) ? -1 : skipValue(k + 1);
    // A nested block: labels, then its `{`.
    const brace = blockBrace(k, true);
    return brace < 0 ? -1 : skipValue(brace);
  };
  // From `k` after a block's first word: the index of the `{` that opens the block after its labels (if it may
  // have labels), else -1.
  const blockBrace = (k: number, labels: boolean): number => {
    for (;;) {
      while (k < n && (b[k] === C.SPACE || b[k] === C.TAB)) k++;
      const ch = b[k];
      if (ch === C.LBRACE) return k;
      if (!labels) return -1;
      if (ch === C.QUOTE) {
        k = skipString(k + 1);
        if (k < 0) return -1;
      } else if (isWordChar(ch)) k = wordEnd(k);
      else return -1;
    }
  };
  // At a statement start, the block head `word labels... {` that opens a block worth cutting: the index of its `{`.
  const head = (at: number, depth: number): number => {
    const k = wordEnd(at);
    const build = depth === 0 && wordIs(b, at, k, 'build');
    const inBuild = open.length === 1 && depth === 1;
    if (!build && !(inBuild && oneOf(b, at, k, NESTED))) return -1;
    return blockBrace(k, !build); // build blocks have no labels
  };
  while (i < n) {
    const ch = b[i];
    if (ch === C.NL) {
      atStatementStart = true;
      i++;
      continue;
    }
    if (ch === C.SPACE || ch === C.TAB || ch === C.CR) {
      i++;
      continue;
    }
    if (depth >= 2 && BODY_STOP[ch] === 0) {
      // Deep inside a block only comments, strings, heredocs and braces matter to the scan: skip the rest at once.
      i++;
      i = bodyRun(b, i);
      atStatementStart = false;
      continue;
    }
    const next = i + 1 < n ? b[i + 1] : -1;
    if (ch === C.HASH || (ch === C.SLASH && next === C.SLASH)) {
      const nl = b.indexOf(C.NL, i);
      i = nl < 0 ? n : nl;
      continue;
    }
    if (ch === C.SLASH && next === C.STAR) {
      const end = indexOfBytes(b, STAR_SLASH, i + 2);
      if (end < 0) return undefined;
      i = end + 2;
      continue;
    }
    if (ch === C.QUOTE) {
      const end = skipString(i + 1);
      if (end < 0) return undefined;
      i = end;
      atStatementStart = false;
      continue;
    }
    if (ch === C.LT && next === C.LT) {
      const end = heredocEnd(b, i);
      if (end !== undefined) {
        if (end < 0) return undefined;
        i = end;
        atStatementStart = false;
        continue;
      }
    }
    if (ch === C.LBRACE) {
      if (depth === 0) {
        topKeep = pendingKeep;
        pendingKeep = undefined;
      }
      depth++;
      i++;
      atStatementStart = false;
      continue;
    }
    if (ch === C.RBRACE) {
      if (depth === 0) return undefined;
      depth--;
      if (depth === 0) topKeep = undefined;
      i++;
      const top = open[open.length - 1];
      if (top && top.depth === depth) {
        open.pop();
        // The blocks inside a build are asked about once the build is known to stay (most builds go whole).
        if (top.nested) {
          if (i - top.at >= MIN_NESTED_CUT) inner.push({ start: top.at, end: i });
        } else {
          if (i - top.at >= MIN_CUT && !mayMatter(b, top.at, i, 'hcl')) cuts.push({ start: top.at, end: i });
          else for (const c of inner) if (!mayMatter(b, c.start, c.end, 'hcl')) cuts.push(c);
          inner.length = 0;
        }
      }
      continue;
    }
    if (atStatementStart && depth === 1 && open.length === 0 && isWordChar(ch)) {
      const end = topKeep ? unreadItem(topKeep, i) : -1;
      if (end >= 0) {
        cuts.push({ start: i, end });
        i = end;
        atStatementStart = false;
        continue;
      }
    }
    if (atStatementStart && depth === 0 && isWordChar(ch)) {
      const k = wordEnd(i);
      pendingKeep = undefined;
      for (const [w, keep] of READ_ONLY) if (wordIs(b, i, k, w)) pendingKeep = keep;
    }
    if (atStatementStart && depth <= 1 && isWordChar(ch)) {
      const brace = head(i, depth);
      atStatementStart = false;
      if (brace >= 0) {
        open.push({ at: i, depth, nested: depth === 1 });
        i = brace;
        continue;
      }
    }
    atStatementStart = false;
    i++;
  }
  if (depth !== 0 || open.length > 0) return undefined;
  return cuts;
}

const isMarkerStart = (ch: number) => (ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122) || ch === 95;
const isMarkerChar = (ch: number) => isMarkerStart(ch) || (ch >= 48 && ch <= 57) || ch === 45;

/**
 * At `<<` opening a heredoc (`<<EOF` or `<<-EOF`): the index of the end of
 * its closing marker line (its line break, or the bytes' end); -1 when it is
 * not closed; undefined when this `<<` opens no heredoc (an opening line of
 * 300 characters or more is taken for none).
 */
function heredocEnd(b: Uint8Array, at: number): number | undefined {
  const n = b.length;
  let k = at + 2;
  if (b[k] === 45) k++;
  const markerStart = k;
  if (k >= n || !isMarkerStart(b[k])) return undefined;
  while (k < n && isMarkerChar(b[k])) k++;
  const markerEnd = k;
  while (k < n && (b[k] === C.SPACE || b[k] === C.TAB)) k++;
  if (b[k] === C.CR) k++;
  if (k >= n || b[k] !== C.NL || k - at >= 300) return undefined;
  const length = markerEnd - markerStart;
  for (k++; ; ) {
    const nl = b.indexOf(C.NL, k);
    let s = k;
    let e = nl < 0 ? n : nl;
    // The line, trimmed as String.prototype.trim() does: ASCII spaces here; one with a byte outside ASCII at an end
    // (perhaps a Unicode space) is decoded and trimmed as text.
    while (s < e && isSpace(b[s])) s++;
    while (e > s && isSpace(b[e - 1])) e--;
    if (e - s === length && sameBytes(b, s, markerStart, length)) return nl < 0 ? n : nl;
    if (e - s > length && (b[s] >= 0x80 || b[e - 1] >= 0x80) && Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('utf8').trim() === latin1(b, markerStart, markerEnd)) return nl < 0 ? n : nl;
    if (nl < 0) return -1;
    k = nl + 1;
  }
}

function sameBytes(b: Uint8Array, x: number, y: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (b[x + i] !== b[y + i]) return false;
  return true;
}

/** True when text[from, to) is only spaces, tabs and line breaks. */
function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const ch = text.charCodeAt(i);
    if (ch !== C.SPACE && ch !== C.NL && ch !== 9 && ch !== 13) return false;
  }
  return true;
}
