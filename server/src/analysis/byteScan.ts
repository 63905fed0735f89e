/**
 * What the prune scans (hclPrune.ts, jsonPrune.ts) share: they read a
 * template's UTF-8 bytes, not its text, so that the lint need not decode the
 * parts it leaves out (prunedText.ts), and ask of each block they could leave
 * out whether its bytes name `ansible`, a file, or hold a `\u` escape.
 *
 * Structure characters are all ASCII and a byte of a multi-byte UTF-8
 * sequence is never below 0x80, so a scan of the bytes sees the structure a
 * scan of the text sees. Where the text's reading depends on a character
 * outside ASCII (`\s` and `trim()` also match Unicode spaces), the byte scan
 * takes the side that keeps a block or gives up: it never cuts more.
 */
import { PATH_ATTRS } from './types';

export const enum C {
  TAB = 9,
  NL = 10,
  CR = 13,
  SPACE = 32,
  QUOTE = 34,
  HASH = 35,
  DOLLAR = 36,
  PERCENT = 37,
  LPAREN = 40,
  RPAREN = 41,
  STAR = 42,
  COMMA = 44,
  SLASH = 47,
  COLON = 58,
  LT = 60,
  EQUALS = 61,
  LBRACKET = 91,
  BACKSLASH = 92,
  RBRACKET = 93,
  LBRACE = 123,
  RBRACE = 125,
}

/** `\s` of a regular expression, for an ASCII byte: tab, line feed, vertical tab, form feed, carriage return, space. */
export function isSpace(ch: number): boolean {
  return ch === C.SPACE || (ch >= C.TAB && ch <= C.CR);
}

/** True when b[from, to) is only spaces, tabs and line breaks. */
export function isBlankBytes(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const ch = b[i];
    if (ch !== C.SPACE && ch !== C.NL && ch !== C.TAB && ch !== C.CR) return false;
  }
  return true;
}

export function isWordChar(ch: number): boolean {
  return (ch >= 97 && ch <= 122) || (ch >= 65 && ch <= 90) || (ch >= 48 && ch <= 57) || ch === 95 || ch === 45;
}

/** The bytes b[from, to) read as Latin-1 (ASCII as it is, any other byte one character of its own). */
export function latin1(b: Uint8Array, from: number, to: number): string {
  return Buffer.prototype.latin1Slice.call(b, from, to) as string;
}

/** UTF-16 units of the valid UTF-8 bytes b[from, to): one per sequence, two for a 4-byte one (a surrogate pair). */
export function utf16Units(b: Uint8Array, from: number, to: number): number {
  let units = 0;
  for (let i = from; i < to; i++) {
    const ch = b[i];
    if ((ch & 0xc0) !== 0x80) units += ch >= 0xf0 ? 2 : 1;
  }
  return units;
}

/** True when b[from, to) is the ASCII word `word` (without making a string of the bytes). */
export function wordIs(b: Uint8Array, from: number, to: number, word: string): boolean {
  if (to - from !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (b[from + i] !== word.charCodeAt(i)) return false;
  return true;
}

/** The index of `needle` in b from `from`, or -1. */
export function indexOfBytes(b: Uint8Array, needle: Uint8Array, from: number): number {
  return Buffer.prototype.indexOf.call(b, needle, from);
}

/** An attribute that names a file; a byte outside ASCII counts as a space (it may be part of a Unicode one). */
const NAMES = [...PATH_ATTRS].join('|');
const NAMES_A_FILE = { hcl: new RegExp(`(?:^|[{\\s,\\x80-\\xff])(?:${NAMES})[\\s\\x80-\\xff]*[=:]`), json: new RegExp(`"(?:${NAMES})"[\\s\\x80-\\xff]*:`) };

/**
 * Whether a block's bytes b[start, end) may matter to a finding: they hold
 * `ansible`, a `\u` escape (which could spell it), or an attribute that names
 * a file (in HCL2, a name in PATH_ATTRS after `{`, `,`, a space or the
 * block's start and before `=` or `:`; in JSON, the quoted name before `:`).
 * The bytes are read as Latin-1: ASCII is itself, and any other byte is taken
 * for a possible space, so that no block that may matter is taken for one
 * that does not.
 */
export function mayMatter(b: Uint8Array, start: number, end: number, syntax: 'hcl' | 'json'): boolean {
  const text = latin1(b, start, end);
  return text.includes('ansible') || text.includes('\\u') || NAMES_A_FILE[syntax].test(text);
}
