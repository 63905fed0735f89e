/**
 * The parts of an HCL2 text the findings can depend on, for a parse that
 * skips the rest (tree-sitter's included ranges: offsets and positions stay
 * those of the whole text).
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
 * A lexical scan finds the top-level blocks: comments, quoted strings with
 * their `${ }` / `%{ }` templates, and heredocs are skipped, braces counted
 * (and, inside a source or variable, brackets and parentheses, to find where
 * a value ends). Where it meets something it does not follow (an
 * unterminated string or heredoc, unbalanced braces) it gives up and the
 * whole text is parsed, or leaves that attribute in; the
 * caller also parses the whole text again when the pruned parse has a
 * syntax error, so a wrong cut cannot change what is reported.
 */
import { BUILDER_ATTRS, PATH_ATTRS } from './types';

/** A tree-sitter range: UTF-16 offsets, rows and UTF-16 columns. */
export interface IncludedRange {
  startIndex: number;
  endIndex: number;
  startPosition: { row: number; column: number };
  endPosition: { row: number; column: number };
}

interface Cut {
  start: number;
  end: number;
  startRow: number;
  startColumn: number;
  endRow: number;
  endColumn: number;
}

const NAMES_A_FILE = new RegExp(`(?:^|[{\\s,])(?:${[...PATH_ATTRS].join('|')})\\s*[=:]`);

/** A run of string characters that need no look: not a quote, escape, line break or template start. */
const STRING_RUN = /[^"\\\n$%]+/y;
/** A run of body characters that open or close nothing the scan follows (no line break, comment, string, heredoc or brace). */
const BODY_RUN = /[^\n#/"<{}]+/y;

/** Blocks below this many characters are not worth a cut (a range costs the parser something too). */
const MIN_CUT = 256;
const MIN_NESTED_CUT = 128;

/**
 * In these top-level blocks only the named attributes are read (a source's
 * communicator settings, a variable's default): the other attributes and the
 * nested blocks (`launch_block_device_mappings`, `validation`, ...) are left
 * out. A source is most of what stays of a large template otherwise.
 */
const READ_ONLY: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['source', BUILDER_ATTRS],
  ['variable', new Set(['default'])],
]);

/**
 * The ranges to parse, or undefined when the whole text must be parsed
 * (nothing to leave out, or the scan was unsure).
 */
export function prunedRanges(text: string): IncludedRange[] | undefined {
  if (text.length < MIN_CUT * 2 || !text.includes('build')) return undefined;
  const cuts = prunableBuilds(text);
  if (!cuts || cuts.length === 0) return undefined;
  const ranges: IncludedRange[] = [];
  let from = { index: 0, row: 0, column: 0 };
  for (const c of cuts) {
    // Cuts with only blanks between them are one (fewer ranges for the parser); cuts start at a line's first word.
    if (c.start > from.index && isBlank(text, from.index, c.start)) {
      from = { index: c.end, row: c.endRow, column: c.endColumn };
      continue;
    }
    if (c.start > from.index) ranges.push({ startIndex: from.index, endIndex: c.start, startPosition: { row: from.row, column: from.column }, endPosition: { row: c.startRow, column: c.startColumn } });
    from = { index: c.end, row: c.endRow, column: c.endColumn };
  }
  if (from.index < text.length) {
    const end = position(text, from, text.length);
    ranges.push({ startIndex: from.index, endIndex: text.length, startPosition: { row: from.row, column: from.column }, endPosition: end });
  }
  // Tree-sitter reads no range as "the whole text": keep at least an empty one.
  if (ranges.length === 0) ranges.push({ startIndex: 0, endIndex: 0, startPosition: { row: 0, column: 0 }, endPosition: { row: 0, column: 0 } });
  return ranges;
}

function position(text: string, from: { index: number; row: number; column: number }, to: number): { row: number; column: number } {
  let row = from.row;
  let lineStart = from.index - from.column;
  for (let i = text.indexOf('\n', from.index); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: to - lineStart };
}

const enum C {
  NL = 10,
  SPACE = 32,
  HASH = 35,
  QUOTE = 34,
  DOLLAR = 36,
  PERCENT = 37,
  STAR = 42,
  SLASH = 47,
  LT = 60,
  EQUALS = 61,
  LPAREN = 40,
  RPAREN = 41,
  LBRACKET = 91,
  RBRACKET = 93,
  BACKSLASH = 92,
  LBRACE = 123,
  RBRACE = 125,
}

/** Blocks inside a `build` that hold no setting of the build itself. */
const NESTED = new Set(['provisioner', 'post-processor', 'post-processors', 'error-cleanup-provisioner']);

interface Open {
  at: number;
  row: number;
  column: number;
  /** The brace depth outside the block. */
  depth: number;
  nested: boolean;
}

/**
 * The blocks that can be left out, in order: top-level `build { ... }` blocks,
 * and in the builds that stay, their provisioner and post-processor blocks;
 * undefined when the scan is unsure of the text's structure.
 */
function prunableBuilds(text: string): Cut[] | undefined {
  const n = text.length;
  const cuts: Cut[] = [];
  let depth = 0;
  let row = 0;
  let lineStart = 0;
  let atStatementStart = true;
  const open: Open[] = [];
  /** The top-level block the scan is in (its first word), and the one whose head is being read. */
  let topKind: string | undefined;
  let pendingTop: string | undefined;
  let i = 0;
  // Skips a quoted string starting after its opening quote; returns the index after the closing quote.
  const skipString = (from: number): number => {
    let j = from;
    while (j < n) {
      STRING_RUN.lastIndex = j;
      if (STRING_RUN.test(text)) j = STRING_RUN.lastIndex;
      const ch = text.charCodeAt(j);
      if (ch === C.QUOTE) return j + 1;
      if (ch === C.NL) return -1; // quoted strings do not span lines in HCL
      if (ch === C.BACKSLASH) {
        j += 2;
        continue;
      }
      if ((ch === C.DOLLAR || ch === C.PERCENT) && text.charCodeAt(j + 1) === ch) {
        j += 2; // `$${` and `%%{` are escapes
        continue;
      }
      if ((ch === C.DOLLAR || ch === C.PERCENT) && text.charCodeAt(j + 1) === C.LBRACE) {
        const end = skipTemplate(j + 2);
        if (end < 0) return -1;
        j = end;
        continue;
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
      const ch = text.charCodeAt(j);
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
      const ch = text.charCodeAt(j);
      const next = text.charCodeAt(j + 1);
      const comment = ch === C.HASH || (ch === C.SLASH && (next === C.SLASH || next === C.STAR));
      if (ch === C.NL || comment) {
        if (nest === 0) return last;
        if (ch === C.NL) j++;
        else if (next === C.STAR) {
          const end = text.indexOf('*/', j + 2);
          if (end < 0) return -1;
          j = end + 2;
        } else {
          j = text.indexOf('\n', j);
          if (j < 0) return -1;
        }
        continue;
      }
      if (ch === C.SPACE || ch === 9 || ch === 13) {
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
        const end = heredocEnd(text, j);
        if (end !== undefined) {
          if (end < 0) return -1;
          last = end;
          while (last > j && isBlank(text, last - 1, last)) last--;
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
  // At a statement start in a block of which only `keep` is read: the end of the attribute or nested block there
  // when it is not read, else -1.
  const unreadItem = (keep: ReadonlySet<string>): number => {
    let k = i;
    while (k < n && isWordChar(text.charCodeAt(k))) k++;
    const word = text.slice(i, k);
    while (k < n && (text.charCodeAt(k) === C.SPACE || text.charCodeAt(k) === 9)) k++;
    if (text.charCodeAt(k) === C.EQUALS) return text.charCodeAt(k + 1) === C.EQUALS || keep.has(word) ? -1 : skipValue(k + 1);
    // A nested block: labels, then its `{`.
    const brace = blockBrace(k, true);
    return brace < 0 ? -1 : skipValue(brace);
  };
  // From `k` after a block's first word: the index of the `{` that opens the block after its labels (if it may
  // have labels), else -1.
  const blockBrace = (k: number, labels: boolean): number => {
    for (;;) {
      while (k < n && (text.charCodeAt(k) === C.SPACE || text.charCodeAt(k) === 9)) k++;
      const ch = text.charCodeAt(k);
      if (ch === C.LBRACE) return k;
      if (!labels) return -1;
      if (ch === C.QUOTE) {
        k = skipString(k + 1);
        if (k < 0) return -1;
      } else if (isWordChar(ch)) {
        while (k < n && isWordChar(text.charCodeAt(k))) k++;
      } else return -1;
    }
  };
  // At a statement start, the block head `word labels... {` that opens a block worth cutting: the index of its `{`.
  const head = (): number => {
    let k = i;
    while (k < n && isWordChar(text.charCodeAt(k))) k++;
    const word = text.slice(i, k);
    const inBuild = open.length === 1 && depth === 1;
    if (!(depth === 0 && word === 'build') && !(inBuild && NESTED.has(word))) return -1;
    return blockBrace(k, word !== 'build'); // build blocks have no labels
  };
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === C.NL) {
      row++;
      lineStart = i + 1;
      atStatementStart = true;
      i++;
      continue;
    }
    if (ch === C.SPACE || ch === 9 || ch === 13) {
      i++;
      continue;
    }
    if (depth >= 2) {
      // Deep inside a block only comments, strings, heredocs and braces matter to the scan: skip the rest at once.
      BODY_RUN.lastIndex = i;
      if (BODY_RUN.test(text)) {
        i = BODY_RUN.lastIndex;
        atStatementStart = false;
        continue;
      }
    }
    if (ch === C.HASH || (ch === C.SLASH && text.charCodeAt(i + 1) === C.SLASH)) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      continue;
    }
    if (ch === C.SLASH && text.charCodeAt(i + 1) === C.STAR) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return undefined;
      for (let k = text.indexOf('\n', i); k !== -1 && k < end; k = text.indexOf('\n', k + 1)) {
        row++;
        lineStart = k + 1;
      }
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
    if (ch === C.LT && text.charCodeAt(i + 1) === C.LT) {
      const end = heredocEnd(text, i);
      if (end !== undefined) {
        if (end < 0) return undefined;
        for (let k = text.indexOf('\n', i); k !== -1 && k < end; k = text.indexOf('\n', k + 1)) {
          row++;
          lineStart = k + 1;
        }
        i = end;
        atStatementStart = false;
        continue;
      }
    }
    if (ch === C.LBRACE) {
      if (depth === 0) {
        topKind = pendingTop;
        pendingTop = undefined;
      }
      depth++;
      i++;
      atStatementStart = false;
      continue;
    }
    if (ch === C.RBRACE) {
      if (depth === 0) return undefined;
      depth--;
      if (depth === 0) topKind = undefined;
      i++;
      const top = open[open.length - 1];
      if (top && top.depth === depth) {
        open.pop();
        const size = i - top.at;
        if (size >= (top.nested ? MIN_NESTED_CUT : MIN_CUT) && !mayMatter(text.slice(top.at, i))) {
          // A whole build left out takes the place of the cuts inside it.
          if (!top.nested) while (cuts.length > 0 && cuts[cuts.length - 1].start >= top.at) cuts.pop();
          cuts.push({ start: top.at, end: i, startRow: top.row, startColumn: top.column, endRow: row, endColumn: i - lineStart });
        }
      }
      continue;
    }
    if (atStatementStart && depth === 1 && open.length === 0 && isWordChar(ch)) {
      const keep = topKind === undefined ? undefined : READ_ONLY.get(topKind);
      const end = keep ? unreadItem(keep) : -1;
      if (end >= 0) {
        const to = position(text, { index: i, row, column: i - lineStart }, end);
        cuts.push({ start: i, end, startRow: row, startColumn: i - lineStart, endRow: to.row, endColumn: to.column });
        row = to.row;
        lineStart = end - to.column;
        i = end;
        atStatementStart = false;
        continue;
      }
    }
    if (atStatementStart && depth === 0 && isWordChar(ch)) {
      let k = i;
      while (k < n && isWordChar(text.charCodeAt(k))) k++;
      pendingTop = text.slice(i, k);
    }
    if (atStatementStart && depth <= 1 && isWordChar(ch)) {
      const brace = head();
      atStatementStart = false;
      if (brace >= 0) {
        open.push({ at: i, row, column: i - lineStart, depth, nested: depth === 1 });
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

/**
 * At `<<` opening a heredoc (`<<EOF` or `<<-EOF`): the index of the end of
 * its closing marker line (its line break, or the text's end); -1 when it is
 * not closed; undefined when this `<<` opens no heredoc.
 */
function heredocEnd(text: string, at: number): number | undefined {
  const m = /^<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/.exec(text.slice(at, at + 300));
  if (!m) return undefined;
  const marker = m[1];
  for (let k = at + m[0].length; ; ) {
    const nl = text.indexOf('\n', k);
    if (text.slice(k, nl < 0 ? text.length : nl).trim() === marker) return nl < 0 ? text.length : nl;
    if (nl < 0) return -1;
    k = nl + 1;
  }
}

/** A block whose text names `ansible` or a file (an attribute the working directory is inferred from), or has a `\u` escape that could spell either. */
function mayMatter(block: string): boolean {
  return block.includes('ansible') || block.includes('\\u') || NAMES_A_FILE.test(block);
}

/** True when text[from, to) is only spaces, tabs and line breaks (also used by jsonPrune.ts). */
export function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const ch = text.charCodeAt(i);
    if (ch !== C.SPACE && ch !== C.NL && ch !== 9 && ch !== 13) return false;
  }
  return true;
}

function isWordChar(ch: number): boolean {
  return (ch >= 97 && ch <= 122) || (ch >= 65 && ch <= 90) || (ch >= 48 && ch <= 57) || ch === 95 || ch === 45;
}
