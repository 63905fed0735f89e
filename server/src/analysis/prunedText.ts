/**
 * The lint's text of a large template: its UTF-8 bytes with the blocks no
 * finding can depend on (hclPrune.ts, jsonPrune.ts) left out before they are
 * decoded, so that most of a large template never becomes a string (a string
 * over 128 KiB costs V8 some fifty times more per byte to make, and the
 * parse and the analysis then read a text a tenth of the size or less).
 *
 * Every position stays where it was: a block left out keeps its line breaks,
 * and the line it ends on keeps the column after it (spaces in place of what
 * was cut). Lines and characters (LSP positions, UTF-16 columns) of the text
 * are those of the whole text, so the findings and their fixes read as the
 * whole text's; offsets differ, and nothing outside the analysis sees them.
 * What the text lacks, the caller must not need: the references a fix counts
 * (`hidden`), and any finding, fix or syntax error in a part left out (the
 * lint then analyses the whole text).
 */
import { PARSE_ERROR, SKIPPED, formatForName } from './analyze';
import { C, utf16Units } from './byteScan';
import { KeptBytes } from './keptBytes';
import { containerFileKind } from './containers';
import { LineIndex } from './lineIndex';
import type { Range } from 'vscode-languageserver-types';
import type { Finding } from './types';
import { hclCuts } from './hclPrune';
import { jsonCuts, type JsonShape } from './jsonPrune';

export interface PrunedText {
  /** The text, positions kept (see above). */
  text: string;
  /**
   * The spans left out, as offsets of `text`, [start, end) in order, two
   * numbers each (start, end): [start, end) holds their line breaks and
   * padding. One typed array, not an object per span: a template has dozens,
   * and the lint's reader thread sends them to the analysing thread.
   */
  cuts: Int32Array;
  /** The text left out, the parts separated by line feeds (read from the bytes: call it before they change). */
  hidden(): string;
}

/**
 * The text of a template's bytes (valid UTF-8) with what no finding can
 * depend on left out, or undefined when nothing is (the scan was unsure, or
 * found nothing worth a cut).
 */
export function prunedText(bytes: Buffer, kind: 'hcl' | JsonShape): PrunedText | undefined {
  const found = kind === 'hcl' ? hclCuts(bytes) : jsonCuts(bytes, kind);
  if (!found || found.length === 0) return undefined;
  const hasCr = bytes.indexOf(C.CR) >= 0;
  const words = wordsOf(bytes);
  // A cut becomes no more bytes than it had: its line breaks, and no more UTF-16 units of padding than bytes.
  const out = scratch.take(bytes.length) ?? Buffer.allocUnsafe(bytes.length);
  const cuts = new Int32Array(2 * found.length);
  let length = 0;
  let from = 0;
  // Offsets of the text (UTF-16 units); what replaces a cut is ASCII, a unit a byte.
  let units = 0;
  for (let k = 0; k < found.length; k++) {
    const c = found[k];
    // What is kept and the last line of each cut are a small part of a large template: their units are counted.
    units += utf16Units(bytes, from, c.start);
    length += bytes.copy(out, length, from, c.start);
    const before = length;
    let lastBreak = -1;
    if (!hasCr) {
      const breaks = lineFeeds(bytes, c.start, c.end, words);
      if (breaks > 0) {
        out.fill(C.NL, length, length + breaks);
        length += breaks;
        lastBreak = bytes.lastIndexOf(C.NL, c.end - 1);
      }
    } else {
      for (let i = c.start; i < c.end; i++) {
        const ch = bytes[i];
        if (ch !== C.NL && ch !== C.CR) continue;
        // A CR and a later LF are two line breaks, not one CRLF: keep them apart.
        if (ch === C.NL && lastBreak >= 0 && bytes[lastBreak] === C.CR && lastBreak !== i - 1) out[length++] = C.SPACE;
        out[length++] = ch;
        lastBreak = i;
      }
    }
    const pad = utf16Units(bytes, lastBreak >= 0 ? lastBreak + 1 : c.start, c.end);
    out.fill(C.SPACE, length, length + pad);
    length += pad;
    cuts[2 * k] = units;
    cuts[2 * k + 1] = units + length - before;
    units += length - before;
    from = c.end;
  }
  length += bytes.copy(out, length, from, bytes.length);
  return {
    text: out.toString('utf8', 0, length),
    cuts,
    hidden: () => found.map((c) => bytes.toString('utf8', c.start, c.end)).join('\n'),
  };
}

/** The bytes of a buffer from the first 4-byte boundary of its memory on, as 32-bit words; `first`: the index in the buffer of the first word's first byte. */
export interface Words {
  words: Int32Array;
  first: number;
}

function wordsOf(b: Buffer): Words {
  const first = (4 - (b.byteOffset % 4)) % 4;
  const count = (b.length - first) >> 2;
  return { words: count > 0 ? new Int32Array(b.buffer, b.byteOffset + first, count) : new Int32Array(0), first };
}

/**
 * How many line feeds b[from, to) holds: four bytes at a time (most of a
 * large template is left out, and this is the one look at its bytes besides
 * the scan's). A byte of a word is a line feed when its bits XOR 0x0A are
 * zero; `~(((x & 0x7F) + 0x7F) | x | 0x7F)` has its high bit set exactly for
 * the zero bytes of a word (no carry crosses from one byte to the next).
 */
export function lineFeeds(b: Buffer, from: number, to: number, w: Words = wordsOf(b)): number {
  let count = 0;
  let i = from;
  // Up to a word boundary byte by byte; then whole words; then the rest.
  while (i < to && (i < w.first || (i - w.first) % 4 !== 0)) if (b[i++] === C.NL) count++;
  const words = w.words;
  const start = (i - w.first) >> 2;
  const end = start + ((to - i) >> 2);
  for (let k = start; k < end; k++) {
    const x = words[k] ^ 0x0a0a0a0a;
    const zero = ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x | 0x7f7f7f7f);
    count += Math.imul((zero >>> 7) & 0x01010101, 0x01010101) >>> 24;
  }
  i += (end - start) * 4;
  while (i < to) if (b[i++] === C.NL) count++;
  return count;
}

/** Where pruned texts are written, kept between templates up to 1 MiB (the text is a copy of it). */
const scratch = new KeptBytes(1024 * 1024, 64 * 1024);

/** The lint's kind of pruned text for a template's file name, if it has one. */
export function prunableKind(file: string): 'hcl' | JsonShape | undefined {
  if (containerFileKind(file)) return undefined;
  const format = formatForName(file);
  return format === 'hcl' ? 'hcl' : format === 'hcl-json' ? 'hcl-json' : format === 'maybe-json' ? 'legacy' : undefined;
}

/**
 * True when the findings of a pruned text's analysis need the whole text: a
 * syntax error or a skipped file (the whole text's parse decides what is
 * reported), or a finding or fix edit in `file` reaching into a part left out.
 */
export function needsWholeText(findings: readonly Finding[], file: string, pruned: PrunedText): boolean {
  if (findings.some((f) => f.ruleId === PARSE_ERROR || f.ruleId === SKIPPED)) return true;
  const doc = new LineIndex(pruned.text);
  const cuts = pruned.cuts;
  // Offsets of the pruned text: the findings are near the top of a template more often than not.
  const reaches = (r: Range) => {
    const start = doc.offsetAt(r.start);
    const end = doc.offsetAt(r.end);
    let low = 0;
    let high = cuts.length >> 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (cuts[2 * mid + 1] <= start) low = mid + 1;
      else high = mid;
    }
    // The first cut that ends after the range starts: does it start before the range ends?
    return low < cuts.length >> 1 && cuts[2 * low] < end && start < cuts[2 * low + 1];
  };
  return findings.some((f) => (f.file === file && reaches(f.range)) || f.fixes.some((x) => x.edits.some((e) => e.file === file && e.edits.some((t) => reaches(t.range)))));
}
