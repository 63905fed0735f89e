/**
 * File bytes to analysis text and back, so that a fix written to disk changes
 * nothing outside its edits whatever the encoding. A UTF-8 byte order mark
 * stays in the text as U+FEFF (Packer rejects it in JSON templates; the
 * analysis says so), and is written back as it was. A byte that is not part
 * of valid UTF-8 (a Latin-1 `é`, a stray `\xff`) becomes one lone surrogate
 * U+DC80..U+DCFF in the text, Python's "surrogateescape", and is written back
 * as the same byte: no U+FFFD ever replaces it.
 */
import { isUtf8 } from 'buffer';

export interface DecodedText {
  /** The text (a BOM kept as U+FEFF, invalid bytes escaped). */
  text: string;
  /** Every byte was valid UTF-8 (VS Code would show the file as it is). */
  utf8: boolean;
}

export function decodeBytes(bytes: Buffer): DecodedText {
  // Buffer's decoder keeps a leading BOM as U+FEFF.
  if (isUtf8(bytes)) return { text: bytes.toString('utf8'), utf8: true };
  return { text: decodeEscaped(bytes), utf8: false };
}

/** The bytes of a text from `decodeBytes`, edited or not. */
export function encodeText(text: string): Buffer {
  return LONE_ESCAPE.test(text) ? encodeEscaped(text) : Buffer.from(text, 'utf8');
}

/** The text as VS Code shows a document: without a leading byte order mark. */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * True for content no template or ansible.cfg can be: a NUL byte in the first
 * 8,000 bytes (git's test), or, there, a quarter of the bytes control
 * characters or not UTF-8 (random bytes score about half; prose in Latin-1,
 * accents and all, under a fifth). Such files are not parsed: tree-sitter
 * spends seconds and hundreds of MB on random bytes.
 */
export function looksBinary(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 8000);
  if (head.includes(0)) return true;
  if (isUtf8(head)) return false;
  let odd = 0;
  for (let i = 0; i < head.length; ) {
    const c = head[i];
    const n = sequenceLength(head, i);
    // Controls other than tab, line feed, vertical tab, form feed, carriage return and escape.
    if (n === 0 || (c < 0x20 && (c < 0x09 || c > 0x0d) && c !== 0x1b) || c === 0x7f) odd++;
    i += n || 1;
  }
  // A sequence cut at the end of the sample is no sign of binary content.
  return odd > 8 + head.length / 4;
}

/** A lone low surrogate in the escape range: not preceded by a high surrogate. */
const LONE_ESCAPE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there starts none. */
function sequenceLength(b: Buffer, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number) => i + k < b.length && (b[i + k] & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const c1 = b[i + 1];
    // Overlong forms (E0 80..9F) and UTF-16 surrogates (ED A0..BF) are not valid UTF-8.
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 >= 0xa0)) return 0;
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const c1 = b[i + 1];
    if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 >= 0x90)) return 0;
    return 4;
  }
  return 0;
}

function decodeEscaped(b: Buffer): string {
  const parts: string[] = [];
  let start = 0;
  let i = 0;
  while (i < b.length) {
    const n = sequenceLength(b, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (start < i) parts.push(b.toString('utf8', start, i));
    parts.push(String.fromCharCode(0xdc00 + b[i]));
    i++;
    start = i;
  }
  if (start < b.length) parts.push(b.toString('utf8', start));
  return parts.join('');
}

function encodeEscaped(text: string): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc80 || c > 0xdcff) continue;
    const prev = i > 0 ? text.charCodeAt(i - 1) : 0;
    if (prev >= 0xd800 && prev <= 0xdbff) continue; // the low half of a real pair
    if (start < i) parts.push(Buffer.from(text.slice(start, i), 'utf8'));
    parts.push(Buffer.from([c - 0xdc00]));
    start = i + 1;
  }
  if (start < text.length) parts.push(Buffer.from(text.slice(start), 'utf8'));
  return Buffer.concat(parts);
}
