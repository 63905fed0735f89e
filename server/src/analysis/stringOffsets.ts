/**
 * Maps a decoded string literal back to its source characters, so a finding
 * can point at (and a fix can replace) exactly the characters of a value.
 */

/** Offsets for a JSON string literal `raw` (including quotes) starting at `start`. */
export function jsonStringOffsets(raw: string, start: number): number[] {
  const offsets: number[] = [];
  let i = 1;
  const end = raw.length - 1;
  while (i < end) {
    offsets.push(start + i);
    if (raw[i] === '\\') {
      i += raw[i + 1] === 'u' ? 6 : 2;
    } else {
      i += 1;
    }
  }
  offsets.push(start + end);
  return offsets;
}

/** Encodes text for use inside a JSON string literal (without the quotes). */
export function encodeJsonString(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/**
 * Offsets for the raw text of an HCL quoted template with no interpolation
 * (`raw` without quotes, starting at `start`), and its decoded value.
 * HCL escapes: `\n \r \t \" \\ \uNNNN \UNNNNNNNN`, `$${` for `${`, `%%{` for `%{`.
 */
export function decodeHclLiteral(raw: string, start: number, escapes = true): { value: string; offsets: number[] } {
  let value = '';
  const offsets: number[] = [];
  let i = 0;
  while (i < raw.length) {
    const c = raw[i];
    offsets.push(start + i);
    if (escapes && c === '\\' && i + 1 < raw.length) {
      const e = raw[i + 1];
      if (e === 'u' || e === 'U') {
        const len = e === 'u' ? 4 : 8;
        const code = parseInt(raw.slice(i + 2, i + 2 + len), 16);
        const ch = Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : '';
        value += ch;
        if (ch.length === 2) offsets.push(start + i);
        i += 2 + len;
        continue;
      }
      value += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e;
      i += 2;
      continue;
    }
    if ((c === '$' || c === '%') && raw[i + 1] === c && raw[i + 2] === '{') {
      value += c;
      i += 2;
      continue;
    }
    value += c;
    i += 1;
  }
  offsets.push(start + raw.length);
  return { value, offsets };
}

/** Encodes text for use inside an HCL quoted string (without the quotes). */
export function encodeHclString(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/\$\{/g, '$${')
    .replace(/%\{/g, '%%{');
}
