/**
 * The `[ssh_connection]` settings of an ansible.cfg that decide where the
 * control socket goes, with the line each one is on.
 */
import { parse } from 'ini';
import type { Span } from './types';

export const CFG_KEYS = ['control_path', 'control_path_dir', 'ssh_args', 'ssh_common_args', 'ssh_extra_args', 'scp_extra_args', 'sftp_extra_args', 'transport', 'transfer_method'] as const;
export type CfgKey = (typeof CFG_KEYS)[number];

export interface CfgSetting {
  value: string;
  /** The value's characters on its line (for findings and edits). */
  span: Span;
}

export interface AnsibleCfg {
  file: string;
  text: string;
  settings: Partial<Record<CfgKey, CfgSetting>>;
  /**
   * Why Ansible cannot read this file at all, when it cannot: Python's
   * configparser wants a `[section]` line before any setting, and a UTF-8
   * byte-order mark makes the first header unreadable ("File contains no
   * section headers"). Ansible then stops, and so does Packer, which runs
   * `ansible-playbook --version` while preparing the build (docs/facts.md).
   */
  unreadable?: { kind: 'bom' | 'no-section-header'; why: string; span: Span };
}

/**
 * Reads an ansible.cfg with the `ini` package. Python's configparser (which
 * Ansible uses, reading values raw) also accepts `key: value`; `ini` returns
 * such a line as a key with the value `true`, which is split here.
 */
export function readAnsibleCfg(file: string, text: string): AnsibleCfg {
  const cfg: AnsibleCfg = { file, text, settings: {} };
  cfg.unreadable = noSectionHeader(text);
  if (cfg.unreadable) return cfg;
  let data: Record<string, unknown>;
  try {
    data = parse(text) as Record<string, unknown>;
  } catch {
    return cfg;
  }
  const section = data['ssh_connection'];
  const defaults = data['defaults'];
  const values = new Map<string, string>();
  const take = (obj: unknown) => {
    if (!obj || typeof obj !== 'object') return;
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      if (v === true && k.includes(':')) {
        const i = k.indexOf(':');
        values.set(k.slice(0, i).trim(), k.slice(i + 1).trim());
      } else if (typeof v === 'string') {
        values.set(k.trim(), v);
      }
    }
  };
  take(section);
  for (const key of CFG_KEYS) {
    const v = key === 'transport' ? sectionValue(defaults, 'transport') : values.get(key);
    if (v === undefined) continue;
    cfg.settings[key] = { value: v, span: locate(text, key === 'transport' ? 'defaults' : 'ssh_connection', key, v) };
  }
  return cfg;
}

function sectionValue(obj: unknown, key: string): string | undefined {
  if (!obj || typeof obj !== 'object') return undefined;
  const v = (obj as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

/** The span of `value` on the line setting `key` inside `[section]` (whole line when the value is not found verbatim). */
function locate(text: string, section: string, key: string, value: string): Span {
  let offset = 0;
  let inSection = false;
  let found: Span | undefined;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('[')) inSection = trimmed.replace(/\s/g, '').toLowerCase() === `[${section}]`;
    else if (inSection && new RegExp(`^\\s*${key}\\s*[=:]`).test(line)) {
      const eq = line.search(/[=:]/);
      const at = line.indexOf(value, eq + 1);
      const end = line.endsWith('\r') ? line.length - 1 : line.length;
      found = at >= 0 ? { start: offset + at, end: offset + at + value.length } : { start: offset, end: offset + end };
    }
    offset += line.length + 1;
  }
  return found ?? { start: 0, end: 0 };
}

/**
 * What configparser rejects before reading anything: a byte-order mark, or a
 * first line that is neither blank, a comment (`#`, `;`) nor a `[section]`.
 */
function noSectionHeader(text: string): AnsibleCfg['unreadable'] {
  if (text.charCodeAt(0) === 0xfeff) {
    const eol = text.search(/\r?\n|$/);
    return { kind: 'bom', why: 'it starts with a UTF-8 byte-order mark (BOM), so Python\'s configparser finds no section header ("File contains no section headers")', span: { start: 0, end: eol } };
  }
  let offset = 0;
  for (const line of text.split('\n')) {
    const body = line.replace(/\r$/, '');
    if (body.trim() === '' || /^\s*[#;]/.test(body)) {
      offset += line.length + 1;
      continue;
    }
    if (/^\[[^\]]*\]/.test(body)) return undefined;
    return { kind: 'no-section-header', why: `its first line, before any [section], is not a section header ("File contains no section headers")`, span: { start: offset, end: offset + body.length } };
  }
  return undefined;
}
