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
 * nothing to a finding: such blocks are left out of the parse. What is lost
 * is only what the lint does not report: the syntax errors inside them
 * (`packer validate` reports those) and their build names (Bake AMI's picks,
 * which do not prune).
 *
 * A lexical scan finds the top-level blocks: comments, quoted strings with
 * their `${ }` / `%{ }` templates, and heredocs are skipped, braces counted.
 * Where it meets something it does not follow (an unterminated string or
 * heredoc, unbalanced braces) it gives up and the whole text is parsed; the
 * caller also parses the whole text again when the pruned parse has a
 * syntax error, so a wrong cut cannot change what is reported.
 */
import { PATH_ATTRS } from './types';

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

/** Blocks below this many characters are not worth a cut (a range costs the parser something too). */
const MIN_CUT = 256;
const MIN_NESTED_CUT = 128;

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
  let i = 0;
  // Skips a quoted string starting after its opening quote; returns the index after the closing quote.
  const skipString = (from: number): number => {
    let j = from;
    while (j < n) {
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
  // At a statement start, the block head `word labels... {` that opens a block worth cutting: the index of its `{`.
  const head = (): number => {
    let k = i;
    while (k < n && isWordChar(text.charCodeAt(k))) k++;
    const word = text.slice(i, k);
    const inBuild = open.length === 1 && depth === 1;
    if (!(depth === 0 && word === 'build') && !(inBuild && NESTED.has(word))) return -1;
    for (;;) {
      while (k < n && (text.charCodeAt(k) === C.SPACE || text.charCodeAt(k) === 9)) k++;
      const ch = text.charCodeAt(k);
      if (ch === C.LBRACE) return k;
      if (word === 'build') return -1; // build blocks have no labels
      if (ch === C.QUOTE) {
        k = skipString(k + 1);
        if (k < 0) return -1;
      } else if (isWordChar(ch)) {
        while (k < n && isWordChar(text.charCodeAt(k))) k++;
      } else return -1;
    }
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
      // A heredoc: <<EOF or <<-EOF, to the line that holds only the marker.
      const m = /^<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/.exec(text.slice(i, i + 300));
      if (m) {
        const marker = m[1];
        let k = i + m[0].length;
        row++;
        lineStart = k;
        for (;;) {
          const nl = text.indexOf('\n', k);
          if (text.slice(k, nl < 0 ? n : nl).trim() === marker) {
            i = nl < 0 ? n : nl;
            break;
          }
          if (nl < 0) return undefined;
          k = nl + 1;
          row++;
          lineStart = k;
        }
        atStatementStart = false;
        continue;
      }
    }
    if (ch === C.LBRACE) {
      depth++;
      i++;
      atStatementStart = false;
      continue;
    }
    if (ch === C.RBRACE) {
      if (depth === 0) return undefined;
      depth--;
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

/** A block whose text names `ansible` or a file (an attribute the working directory is inferred from). */
function mayMatter(block: string): boolean {
  return block.includes('ansible') || NAMES_A_FILE.test(block);
}

function isWordChar(ch: number): boolean {
  return (ch >= 97 && ch <= 122) || (ch >= 65 && ch <= 90) || (ch >= 48 && ch <= 57) || ch === 95 || ch === 45;
}
