/**
 * Packer's `-machine-readable` output: parsing, artifacts, error locations and
 * rendering back to readable text. Pure: no `vscode`, no I/O.
 *
 * A line is `timestamp,target,type,data...`. Packer escapes commas inside
 * fields as `%!(PACKER_COMMA)` and newlines as the two characters `\n`
 * (carriage returns as `\r`); backslashes themselves are not escaped.
 */

export type PackerEvent =
  | { kind: 'ui'; target: string; level: 'say' | 'message' | 'error'; text: string }
  | { kind: 'artifact'; target: string; index: number; key: string; values: string[] }
  | { kind: 'error'; target: string; text: string }
  | { kind: 'other'; target: string; type: string; data: string[] }
  /** Not a machine-readable line: engine messages, `packer init` output, stderr. */
  | { kind: 'raw'; text: string };

export function unescapeField(s: string): string {
  return s.replace(/%!\(PACKER_COMMA\)/g, ',').replace(/\\([nr])/g, (_, c: string) => (c === 'n' ? '\n' : '\r'));
}

const MACHINE_LINE = /^\d+,[^,]*,[a-z][a-z0-9_-]*(,|$)/;

export function parseMachineLine(line: string): PackerEvent {
  if (!MACHINE_LINE.test(line)) return { kind: 'raw', text: line };
  const [, target, type, ...rest] = line.split(',');
  const data = rest.map(unescapeField);
  if (type === 'ui' && (data[0] === 'say' || data[0] === 'message' || data[0] === 'error')) {
    return { kind: 'ui', target, level: data[0], text: data.slice(1).join(',') };
  }
  if (type === 'artifact' && data.length >= 2 && /^\d+$/.test(data[0])) {
    return { kind: 'artifact', target, index: Number(data[0]), key: data[1], values: data.slice(2) };
  }
  if (type === 'error' && data.length >= 1) return { kind: 'error', target, text: data.join(',') };
  return { kind: 'other', target, type, data };
}

/** Splits a byte stream into lines (`\n` or `\r\n`), keeping the unfinished tail. */
export class LineSplitter {
  private tail = '';
  push(chunk: string): string[] {
    const text = this.tail + chunk;
    const lines = text.split(/\r?\n/);
    this.tail = lines.pop() ?? '';
    return lines;
  }
  flush(): string[] {
    const t = this.tail;
    this.tail = '';
    return t === '' ? [] : [t];
  }
}

export interface AmiId {
  region: string;
  ami: string;
}

export interface Artifact {
  /** The build that made it (`null.a`, `amazon-ebs`...). */
  target: string;
  index: number;
  builderId?: string;
  /** Packer's artifact id, e.g. `us-east-1:ami-0abc,eu-west-1:ami-0def` for AMIs. */
  id?: string;
  /** Packer's human description of the artifact. */
  description?: string;
  files: string[];
  /** The AMIs named by `id`, in Packer's order. */
  amis: AmiId[];
}

/** AMI ids in an artifact id: `region:ami-…` entries separated by commas. */
export function parseAmiIds(id: string): AmiId[] {
  const out: AmiId[] = [];
  for (const part of id.split(',')) {
    const m = /^\s*([a-z]{2}(?:-[a-z]+)+-\d+):(ami-[0-9a-f]+)\s*$/.exec(part);
    if (m) out.push({ region: m[1], ami: m[2] });
  }
  return out;
}

/** Collects the `artifact` lines of a build into artifacts, in the order they appear. */
export class ArtifactCollector {
  private readonly byKey = new Map<string, Artifact>();

  add(ev: PackerEvent): void {
    if (ev.kind !== 'artifact') return;
    const key = `${ev.target}\u0000${ev.index}`;
    let a = this.byKey.get(key);
    if (!a) {
      a = { target: ev.target, index: ev.index, files: [], amis: [] };
      this.byKey.set(key, a);
    }
    const value = ev.values.join(',');
    switch (ev.key) {
      case 'builder-id': a.builderId = value; break;
      case 'id': a.id = value; a.amis = parseAmiIds(value); break;
      case 'string': a.description = value; break;
      case 'file': if (ev.values.length >= 2) a.files.push(ev.values.slice(1).join(',')); break;
      default: break;
    }
  }

  artifacts(): Artifact[] {
    return [...this.byKey.values()];
  }
}

export interface ErrorLocation {
  /** The file as Packer printed it (relative to its working directory, or absolute in the container). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, when Packer says. */
  column?: number;
}

/**
 * Template locations named in a Packer error message: HCL2 diagnostics
 * (`on t.pkr.hcl line 3, in source "null" "a":`) and JSON parse errors
 * (`At line 1, column 51`, which are about `templateArg`).
 */
export function errorLocations(text: string, templateArg: string): ErrorLocation[] {
  const out: ErrorLocation[] = [];
  for (const m of text.matchAll(/\bon (.+?) line (\d+)(?:, in [^\n]*)?:/g)) out.push({ file: m[1], line: Number(m[2]) });
  if (/Error parsing JSON|Failed to parse template/.test(text)) {
    for (const m of text.matchAll(/\bAt line (\d+), column (\d+)/g)) out.push({ file: templateArg, line: Number(m[1]), column: Number(m[2]) });
  }
  return out;
}

/** What the build is doing, for the progress notification. */
export type BakePhase = 'engine' | 'image' | 'init' | 'build' | 'provisioning' | 'cleanup';

/** The phase a `ui say` message starts, if any. */
export function phaseOf(text: string): BakePhase | undefined {
  if (/Provisioning with|Running local shell script|Uploading .* =>|Executing Ansible/.test(text)) return 'provisioning';
  if (/Terminating the source|Cleaning up|Deleting temporary|Cancelling build|Cancelling the step/i.test(text)) return 'cleanup';
  return undefined;
}

const ESC = '\u001b[';
const style = {
  bold: (s: string) => `${ESC}1m${s}${ESC}0m`,
  red: (s: string) => `${ESC}31m${s}${ESC}0m`,
  green: (s: string) => `${ESC}32m${s}${ESC}0m`,
};

/**
 * Packer's line turned back into the text it would have printed, with colours
 * (`==>` steps bold, errors red, `-->` artifacts green). Undefined for lines that
 * print nothing (artifact details, counts). Includes the trailing newline.
 */
export function renderEvent(ev: PackerEvent, color = true): string | undefined {
  const c = color ? style : { bold: (s: string) => s, red: (s: string) => s, green: (s: string) => s };
  switch (ev.kind) {
    case 'raw': return `${ev.text}\n`;
    case 'ui': {
      const text = ev.text.replace(/\n+$/, '');
      if (ev.level === 'error') return `${c.red(text)}\n`;
      if (ev.level === 'say') {
        const lead = /^\n*/.exec(text)![0];
        const body = text.slice(lead.length);
        return `${lead}${body.startsWith('-->') ? c.green(body) : c.bold(body)}\n`;
      }
      return `${text}\n`;
    }
    case 'artifact': // Packer also says `--> <build>: <artifact>`; the details would repeat it
    case 'error':
    case 'other':
      return undefined;
  }
}
