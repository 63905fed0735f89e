/**
 * A setting that decides where the control socket goes, tied to the text that
 * sets it, so findings can point at its value and fixes can rewrite it.
 */
import type { Piece, Span, Value } from './types';
import { piecesOf, sliceString } from './evaluate';
import { encodeHclString, encodeJsonString } from './stringOffsets';

/**
 * Where Ansible got a setting from. It matters for quotes: ansible-core 2.14
 * strips one pair of outer quotes from every string setting, 2.15 and later
 * only from ansible.cfg (`ini`) values (ansible/ansible#82387, #82388).
 */
export type Origin = 'env' | 'cli' | 'vars' | 'ini';

export interface Setting {
  /** The name as the user wrote it: `ANSIBLE_SSH_ARGS`, `ssh_args`, `--ssh-extra-args`... */
  label: string;
  /** Where it is written, for messages: `ansible_env_vars`, `ansible.cfg`, `extra_arguments`. */
  where: string;
  origin: Origin;
  /** The value, as written (before Ansible strips quotes, see `effective`). */
  value: string;
  /** The file and span a finding about it points at: the value's characters when they are written in one run, else the expression computing it. */
  file: string;
  span: Span;
  /** Where the value's characters are written (for edits). */
  pieces: Piece[];
}

type Str = Extract<Value, { kind: 'string' }>;

/**
 * The setting whose value is `v.value.slice(from, to)` of a string value (e.g.
 * after `KEY=`). `at` is the expression that produced `v`, pointed at when the
 * characters are not written in one run.
 */
export function settingFromString(label: string, where: string, origin: Origin, v: Str, from: number, to: number, at: { file: string; span: Span }): Setting {
  const part = sliceString(v, from, to);
  return fromPieces(label, where, origin, part.value, piecesOf(part), at);
}

/**
 * Findings point at the value's characters when they are written where the
 * value is used; a value from a variable or local elsewhere is pointed at
 * where it is used (the fix still edits where it is written).
 */
function fromPieces(label: string, where: string, origin: Origin, value: string, pieces: Piece[], at: { file: string; span: Span }): Setting {
  const whole = pieces.length === 1 && pieces[0].at === 0 && pieces[0].offsets.length === value.length + 1 ? pieces[0] : undefined;
  const start = whole?.offsets[0];
  const end = whole?.offsets[whole.offsets.length - 1];
  const inside = whole !== undefined && whole.file === at.file && start! >= at.span.start && end! <= at.span.end;
  const point = inside ? { file: whole.file, span: { start: start!, end: end! } } : at;
  return { label, where, origin, value, file: point.file, span: point.span, pieces };
}

/** A setting read from an ansible.cfg line (value characters written verbatim). */
export function settingFromCfg(label: string, value: string, file: string, span: Span): Setting {
  const exact = span.end - span.start === value.length;
  const pieces: Piece[] = exact ? [{ at: 0, file, offsets: Array.from({ length: value.length + 1 }, (_, i) => span.start + i), syntax: 'cfg' }] : [];
  return { label, where: 'ansible.cfg', origin: 'ini', value, file, span, pieces };
}

/** The part `[from, to)` of a setting's value as a setting of its own (e.g. the path inside `-o ControlPath=...`). */
export function subSetting(s: Setting, from: number, to: number, label = s.label): Setting {
  const part = sliceString({ kind: 'string', value: s.value, span: s.span, pieces: s.pieces }, from, to);
  return fromPieces(label, s.where, s.origin, part.value, piecesOf(part), { file: s.file, span: s.span });
}

/** Ansible's `unquote`: one pair of matching outer quotes, unless the closing one is escaped. */
export function isQuoted(s: string): boolean {
  return s.length > 1 && s[0] === s[s.length - 1] && (s[0] === '"' || s[0] === "'") && s[s.length - 2] !== '\\';
}

/**
 * The value Ansible uses: outer quotes stripped for ansible.cfg values, and
 * for every origin when `unquoteAll` (ansible-core 2.14 and earlier).
 */
export function effective(s: Setting, unquoteAll: boolean): Setting {
  if ((s.origin === 'ini' || unquoteAll) && isQuoted(s.value)) return subSetting(s, 1, s.value.length - 1);
  return s;
}

export interface ValueEdit {
  file: string;
  start: number;
  end: number;
  newText: string;
  /** The variable or local whose value the edit changes, when it is not written where it is used. */
  via?: string;
}

/**
 * An edit that turns the setting's value into `text`, changing only what
 * differs (so `%h` → `%%h` inserts one `%`), in the literal holding those
 * characters (possibly a variable default in another file). Undefined when
 * the changed characters are not all written in one literal run.
 */
export function replaceValue(s: Setting, text: string): ValueEdit | undefined {
  const old = s.value;
  let p = 0;
  while (p < old.length && p < text.length && old[p] === text[p]) p++;
  let q = 0;
  while (q < old.length - p && q < text.length - p && old[old.length - 1 - q] === text[text.length - 1 - q]) q++;
  const from = p;
  const to = old.length - q;
  const middle = text.slice(p, text.length - q);
  // The whole value when it is one literal run (the edit reads as the new value); else only what differs.
  const whole = s.pieces.length === 1 && s.pieces[0].at === 0 && s.pieces[0].offsets.length === old.length + 1 ? s.pieces[0] : undefined;
  if (whole) {
    return { file: whole.file, start: whole.offsets[0], end: whole.offsets[old.length], newText: encode(text, whole.syntax), ...(whole.via ? { via: whole.via } : {}) };
  }
  for (const piece of s.pieces) {
    const len = piece.offsets.length - 1;
    if (piece.at > from || piece.at + len < to) continue;
    // A pure insertion at a run's edge belongs to the run only if it is written there (not for an empty run).
    return {
      file: piece.file,
      start: piece.offsets[from - piece.at],
      end: piece.offsets[to - piece.at],
      newText: encode(middle, piece.syntax),
      ...(piece.via ? { via: piece.via } : {}),
    };
  }
  return undefined;
}

function encode(s: string, syntax: Piece['syntax']): string {
  return syntax === 'json' ? encodeJsonString(s) : syntax === 'hcl' ? encodeHclString(s) : s;
}
