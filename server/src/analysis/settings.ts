/**
 * A setting that decides where the control socket goes, tied to the text that
 * sets it, so findings can point at its value and fixes can rewrite it.
 */
import type { Span, StringSource, Value } from './types';
import { encodeHclString, encodeJsonString } from './stringOffsets';

export interface Setting {
  /** The name as the user wrote it: `ANSIBLE_SSH_ARGS`, `ssh_args`, `--ssh-extra-args`... */
  label: string;
  /** Where it is written, for messages: `ansible_env_vars`, `ansible.cfg`, `extra_arguments`. */
  where: string;
  /** The effective value. */
  value: string;
  file: string;
  /** The value's characters, or the whole literal when they cannot be located exactly. */
  span: Span;
  /** Source offset of value character `i` (0..value.length); absent when not exactly editable. */
  offsetAt?: (i: number) => number;
  /** Encodes replacement text for the file's syntax. */
  encode: (s: string) => string;
}

/** A setting whose value is `value.slice(from)` of a string literal (e.g. after `KEY=`). */
export function settingFromString(label: string, where: string, v: Value, from: number, value: string, file: string): Setting {
  const source: StringSource | undefined = v.kind === 'string' || v.kind === 'template' ? v.source : undefined;
  const offsets = v.kind === 'string' ? source?.offsets : undefined;
  const encode = source?.syntax === 'hcl' ? encodeHclString : encodeJsonString;
  if (offsets && offsets.length === from + value.length + 1) {
    return { label, where, value, file: source!.file, span: { start: offsets[from], end: offsets[offsets.length - 1] }, offsetAt: (i) => offsets[from + i], encode };
  }
  return { label, where, value, file: source?.file ?? file, span: v.span, encode };
}

/** A setting read from an ansible.cfg line (value characters written verbatim). */
export function settingFromCfg(label: string, value: string, file: string, span: Span): Setting {
  const exact = span.end - span.start === value.length;
  return { label, where: 'ansible.cfg', value, file, span, offsetAt: exact ? (i) => span.start + i : undefined, encode: (s) => s };
}

/** The part `[from, to)` of a setting's value as a setting of its own (e.g. the path inside `-o ControlPath=...`). */
export function subSetting(s: Setting, from: number, to: number, label = s.label): Setting {
  const at = s.offsetAt;
  return {
    label,
    where: s.where,
    value: s.value.slice(from, to),
    file: s.file,
    span: at ? { start: at(from), end: at(to) } : s.span,
    offsetAt: at ? (i) => at(from + i) : undefined,
    encode: s.encode,
  };
}

/** A text edit replacing the whole value of `s` with `text`; undefined when `s` is not exactly editable. */
export function replaceValue(s: Setting, text: string): { file: string; start: number; end: number; newText: string } | undefined {
  if (!s.offsetAt) return undefined;
  return { file: s.file, start: s.offsetAt(0), end: s.offsetAt(s.value.length), newText: s.encode(text) };
}
