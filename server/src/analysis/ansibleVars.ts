/**
 * Ansible variables that a template sets for the connection: extra vars
 * (`-e`/`--extra-vars` in `extra_arguments`) and host variables written by
 * `inventory_file_template`. They win over every other source of a
 * connection setting (command line, environment, ansible.cfg).
 */
import { split } from 'shlex';

/** The ssh connection plugin's variables, by the setting they set. `ansible_ssh_control_path` is not one of them. */
export const CONNECTION_VARS: Record<string, string> = {
  ansible_ssh_args: 'ssh_args',
  ansible_ssh_common_args: 'ssh_common_args',
  ansible_ssh_extra_args: 'ssh_extra_args',
  ansible_scp_extra_args: 'scp_extra_args',
  ansible_sftp_extra_args: 'sftp_extra_args',
  ansible_control_path: 'control_path',
  ansible_control_path_dir: 'control_path_dir',
  ansible_connection: 'connection',
  ansible_ssh_transfer_method: 'ssh_transfer_method',
};

/** A variable name that may move or disable the control socket. */
export function isConnectionVar(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(CONNECTION_VARS, name);
}

/** Text that may name a connection variable (for values only partly known). */
export function mentionsConnectionVar(text: string): boolean {
  return /\bansible_(ssh_args|ssh_common_args|ssh_extra_args|scp_extra_args|sftp_extra_args|control_path|control_path_dir|connection|ssh_transfer_method)\b/.test(text);
}

export type ExtraVars =
  | { kind: 'vars'; vars: Map<string, { value: string; at: number }> }
  /** `@file`: read from a file. */
  | { kind: 'file'; path: string }
  /** A form we do not read (YAML, a JSON value that is not an object of strings). */
  | { kind: 'opaque' };

/**
 * One `-e` value as ansible-playbook reads it: `@file`, a JSON or YAML
 * mapping (`{...}`), or `key=value` pairs split like a shell line, with one
 * pair of quotes around a value removed (Ansible's `parse_kv`). `at` is the
 * offset of the value in `text` when it is written there verbatim, else -1.
 */
export function parseExtraVars(text: string): ExtraVars {
  const t = text.trim();
  if (t.startsWith('@')) return { kind: 'file', path: t.slice(1) };
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      const data: unknown = JSON.parse(t);
      if (!data || typeof data !== 'object' || Array.isArray(data)) return { kind: 'opaque' };
      const vars = new Map<string, { value: string; at: number }>();
      for (const [k, v] of Object.entries(data)) {
        if (typeof v === 'string') vars.set(k, { value: v, at: -1 });
        else if (isConnectionVar(k)) return { kind: 'opaque' };
      }
      return { kind: 'vars', vars };
    } catch {
      return { kind: 'opaque' };
    }
  }
  return { kind: 'vars', vars: keyValues(text) };
}

/** `k=v k2='v 2'` pairs: tokens as a shell splits them, values unquoted. */
export function keyValues(text: string): Map<string, { value: string; at: number }> {
  const vars = new Map<string, { value: string; at: number }>();
  let tokens: string[];
  try {
    tokens = split(text);
  } catch {
    return vars;
  }
  for (const tok of tokens) {
    const eq = tok.indexOf('=');
    if (eq <= 0) continue;
    const key = tok.slice(0, eq).trim();
    const value = tok.slice(eq + 1);
    // Where the value is written, when it is written verbatim (no quotes or escapes inside).
    const raw = `${tok.slice(0, eq)}=${value}`;
    const found = text.indexOf(raw);
    vars.set(key, { value, at: found >= 0 ? found + eq + 1 : -1 });
  }
  return vars;
}

/**
 * The host variables of an `inventory_file_template` (an INI inventory line
 * such as `{{ .HostAlias }} ansible_host={{ .Host }} ansible_ssh_common_args='...'`).
 * Packer's own template fields are replaced by placeholders first; a value
 * that uses one is not known.
 */
export function inventoryVars(template: string): Map<string, { value: string | undefined }> {
  const out = new Map<string, { value: string | undefined }>();
  for (const line of template.split(/\r?\n/)) {
    const l = line.trim();
    if (l === '' || l.startsWith('#') || l.startsWith(';') || l.startsWith('[')) continue;
    const placeholders = l.replace(/\{\{[^}]*\}\}/g, '\u0000');
    for (const [k, v] of keyValues(placeholders)) out.set(k, { value: v.value.includes('\u0000') ? undefined : v.value });
  }
  return out;
}
