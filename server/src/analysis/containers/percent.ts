/**
 * Ansible formats ANSIBLE_SSH_CONTROL_PATH with Python's `%` operator before
 * ssh sees it, so ssh's tokens must be written `%%h` (docs/facts.md). These
 * helpers find the single `%` signs and double them in a literal's source.
 */
export { unescapedPercents } from '../socketPlan';

/** The value with every single `%` doubled (`%%` and `%(directory)s` stay). */
export function doublePercents(value: string): string {
  return value.replace(/%%|%\([A-Za-z_]+\)s|%/g, (m) => (m === '%' ? '%%' : m));
}

/**
 * A literal's source text with its single `%` signs doubled, when the source
 * writes every `%` of the value as itself (no `\u0025`-style escape), so that
 * doubling in the source doubles in the value. `quote` is the opening quote
 * (empty for a plain YAML scalar); the closing one is the same text reversed.
 */
export function doubledLiteral(raw: string, value: string, quote: string): string | undefined {
  const close = [...quote].reverse().join('');
  const body = raw.slice(quote.length, raw.length - close.length);
  if (/\\(x25|u0025)/i.test(body) || body.split('%').length !== value.split('%').length) return undefined;
  return `${quote}${doublePercents(body)}${close}`;
}
