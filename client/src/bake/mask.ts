/**
 * Secret masking for everything the bake writes to the terminal, the output
 * channel or a log. Pure: no `vscode`, no I/O.
 */
import { AWS_SECRET_ENV, displayCommand } from './argv';

export const MASK = '********';

/** Secrets shorter than this are not masked by value: masking `a` would garble every line. */
export const MIN_SECRET_LENGTH = 4;

/** Variable names whose values are treated as secrets. */
export const SECRET_NAME = /pass(word|phrase)?|secret|token|credential|private|api[_-]?key|access[_-]?key|session/i;

/**
 * Shapes that are secrets wherever they appear, whether or not we know the
 * value: AWS access key ids and `*secret*`/`*token*`/`*password*` assignments.
 */
const PATTERNS: Array<[RegExp, (m: string, ...g: string[]) => string]> = [
  [/\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b/g, () => MASK],
  [
    /\b([A-Za-z0-9_.-]*(?:secret|token|password|passwd)[A-Za-z0-9_.-]*)(\s*[=:]\s*|"\s*:\s*")([^\s"',;]{4,})/gi,
    (_m, name: string, sep: string) => `${name}${sep}${MASK}`,
  ],
];

export class SecretMasker {
  private readonly values = new Set<string>();
  private sorted: string[] = [];

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  /**
   * Adds a secret value, in its forms as printed by Packer (commas escaped,
   * newlines escaped) and, for a multi-line value (a private key in a
   * `PKR_VAR_*`), each of its lines: raw output reaches the masker one line
   * at a time, so the whole value never appears in one piece there.
   */
  add(secret: string | undefined): void {
    if (secret === undefined || secret.length < MIN_SECRET_LENGTH) return;
    const packerEscaped = secret.replace(/,/g, '%!(PACKER_COMMA)').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
    const lines = /[\r\n]/.test(secret) ? secret.split(/\r?\n|\r/).map((l) => l.trim()) : [];
    for (const form of [secret, packerEscaped, JSON.stringify(secret).slice(1, -1), ...lines]) {
      if (form.length >= MIN_SECRET_LENGTH) this.values.add(form);
    }
    // Longest first, so a secret containing another is replaced whole.
    this.sorted = [...this.values].sort((a, b) => b.length - a.length);
  }

  /**
   * Masks `text`. Everything the bake lets out of the process (terminal,
   * output channel, notifications, errors, CLI output) goes through here.
   */
  mask(text: string): string {
    let out = text;
    for (const v of this.sorted) if (out.includes(v)) out = out.split(v).join(MASK);
    for (const [re, fn] of PATTERNS) out = out.replace(re, fn as (m: string, ...g: string[]) => string);
    return out;
  }
}

/**
 * The secrets a bake knows about: AWS credentials in the environment,
 * `PKR_VAR_*` values with secret-looking names, and `-var` values with
 * secret-looking names.
 */
export function knownSecrets(env: Readonly<Record<string, string | undefined>>, variables: Readonly<Record<string, string>> = {}): string[] {
  const out: string[] = [];
  for (const n of AWS_SECRET_ENV) if (env[n]) out.push(env[n]!);
  for (const [n, v] of Object.entries(env)) if (v && /^PKR_VAR_/.test(n) && SECRET_NAME.test(n.slice(8))) out.push(v);
  for (const [n, v] of Object.entries(variables)) if (v && SECRET_NAME.test(n)) out.push(v);
  return out;
}

/**
 * An argv as a command line for display, each argument masked before it is
 * quoted: quoting first would turn a `'` inside a secret into `'\''`, and the
 * value would no longer be found.
 */
export function maskedCommand(masker: SecretMasker, argv: readonly string[]): string {
  return displayCommand(argv.map((a) => masker.mask(a)));
}
