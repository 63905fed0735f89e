/**
 * How Ansible 2.14's ssh connection plugin decides where the SSH control
 * socket goes, for one `ansible` provisioner (and each legacy builder override).
 * The facts are kept true by test/tools (real Packer, Ansible and OpenSSH):
 *
 * - ssh gets `ssh_args` (default `-C -o ControlMaster=auto -o ControlPersist=60s`),
 *   then `ssh_common_args`, then `ssh_extra_args`; scp/sftp get `ssh_args`,
 *   `ssh_common_args` and `scp_extra_args`/`sftp_extra_args`.
 * - If those arguments mention ControlPersist and no ControlPath, Ansible adds
 *   `-o ControlPath=<control_path % {directory: control_path_dir}>`, by default
 *   `~/.ansible/cp/<10 hex>`. `control_path` goes through Python %-formatting.
 * - A ControlPath inside the arguments goes to ssh untouched; OpenSSH uses the
 *   first value given for an option, and creates a socket only when
 *   ControlMaster is yes/auto/ask/autoask.
 */
import * as path from 'path';
import type { Attribute, Provisioner, Template, Value, Span } from './types';
import { resolveValue, type Scope } from './interpolation';
import { splitArgs, sshOptions, firstOption, createsMaster } from './sshArgs';
import type { AnsibleCfg } from './ansibleCfg';
import { settingFromCfg, settingFromString, subSetting, type Setting } from './settings';

export const DEFAULT_SSH_ARGS = '-C -o ControlMaster=auto -o ControlPersist=60s';
export const DEFAULT_CONTROL_PATH_DIR = '~/.ansible/cp';

export type SocketTarget =
  | { kind: 'none'; why: string }
  | {
      kind: 'socket';
      /** The path as ssh receives it (ssh tokens such as %h still in it); undefined when Ansible fails formatting it. */
      path: string | undefined;
      /** Placed by Ansible in its default directory. */
      inDefaultDir: boolean;
      /** The setting that placed it: a ControlPath in ssh arguments, control_path, or control_path_dir; none for the default. */
      decidedBy?: Setting;
      /** How it was placed. */
      via: 'ssh-arg' | 'control_path' | 'control_path_dir' | 'default';
    };

/** One argument string as Ansible splits it, and the setting it came from (none for Ansible's default ssh_args). */
export interface ArgPart {
  setting?: Setting;
  args: readonly string[];
}

export interface KnownPlan {
  known: true;
  provisioner: Provisioner;
  /** Legacy override this plan is for (a builder name), with the span of its key. */
  override?: { builder: string; nameSpan: Span };
  ssh: SocketTarget;
  transfer: SocketTarget;
  transferTool: 'scp' | 'sftp';
  /** The arguments ssh and the transfer command get (empty when the connection is not ssh). */
  argv: { ssh: ArgPart[]; transfer: ArgPart[] };
  /** The control path and dir settings in force, whether or not they were used. */
  controlPath?: Setting;
  controlPathDir?: Setting;
  /** The ssh_args in force (ANSIBLE_SSH_ARGS or ansible.cfg), when set. */
  sshArgs?: Setting;
  /** ssh_common_args in force (`--ssh-common-args`, ANSIBLE_SSH_COMMON_ARGS or ansible.cfg), when set. */
  sshCommonArgs?: Setting;
  /** The ssh-only extra arguments in force, when set (for messages). */
  sshExtraArgs?: Setting;
  /** The transfer's own extra arguments (scp_extra_args / sftp_extra_args), when set. */
  transferExtraArgs?: Setting;
  useProxy: boolean;
  /** The remote user when known (`user` attribute). */
  user?: string;
  /** The ansible.cfg in use, if any. */
  cfg?: AnsibleCfg;
}

export type SocketPlan = KnownPlan | { known: false; provisioner: Provisioner; override?: { builder: string; nameSpan: Span }; why: string };

export interface PlanContext {
  template: Template;
  scope: Scope;
  /** Loads an ansible.cfg by absolute path; undefined when absent. */
  loadCfg: (file: string) => AnsibleCfg | undefined;
  /** Communicators of all builders/sources visible to the template (its own and its directory's). */
  builders: { name: string; communicator?: string }[];
}

/** The names of environment variables and Ansible variables that can move or disable the socket. */
const RELEVANT_ENV = /ANSIBLE_(SSH_ARGS|SSH_COMMON_ARGS|SSH_EXTRA_ARGS|SCP_EXTRA_ARGS|SFTP_EXTRA_ARGS|SSH_CONTROL_PATH|SSH_CONTROL_PATH_DIR|CONFIG|TRANSPORT)\b/;
const RELEVANT_VARS = /ansible_(ssh_args|ssh_common_args|ssh_extra_args|scp_extra_args|sftp_extra_args|control_path|control_path_dir|connection)\b/;

export function socketPlans(p: Provisioner, ctx: PlanContext): SocketPlan[] {
  const plans: SocketPlan[] = [];
  const applicable = applicableBuilders(p, ctx);
  const overridden = new Set(p.overrides.map((o) => o.builder));
  if (applicable.length === 0 || applicable.some((b) => !overridden.has(b.name))) {
    plans.push(planFor(p, p.attrs, ctx, applicable.filter((b) => !overridden.has(b.name))));
  }
  for (const o of p.overrides) {
    if (!o.attrs.has('ansible_env_vars') && !o.attrs.has('extra_arguments') && !o.attrs.has('use_sftp') && !o.attrs.has('user') && !o.attrs.has('use_proxy') && !o.attrs.has('command')) continue;
    const merged = new Map(p.attrs);
    for (const [k, v] of o.attrs) merged.set(k, v);
    const plan = planFor(p, merged, ctx, applicable.filter((b) => b.name === o.builder));
    plan.override = { builder: o.builder, nameSpan: o.nameSpan };
    plans.push(plan);
  }
  return plans;
}

function applicableBuilders(p: Provisioner, ctx: PlanContext): { name: string; communicator?: string }[] {
  const names = (a: Attribute | undefined): string[] | undefined => {
    const v = a && resolveValue(a.value, ctx.scope);
    if (v?.kind === 'string') return [v.value]; // Packer decodes a single string as a one-item list
    if (v?.kind !== 'list') return undefined;
    return v.items.flatMap((i) => {
      const r = resolveValue(i, ctx.scope);
      return r.kind === 'string' ? [r.value] : [];
    });
  };
  const only = names(p.attrs.get('only'));
  const except = names(p.attrs.get('except'));
  const matches = (list: string[], b: { name: string }) => list.some((n) => n === b.name || n.endsWith(`.${b.name}`) || b.name.endsWith(`.${n}`));
  return ctx.builders.filter((b) => (!only || matches(only, b)) && (!except || !matches(except, b)));
}

interface EnvEntry {
  key: string;
  setting?: Setting;
}

function planFor(p: Provisioner, attrs: Map<string, Attribute>, ctx: PlanContext, builders: { name: string; communicator?: string }[]): SocketPlan {
  const unknown = (why: string): SocketPlan => ({ known: false, provisioner: p, why });
  const { template, scope } = ctx;
  const get = (name: string): Value | undefined => {
    const a = attrs.get(name);
    return a && resolveValue(a.value, scope);
  };

  const command = get('command');
  if (command && (command.kind !== 'string' || path.basename(command.value.trim()) !== 'ansible-playbook')) {
    return unknown('a custom command may set its own SSH options');
  }
  const useProxyV = get('use_proxy');
  if (useProxyV && useProxyV.kind !== 'bool' && useProxyV.kind !== 'string') return unknown('use_proxy is only known at build time');
  const useProxy = !(useProxyV && ((useProxyV.kind === 'bool' && !useProxyV.value) || (useProxyV.kind === 'string' && useProxyV.value === 'false')));
  if (!useProxy && builders.length > 0 && builders.every((b) => b.communicator === 'winrm')) {
    return none(p, 'WinRM: Packer connects Ansible with ansible_connection=winrm');
  }
  const useSftp = get('use_sftp');
  const transferTool: 'scp' | 'sftp' = useSftp?.kind === 'bool' && useSftp.value ? 'sftp' : useSftp?.kind === 'string' && useSftp.value === 'true' ? 'sftp' : 'scp';
  const userV = get('user');
  const user = userV?.kind === 'string' ? userV.value : undefined;

  // ansible_env_vars: a list, or a single string (Packer decodes weakly).
  const env = envEntries(attrs.get('ansible_env_vars'), scope, template.file);
  if (typeof env === 'string') return unknown(env);
  const envGet = (key: string) => [...env].reverse().find((e) => e.key === key)?.setting;

  // extra_arguments, as ansible-playbook's argparse reads them (the last occurrence wins).
  const args = argEntries(attrs.get('extra_arguments'), attrs.get('ansible_ssh_extra_args'), scope, template.file);
  if (typeof args === 'string') return unknown(args);

  const transport = args.connection ?? envGet('ANSIBLE_TRANSPORT')?.value;
  if (args.unknownVars) return unknown('extra variables set SSH connection options');

  // ansible.cfg: ANSIBLE_CONFIG, else the one in the template's folder (where Packer runs).
  let cfg: AnsibleCfg | undefined;
  const cfgEnv = envGet('ANSIBLE_CONFIG');
  if (cfgEnv) {
    const dir = path.dirname(template.file);
    cfg = ctx.loadCfg(path.isAbsolute(cfgEnv.value) ? cfgEnv.value : path.resolve(dir, cfgEnv.value));
    if (!cfg) return unknown(`ANSIBLE_CONFIG names ${cfgEnv.value}, which is not readable here`);
  } else if (path.isAbsolute(template.file)) {
    cfg = ctx.loadCfg(path.join(path.dirname(template.file), 'ansible.cfg'));
  }
  const fromCfg = (key: 'control_path' | 'control_path_dir' | 'ssh_args' | 'ssh_common_args' | 'ssh_extra_args' | 'scp_extra_args' | 'sftp_extra_args' | 'transport'): Setting | undefined => {
    const s = cfg?.settings[key];
    return s && cfg ? settingFromCfg(key, s.value, cfg.file, s.span) : undefined;
  };

  const conn = (transport ?? fromCfg('transport')?.value ?? 'ssh').trim();
  if (conn !== 'ssh' && conn !== 'smart') return none(p, `the connection is ${conn}, not ssh`);

  const sshArgs = envGet('ANSIBLE_SSH_ARGS') ?? fromCfg('ssh_args');
  const common = args.sshCommon ?? envGet('ANSIBLE_SSH_COMMON_ARGS') ?? fromCfg('ssh_common_args');
  const sshExtra = args.sshExtra ?? envGet('ANSIBLE_SSH_EXTRA_ARGS') ?? fromCfg('ssh_extra_args');
  const transferExtra = transferTool === 'scp'
    ? args.scpExtra ?? envGet('ANSIBLE_SCP_EXTRA_ARGS') ?? fromCfg('scp_extra_args')
    : args.sftpExtra ?? envGet('ANSIBLE_SFTP_EXTRA_ARGS') ?? fromCfg('sftp_extra_args');
  const controlPath = envGet('ANSIBLE_SSH_CONTROL_PATH') ?? fromCfg('control_path');
  const controlPathDir = envGet('ANSIBLE_SSH_CONTROL_PATH_DIR') ?? fromCfg('control_path_dir');

  /** The argument strings one command gets, in order: ssh_args (or Ansible's default), ssh_common_args, its own extra args. */
  const partsFor = (extra: Setting | undefined): ArgPart[] | string => {
    const parts: ArgPart[] = [{ setting: sshArgs, args: splitArgs(sshArgs?.value ?? DEFAULT_SSH_ARGS) ?? [] }];
    for (const setting of [common, extra]) {
      if (!setting) continue;
      const args = splitArgs(setting.value);
      if (!args) return `${setting.label} has unbalanced quotes`;
      parts.push({ setting, args });
    }
    if (sshArgs && !splitArgs(sshArgs.value)) return `${sshArgs.label} has unbalanced quotes`;
    return parts;
  };

  const target = (parts: ArgPart[]): SocketTarget => {
    const all = parts.flatMap((x) => x.args);
    const opts = sshOptions(all);
    const master = firstOption(opts, 'controlmaster');
    let given = firstOption(opts, 'controlpath');
    let decidedBy: Setting | undefined;
    let via: 'ssh-arg' | 'control_path' | 'control_path_dir' | 'default' = 'ssh-arg';
    let inDefaultDir = false;
    if (given !== undefined) {
      const owner = parts.find((x) => firstOption(sshOptions(x.args), 'controlpath') !== undefined)?.setting;
      decidedBy = owner && locateInside(owner, given);
    } else if (all.some((a) => a.toLowerCase().includes('controlpersist')) && !all.some((a) => a.toLowerCase().includes('controlpath'))) {
      const dir = controlPathDir?.value ?? DEFAULT_CONTROL_PATH_DIR;
      if (controlPath) {
        given = pythonFormat(controlPath.value, dir);
        decidedBy = controlPath;
        via = 'control_path';
        // `%(directory)s/...` without a directory setting is still Ansible's default directory.
        inDefaultDir = !controlPathDir && controlPath.value.startsWith('%(directory)s');
      } else {
        given = `${dir.replace(/\/+$/, '')}/<hash>`;
        decidedBy = controlPathDir;
        via = controlPathDir ? 'control_path_dir' : 'default';
        inDefaultDir = !controlPathDir;
      }
      if (given === undefined) return { kind: 'socket', path: undefined, inDefaultDir, decidedBy, via };
    }
    if (given === undefined) return { kind: 'none', why: 'no ControlPath: the ssh arguments do not ask for ControlPersist' };
    if (given.toLowerCase() === 'none') return { kind: 'none', why: 'ControlPath is none' };
    if (!createsMaster(master)) return { kind: 'none', why: `ControlMaster is ${master ?? 'not set'}, so ssh creates no socket` };
    return { kind: 'socket', path: given, inDefaultDir, decidedBy, via };
  };
  const sshParts = partsFor(sshExtra);
  if (typeof sshParts === 'string') return unknown(sshParts);
  const transferParts = partsFor(transferExtra);
  if (typeof transferParts === 'string') return unknown(transferParts);
  const ssh = target(sshParts);
  const transfer = target(transferParts);
  const argv = { ssh: sshParts, transfer: transferParts };
  return { known: true, provisioner: p, ssh, transfer, transferTool, argv, controlPath, controlPathDir, sshArgs, sshCommonArgs: common, sshExtraArgs: sshExtra, transferExtraArgs: transferExtra, useProxy, user, cfg };
}

function none(p: Provisioner, why: string): SocketPlan {
  return { known: true, provisioner: p, ssh: { kind: 'none', why }, transfer: { kind: 'none', why }, transferTool: 'scp', argv: { ssh: [], transfer: [] }, useProxy: true };
}

/** The ControlPath value inside an argument string, as a setting of its own. */
function locateInside(s: Setting, value: string): Setting {
  const key = s.value.toLowerCase().search(/controlpath|-s\b/);
  const at = s.value.indexOf(value, Math.max(key, 0));
  return at >= 0 ? subSetting(s, at, at + value.length, 'ControlPath') : { ...s, label: 'ControlPath', value };
}

/**
 * Python's `control_path % {'directory': dir}`: `%%` → `%`, `%(directory)s` → dir.
 * Anything else fails in Ansible (`unsupported format character`) or produces
 * garbage; undefined then.
 */
export function pythonFormat(template: string, dir: string): string | undefined {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '%') {
      out += c;
    } else if (template[i + 1] === '%') {
      out += '%';
      i++;
    } else if (template.startsWith('(directory)s', i + 1)) {
      out += dir;
      i += '(directory)s'.length;
    } else {
      return undefined;
    }
  }
  return out;
}

/** `%` signs that Python's %-formatting does not accept: single ones, not `%%` nor `%(name)s`. Returns their indexes. */
export function unescapedPercents(template: string): number[] {
  const at: number[] = [];
  for (let i = 0; i < template.length; i++) {
    if (template[i] !== '%') continue;
    if (template[i + 1] === '%') i++;
    else if (/^\([A-Za-z_]+\)s/.test(template.slice(i + 1))) continue;
    else at.push(i);
  }
  return at;
}

function envEntries(a: Attribute | undefined, scope: Scope, file: string): EnvEntry[] | string {
  if (!a) return [];
  const v = resolveValue(a.value, scope);
  const items = v.kind === 'list' ? v.items : v.kind === 'string' || v.kind === 'template' ? [a.value] : undefined;
  if (!items) return v.kind === 'unknown' ? `ansible_env_vars is only known at build time` : [];
  const out: EnvEntry[] = [];
  for (const raw of items) {
    const item = resolveValue(raw, scope);
    if (item.kind === 'string') {
      const eq = item.value.indexOf('=');
      if (eq <= 0) continue; // no effect (see ansible-env-vars-invalid)
      const key = item.value.slice(0, eq);
      out.push({ key, setting: settingFromString(key, 'ansible_env_vars', item, eq + 1, item.value.slice(eq + 1), file) });
    } else if (item.kind === 'unknown') {
      const text = raw.kind === 'template' ? raw.text : '';
      const eq = text.indexOf('=');
      const prefix = eq > 0 ? text.slice(0, eq) : '';
      const literalKey = /^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix) ? prefix : undefined;
      // An entry whose name is not written out could be any of them.
      if (literalKey ? RELEVANT_ENV.test(literalKey) : true) {
        return `${literalKey ?? 'an ansible_env_vars entry'} is only known at build time`;
      }
    }
  }
  return out;
}

interface ArgSettings {
  sshCommon?: Setting;
  sshExtra?: Setting;
  scpExtra?: Setting;
  sftpExtra?: Setting;
  connection?: string;
  unknownVars: boolean;
}

const ARG_OPTIONS: Record<string, keyof Omit<ArgSettings, 'unknownVars' | 'connection'>> = {
  '--ssh-common-args': 'sshCommon',
  '--ssh-extra-args': 'sshExtra',
  '--scp-extra-args': 'scpExtra',
  '--sftp-extra-args': 'sftpExtra',
};

function argEntries(a: Attribute | undefined, sshExtraAttr: Attribute | undefined, scope: Scope, file: string): ArgSettings | string {
  const out: ArgSettings = { unknownVars: false };
  const items: Value[] = [];
  if (sshExtraAttr) {
    const v = resolveValue(sshExtraAttr.value, scope);
    if (v.kind === 'unknown') return 'ansible_ssh_extra_args is only known at build time';
    // The plugin joins the list into one --ssh-extra-args value.
    const parts = v.kind === 'list' ? v.items.map((i) => resolveValue(i, scope)) : [v];
    if (parts.some((x) => x.kind !== 'string')) return 'ansible_ssh_extra_args is only known at build time';
    const joined = parts.map((x) => (x.kind === 'string' ? x.value : '')).join(' ');
    const single = parts.length === 1 ? parts[0] : undefined;
    out.sshExtra = single
      ? settingFromString('ansible_ssh_extra_args', 'ansible_ssh_extra_args', single, 0, joined, file)
      : { label: 'ansible_ssh_extra_args', where: 'ansible_ssh_extra_args', value: joined, file, span: sshExtraAttr.span, encode: (s) => s };
  }
  if (a) {
    const v = resolveValue(a.value, scope);
    if (v.kind === 'unknown') return 'extra_arguments is only known at build time';
    if (v.kind === 'list') items.push(...v.items);
  }
  /** The text of item `i` as written: its value when known, else the template text (for name checks). */
  const textOf = (i: number): { known: boolean; text: string } | undefined => {
    const raw = items[i];
    if (!raw) return undefined;
    const v = resolveValue(raw, scope);
    return v.kind === 'string' ? { known: true, text: v.value } : { known: false, text: raw.kind === 'template' ? raw.text : '' };
  };
  for (let i = 0; i < items.length; i++) {
    const item = resolveValue(items[i], scope);
    if (item.kind !== 'string') {
      const prev = textOf(i - 1)?.text ?? '';
      if (ARG_OPTIONS[prev] || prev === '-c' || prev === '--connection') return `${prev} is only known at build time`;
      if (RELEVANT_VARS.test(textOf(i)?.text ?? '')) out.unknownVars = true;
      continue;
    }
    const text = item.value;
    const eq = text.indexOf('=');
    const flag = text.startsWith('--') && eq > 0 ? text.slice(0, eq) : text;
    const inline = flag !== text;
    const key = ARG_OPTIONS[flag];
    if (key) {
      const value = inline ? item : items[i + 1] && resolveValue(items[++i], scope);
      if (value?.kind !== 'string') return `${flag} is only known at build time`;
      out[key] = settingFromString(flag, 'extra_arguments', value, inline ? eq + 1 : 0, inline ? text.slice(eq + 1) : value.value, file);
    } else if (flag === '-c' || flag === '--connection') {
      const value = inline ? { known: true, text: text.slice(eq + 1) } : textOf(++i);
      if (!value?.known) return 'the connection type is only known at build time';
      out.connection = value.text;
    } else if (flag === '-e' || flag === '--extra-vars' || /^-e\S/.test(text)) {
      // -e k=v, -ek=v, --extra-vars=k=v, or a following item (known or not).
      const value = flag !== text || /^-e\S/.test(text) ? { known: true, text } : textOf(++i);
      const conn = /ansible_connection\s*[=:]\s*["']?([\w.-]+)/.exec(value?.text ?? '');
      if (conn) out.connection = conn[1];
      else if (RELEVANT_VARS.test(value?.text ?? '')) out.unknownVars = true;
    }
  }
  return out;
}
