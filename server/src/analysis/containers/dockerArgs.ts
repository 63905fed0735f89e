/**
 * Whether `docker run` / `podman run` arguments put a real mount on `/tmp`:
 * `--tmpfs /tmp[:opts]`, `-v|--volume [src:]/tmp[:mode]`, `--mount
 * type=...,target=/tmp`, in every spelling the docker CLI (pflag) accepts
 * (`--flag value`, `--flag=value`, `-vvalue`, `-v=value`). Shared by the dev
 * container check (`runArgs`), GitHub Actions (`container.options`) and
 * Jenkins (`docker { args ... }`).
 */
import { split } from 'shlex';
import type { Span } from '../types';

/** One argument as the engine will receive it, and where it is written. */
export interface RunArg {
  value: string;
  span: Span;
  /** Only known when the container starts (`${localEnv:X}`, `${{ expr }}`, a Groovy `${x}`). */
  dynamic?: boolean;
}

export type TmpMount =
  /** `/tmp` is a mount (the argument that makes it one). */
  | { kind: 'mounted'; by: RunArg }
  /** No mount on `/tmp`; `targets` are the other mount points (absolute, normalised). */
  | { kind: 'none'; targets: string[] }
  /** Cannot be known from the text (a dynamic argument, `--volumes-from`, unparseable options). */
  | { kind: 'unknown'; why: string }
  /**
   * A flag and its value written as one argument (`"--tmpfs /tmp"` as a single
   * runArgs item): the docker CLI rejects it as `unknown flag: --tmpfs /tmp`.
   */
  | { kind: 'one-word'; arg: RunArg; flag: string; value: string };

type MountFlag = 'tmpfs' | 'volume' | 'mount';

const LONG_FLAGS: Record<string, MountFlag | 'volumes-from'> = {
  '--tmpfs': 'tmpfs',
  '--volume': 'volume',
  '--mount': 'mount',
  '--volumes-from': 'volumes-from',
};

/** Volume modes docker and podman accept after the last `:` of `-v`. */
const VOLUME_MODES = new Set([
  'ro', 'rw', 'z', 'Z', 'shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate', 'nocopy',
  'consistent', 'cached', 'delegated', 'U', 'O', 'exec', 'noexec', 'suid', 'nosuid', 'dev', 'nodev', 'copy', 'idmap',
]);

/** `/tmp/`, `//tmp` and `/tmp/.` are `/tmp`; undefined for a relative or empty path. */
export function normalizeTarget(target: string): string | undefined {
  const t = target.trim();
  if (!t.startsWith('/')) return undefined;
  const parts = t.split('/').filter((p) => p !== '' && p !== '.');
  return `/${parts.join('/')}`;
}

/** The mount point a mount flag's value names; undefined when it names none. */
export function mountTarget(flag: MountFlag, value: string): string | undefined {
  if (flag === 'tmpfs') return normalizeTarget(value.split(':')[0]);
  if (flag === 'volume') {
    const parts = splitOutsideVariables(value, ':');
    if (parts.length === 1) return normalizeTarget(parts[0]);
    if (parts.length === 2) return normalizeTarget(parts[1].split(',').every((m) => VOLUME_MODES.has(m)) ? parts[0] : parts[1]);
    return normalizeTarget(parts[1]);
  }
  for (const field of value.split(',')) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    if (key === 'target' || key === 'dst' || key === 'destination') return normalizeTarget(field.slice(eq + 1).replace(/^"(.*)"$/, '$1'));
  }
  return undefined;
}

const DYNAMIC = /\$\{/;

/** Splits on `sep` except inside `${...}` (`${localEnv:HOME}/x:/tmp` has two parts, not three). */
function splitOutsideVariables(value: string, sep: string): string[] {
  const masked = value.replace(/\$\{[^}]*\}/g, (m) => '_'.repeat(m.length));
  const out: string[] = [];
  let from = 0;
  for (let i = masked.indexOf(sep); i >= 0; i = masked.indexOf(sep, i + 1)) {
    out.push(value.slice(from, i));
    from = i + 1;
  }
  out.push(value.slice(from));
  return out;
}

/** Reads the mounts of a run argument list. */
export function tmpMount(args: readonly RunArg[]): TmpMount {
  const targets: string[] = [];
  let unknown: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const a = arg.value;
    let flag: MountFlag | 'volumes-from' | undefined;
    let inline: string | undefined;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (/^-{1,2}[A-Za-z-]+\s+\S/.test(a)) {
      // A flag and its value in one argument: the engine rejects it (`unknown flag: --tmpfs /tmp`;
      // `-v /x:/tmp` asks for a volume named " /x"), so the container does not start.
      const [word, ...rest] = a.split(/\s+/);
      const f = LONG_FLAGS[word] ?? (word === '-v' ? 'volume' : undefined);
      const value = rest.join(' ');
      if (f && f !== 'volumes-from' && mountTarget(f, value) === '/tmp') return { kind: 'one-word', arg, flag: word, value };
      continue;
    } else if (LONG_FLAGS[name]) {
      flag = LONG_FLAGS[name];
      if (name !== a) inline = a.slice(eq + 1);
    } else if (/^-[A-Za-z]*v/.test(a) && !a.startsWith('--')) {
      // Short flags may be combined (`-itv x`); a `v` takes the rest of the word, or the next word.
      const at = a.indexOf('v');
      if (/^[a-uw-zA-Z]*$/.test(a.slice(1, at))) {
        flag = 'volume';
        const rest = a.slice(at + 1);
        if (rest !== '') inline = rest.startsWith('=') ? rest.slice(1) : rest;
      }
    } else if (arg.dynamic && DYNAMIC.test(a) && a.trim().startsWith('$')) {
      // A whole argument from a variable can be any flag.
      unknown ??= `the argument ${a} is only known when the container starts`;
      continue;
    }
    if (!flag) continue;
    const valueArg = inline === undefined ? args[++i] : { ...arg, value: inline };
    if (flag === 'volumes-from') {
      unknown ??= '--volumes-from mounts what another container has';
      continue;
    }
    if (!valueArg) continue;
    const target = mountTarget(flag, valueArg.value);
    if (target === undefined || (valueArg.dynamic && DYNAMIC.test(target))) {
      if (valueArg.dynamic && DYNAMIC.test(valueArg.value)) unknown ??= `the mount ${valueArg.value} is only known when the container starts`;
      continue;
    }
    if (target === '/tmp') return { kind: 'mounted', by: arg };
    targets.push(target);
  }
  return unknown ? { kind: 'unknown', why: unknown } : { kind: 'none', targets };
}

/**
 * Splits an options string (GitHub's `container.options`, Jenkins' `args`)
 * into arguments the way a shell would; every word gets the whole string's
 * span. Undefined when the quoting is unbalanced.
 */
export function splitOptions(text: string, span: Span, dynamic: boolean): RunArg[] | undefined {
  let words: string[];
  try {
    words = split(text);
  } catch {
    return undefined;
  }
  return words.map((value) => ({ value, span, dynamic: dynamic && DYNAMIC.test(value) }));
}

/** True when `dir` is `/dev/shm` or one of `targets`, or lies below one. */
export function underMount(dir: string, targets: readonly string[]): boolean {
  const d = normalizeTarget(dir);
  if (!d) return false;
  return ['/dev/shm', ...targets].some((t) => t !== '/' && (d === t || d.startsWith(`${t}/`)));
}
