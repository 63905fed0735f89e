/**
 * How Ansible's ssh connection plugin decides where the SSH control socket
 * goes, for one `ansible` provisioner (and each legacy builder override),
 * under each behaviour of the versions that may run it (`Flavor`). The facts
 * are kept true by test/tools (real Packer, Ansible and OpenSSH; docs/facts.md):
 *
 * - ssh gets `ssh_args` (default `-C -o ControlMaster=auto -o ControlPersist=60s`),
 *   then `ssh_common_args`, then `ssh_extra_args`; scp/sftp get `ssh_args`,
 *   `ssh_common_args` and `scp_extra_args`/`sftp_extra_args`. Each is split
 *   like a shell line (`shlex`).
 * - Each setting comes from, in order of precedence: an Ansible variable
 *   (`-e`, inventory), the command line (`--ssh-common-args`...), the
 *   environment (`ansible_env_vars`), ansible.cfg. ansible-core 2.14 strips
 *   one pair of outer quotes from every string setting; 2.15 and later only
 *   from ansible.cfg values.
 * - If the arguments mention ControlPersist and no ControlPath, Ansible adds
 *   `-o ControlPath=<control_path % {directory: control_path_dir}>`, by default
 *   `~/.ansible/cp/<10 hex>`. `control_path` goes through Python %-formatting.
 * - A ControlPath inside the arguments goes to ssh untouched; OpenSSH uses the
 *   first value given for an option, and creates a socket only when
 *   ControlMaster is yes/auto/ask/autoask.
 * - ansible.cfg is the one `ANSIBLE_CONFIG` names (relative to the directory
 *   Packer runs in; a directory means its ansible.cfg), else the one in that
 *   directory.
 */
import * as path from 'path';
import type { Attribute, Builder, Provisioner, Template, Value, Span } from './types';
import { concatStrings, resolveValue, type Scope } from './evaluate';
import { splitArgs, sshOptions, firstOption, createsMaster, severalOptionsInOneWord } from './sshArgs';
import type { AnsibleCfg } from './ansibleCfg';
import { effective, isQuoted, settingFromCfg, settingFromString, subSetting, type Origin, type Setting } from './settings';
import { CONNECTION_VARS, inventoryVars, isConnectionVar, mentionsConnectionVar, parseExtraVars } from './ansibleVars';
import { unquotesAll, type Flavor } from './toolchain';
import { classifyWrapper } from './wrapperScript';

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

/** The arguments of all the parts, in order (a loop: V8's flatMap costs a microsecond or more per call). */
export function argsOf(parts: readonly ArgPart[]): string[] {
  const all: string[] = [];
  for (const part of parts) for (const a of part.args) all.push(a);
  return all;
}

/** How long the values of ssh's `%h` and `%p` can be, and what that was based on (for messages). */
export interface Endpoint {
  hostBytes: number;
  host: string;
  portBytes: number;
}

export interface KnownPlan {
  known: true;
  provisioner: Provisioner;
  /** Legacy override this plan is for (a builder name), with the span of its key. */
  override?: { builder: string; nameSpan: Span };
  /** The version behaviour this plan assumes. */
  flavor: Flavor;
  ssh: SocketTarget;
  transfer: SocketTarget;
  transferTool: 'scp' | 'sftp';
  /**
   * When scp and sftp fail, the file goes through ssh itself (`piped`): ansible-core 2.17 and later
   * with no transfer method set (its `smart` method tries sftp, scp, then piped). Up to 2.16 Packer's
   * ANSIBLE_SCP_IF_SSH=True (or use_sftp) leaves one method only. Measured: docs/facts.md.
   */
  transferFallsBack: boolean;
  /** The arguments ssh and the transfer command get (empty when the connection is not ssh). */
  argv: { ssh: ArgPart[]; transfer: ArgPart[] };
  /** The control path and dir settings in force (quotes removed as Ansible does), whether or not they were used. */
  controlPath?: Setting;
  controlPathDir?: Setting;
  /** The ssh_args in force (ANSIBLE_SSH_ARGS, ansible_ssh_args or ansible.cfg), when set. */
  sshArgs?: Setting;
  /** ssh_common_args in force (`--ssh-common-args`, ANSIBLE_SSH_COMMON_ARGS, a variable or ansible.cfg), when set. */
  sshCommonArgs?: Setting;
  /** The ssh-only extra arguments in force, when set (for messages). */
  sshExtraArgs?: Setting;
  /** The transfer's own extra arguments (scp_extra_args / sftp_extra_args), when set. */
  transferExtraArgs?: Setting;
  useProxy: boolean;
  /** The remote user when known (`user` attribute). */
  user?: string;
  endpoint: Endpoint;
  /** The ansible.cfg in use, if any. */
  cfg?: AnsibleCfg;
  /**
   * Settings ssh cannot use at all under this flavor: one word holding several
   * options (quotes that this ansible-core version keeps), or a control path
   * with quote characters in it. ssh (or the socket) fails before anything else matters.
   */
  broken: { setting: Setting; why: string }[];
}

export type SocketPlan = KnownPlan | UnknownPlan;

export interface UnknownPlan {
  known: false;
  provisioner: Provisioner;
  override?: { builder: string; nameSpan: Span };
  why: string;
  flavor: Flavor;
  /** An ansible.cfg in use that Ansible cannot read: the build stops before any ssh runs. */
  unreadableCfg?: AnsibleCfg;
}

export interface PlanContext {
  template: Template;
  scope: Scope;
  /** The directory Packer runs in (relative ANSIBLE_CONFIG and the default ansible.cfg are read from it). */
  cwd: string | undefined;
  /** Loads an ansible.cfg by absolute path; undefined when absent. */
  loadCfg: (file: string) => AnsibleCfg | undefined;
  /** True when the path is a directory. */
  isDir: (file: string) => boolean;
  /** Reads a small text file (an `@file` of extra vars); undefined when absent. */
  readFile: (file: string) => string | undefined;
  /** Every builder/source visible to the template (its own and, for HCL2, its folder's). */
  builders: Builder[];
}

/** The names of environment variables that can move or disable the socket. */
const RELEVANT_ENV = /^ANSIBLE_(SSH_ARGS|SSH_COMMON_ARGS|SSH_EXTRA_ARGS|SCP_EXTRA_ARGS|SFTP_EXTRA_ARGS|SSH_CONTROL_PATH|SSH_CONTROL_PATH_DIR|CONFIG|TRANSPORT|SSH_TRANSFER_METHOD)$/;

export function socketPlans(p: Provisioner, ctx: PlanContext, flavors: Flavor[]): SocketPlan[][] {
  const plans: SocketPlan[][] = flavors.map(() => []);
  const applicable = applicableBuilders(p, ctx);
  const overridden = new Set(p.overrides.map((o) => o.builder));
  // What does not depend on the flavor is worked out once for all of them (planner).
  const add = (attrs: Map<string, Attribute>, builders: Builder[], override?: SocketPlan['override']) => {
    const planners = new Map<Flavor['sshExtraArgsJoin'], (flavor: Flavor) => SocketPlan>();
    flavors.forEach((flavor, i) => {
      let plan = planners.get(flavor.sshExtraArgsJoin);
      if (!plan) planners.set(flavor.sshExtraArgsJoin, (plan = planner(p, attrs, ctx, builders, flavor.sshExtraArgsJoin)));
      const made = plan(flavor);
      if (override) made.override = override;
      plans[i].push(made);
    });
  };
  if (applicable.length === 0 || applicable.some((b) => !overridden.has(b.name))) {
    add(p.attrs, applicable.filter((b) => !overridden.has(b.name)));
  }
  for (const o of p.overrides) {
    if (![...o.attrs.keys()].some((k) => PLAN_ATTRS.has(k))) continue;
    const merged = new Map(p.attrs);
    for (const [k, v] of o.attrs) merged.set(k, v);
    add(merged, applicable.filter((b) => b.name === o.builder), { builder: o.builder, nameSpan: o.nameSpan });
  }
  return plans;
}

/** Provisioner attributes that change the plan (an override setting none of them changes nothing). */
const PLAN_ATTRS = new Set(['ansible_env_vars', 'extra_arguments', 'ansible_ssh_extra_args', 'use_sftp', 'user', 'use_proxy', 'command', 'inventory_file_template']);

/**
 * The builders a provisioner runs for: HCL2, the sources its own `build` block
 * names (found among the template's and its folder's sources); legacy JSON,
 * every builder; then `only` / `except`.
 */
function applicableBuilders(p: Provisioner, ctx: PlanContext): Builder[] {
  const names = (a: Attribute | undefined): string[] | undefined => {
    const v = a && resolveValue(a.value, ctx.scope);
    if (v?.kind === 'string') return [v.value]; // Packer decodes a single string as a one-item list
    if (v?.kind !== 'list') return undefined;
    return v.items.flatMap((i) => (i.kind === 'string' ? [i.value] : []));
  };
  let candidates: Builder[];
  if (p.build) {
    candidates = [];
    for (const s of p.build.sources) {
      const own = ctx.builders.find((b) => b.name === s.source && b.file === ctx.template.file) ?? ctx.builders.find((b) => b.name === s.source);
      if (own) candidates.push({ ...own, name: s.name });
    }
  } else {
    candidates = ctx.builders;
  }
  const only = names(p.attrs.get('only'));
  const except = names(p.attrs.get('except'));
  const matches = (list: string[], b: { name: string }) => list.some((n) => n === b.name || n.endsWith(`.${b.name}`) || b.name.endsWith(`.${n}`));
  return candidates.filter((b) => (!only || matches(only, b)) && (!except || !matches(except, b)));
}

interface EnvEntry {
  key: string;
  setting?: Setting;
}

type Str = Extract<Value, { kind: 'string' }>;

/**
 * The plan of one provisioner (with these attributes, for these builders) as
 * a function of the flavor: what does not depend on it (the attributes'
 * values, ansible_env_vars, extra_arguments, ansible.cfg) is worked out
 * once; flavors that pick the same settings and transfer tool share the rest
 * (a fresh plan object each, differing in `flavor`).
 */
function planner(p: Provisioner, attrs: Map<string, Attribute>, ctx: PlanContext, builders: Builder[], join: Flavor['sshExtraArgsJoin']): (flavor: Flavor) => SocketPlan {
  const unknown = (why: string) => (flavor: Flavor): SocketPlan => ({ known: false, provisioner: p, why, flavor });
  const { template, scope } = ctx;
  const get = (name: string): Value | undefined => {
    const a = attrs.get(name);
    return a && resolveValue(a.value, scope);
  };
  const communicator = (b: Builder): string | undefined => {
    const a = b.attrs.get('communicator');
    const v = a && resolveValue(a.value, scope);
    return v?.kind === 'string' ? v.value : a ? undefined : 'ssh';
  };

  const command = get('command');
  if (command) {
    if (command.kind !== 'string') return unknown('the command is only known at build time');
    const cmd = command.value.trim();
    if (path.basename(cmd) !== 'ansible-playbook') {
      // A wrapper script that only hands its arguments to ansible-playbook changes nothing.
      const script = /\s/.test(cmd) ? undefined : path.isAbsolute(cmd) ? cmd : ctx.cwd !== undefined && cmd.includes('/') ? path.resolve(ctx.cwd, cmd) : undefined;
      const text = script !== undefined ? ctx.readFile(script) : undefined;
      const verdict = text !== undefined ? classifyWrapper(text) : { plain: false as const, why: 'a custom command may set its own SSH options' };
      if (!verdict.plain) return unknown(verdict.why);
    }
  }
  const useProxyV = get('use_proxy');
  if (useProxyV && useProxyV.kind !== 'bool' && useProxyV.kind !== 'string') return unknown('use_proxy is only known at build time');
  const useProxy = !(useProxyV && ((useProxyV.kind === 'bool' && !useProxyV.value) || (useProxyV.kind === 'string' && useProxyV.value === 'false')));
  // Without the proxy, Packer writes ansible_connection=winrm into the inventory for WinRM builders.
  if (!useProxy && builders.length > 0 && builders.every((b) => communicator(b) === 'winrm')) {
    return (flavor) => none(p, flavor, 'WinRM: Packer connects Ansible with ansible_connection=winrm');
  }
  const useSftpV = get('use_sftp');
  const useSftp = (useSftpV?.kind === 'bool' && useSftpV.value) || (useSftpV?.kind === 'string' && useSftpV.value === 'true');
  const userV = get('user');
  const user = userV?.kind === 'string' ? userV.value : undefined;

  // ansible_env_vars: a list, or a single string (Packer decodes weakly).
  const env = envEntries(attrs.get('ansible_env_vars'), scope, template.file);
  if (typeof env === 'string') return unknown(env);
  const envGet = (key: string) => [...env].reverse().find((e) => e.key === key)?.setting;

  // extra_arguments, as ansible-playbook's argparse reads them (the last occurrence wins).
  const args = argEntries(attrs.get('extra_arguments'), attrs.get('ansible_ssh_extra_args'), scope, template.file, join, ctx);
  if (typeof args === 'string') return unknown(args);

  // Host variables from inventory_file_template (below extra vars, above the command line).
  const inventory = attrs.get('inventory_file_template');
  if (inventory) {
    const v = resolveValue(inventory.value, scope);
    const text = v.kind === 'string' ? v.value : inventory.value.kind === 'template' ? inventory.value.text : undefined;
    if (text === undefined) return unknown('inventory_file_template is only known at build time');
    for (const [k, hv] of inventoryVars(text)) {
      if (!isConnectionVar(k) || args.vars.has(k)) continue;
      if (hv.value === undefined) return unknown(`${k} in inventory_file_template is only known at build time`);
      args.vars.set(k, { label: k, where: 'inventory_file_template', origin: 'vars', value: hv.value, file: template.file, span: inventory.value.span, pieces: [] });
    }
  }
  const varGet = (setting: string) => {
    for (const [k, s] of args.vars) if (CONNECTION_VARS[k] === setting) return s;
    return undefined;
  };

  // ansible.cfg: ANSIBLE_CONFIG, else the one in the directory Packer runs in.
  let cfg: AnsibleCfg | undefined;
  const cfgEnv = envGet('ANSIBLE_CONFIG');
  if (cfgEnv) {
    const name = cfgEnv.value.trim();
    if (name.startsWith('~')) return unknown(`ANSIBLE_CONFIG names ${name}, in the home directory of whoever runs Packer`);
    if (name.includes('$')) return unknown(`ANSIBLE_CONFIG names ${name}, which uses environment variables`);
    if (!path.isAbsolute(name) && ctx.cwd === undefined) return unknown(`ANSIBLE_CONFIG names ${name}, relative to the directory Packer runs in`);
    let file = path.resolve(ctx.cwd ?? '/', name);
    if (ctx.isDir(file)) file = path.join(file, 'ansible.cfg');
    cfg = ctx.loadCfg(file);
    if (!cfg) return unknown(`ANSIBLE_CONFIG names ${name}, which is not readable here`);
  } else if (ctx.cwd !== undefined) {
    cfg = ctx.loadCfg(path.join(ctx.cwd, 'ansible.cfg'));
  }
  if (cfg?.unreadable) {
    const unreadableCfg = cfg;
    return (flavor) => ({ known: false, provisioner: p, why: `Ansible cannot read ${unreadableCfg.file}: ${unreadableCfg.unreadable!.why}`, flavor, unreadableCfg });
  }
  const fromCfg = (key: 'control_path' | 'control_path_dir' | 'ssh_args' | 'ssh_common_args' | 'ssh_extra_args' | 'scp_extra_args' | 'sftp_extra_args' | 'transport'): Setting | undefined => {
    const s = cfg?.settings[key];
    return s && cfg ? settingFromCfg(key, s.value, cfg.file, s.span) : undefined;
  };

  const transport = varGet('connection')?.value ?? args.connection ?? envGet('ANSIBLE_TRANSPORT')?.value ?? fromCfg('transport')?.value ?? 'ssh';
  const method = (varGet('ssh_transfer_method')?.value ?? envGet('ANSIBLE_SSH_TRANSFER_METHOD')?.value ?? cfg?.settings.transfer_method?.value)?.trim().replace(/^['"]|['"]$/g, '');
  const candidates = {
    sshArgs: [varGet('ssh_args'), envGet('ANSIBLE_SSH_ARGS'), fromCfg('ssh_args')],
    common: [varGet('ssh_common_args'), args.sshCommon, envGet('ANSIBLE_SSH_COMMON_ARGS'), fromCfg('ssh_common_args')],
    sshExtra: [varGet('ssh_extra_args'), args.sshExtra, envGet('ANSIBLE_SSH_EXTRA_ARGS'), fromCfg('ssh_extra_args')],
    scpExtra: [varGet('scp_extra_args'), args.scpExtra, envGet('ANSIBLE_SCP_EXTRA_ARGS'), fromCfg('scp_extra_args')],
    sftpExtra: [varGet('sftp_extra_args'), args.sftpExtra, envGet('ANSIBLE_SFTP_EXTRA_ARGS'), fromCfg('sftp_extra_args')],
    controlPath: [varGet('control_path'), envGet('ANSIBLE_SSH_CONTROL_PATH'), fromCfg('control_path')],
    controlPathDir: [varGet('control_path_dir'), envGet('ANSIBLE_SSH_CONTROL_PATH_DIR'), fromCfg('control_path_dir')],
  };
  /** The plans made so far, by what the flavor decided (see below). */
  const made: { key: unknown[]; plan: KnownPlan }[] = [];
  return (flavor) => {
    const conn = unquoteIf(transport.trim(), unquotesAll(flavor));
    // `packer` is the connection plugin Packer's docs give for Windows through the proxy: an ssh
    // subclass that, as documented, has no option definitions of its own, so ansible-core 2.14 and
    // 2.19 fail the task before any ssh runs (docs/facts.md). What a project's own packer.py does
    // with sockets is not known: no claim either way.
    if (conn === 'packer') return none(p, flavor, 'the connection is the packer plugin (connection_plugins/packer.py), whose use of ssh is not known');
    if (conn !== 'ssh' && conn !== 'smart') return none(p, flavor, `the connection is ${conn}, not ssh`);

    // The transfer tool: ssh_transfer_method when set; else, up to 2.16, scp because Packer sets
    // ANSIBLE_SCP_IF_SSH=True unless use_sftp; from 2.17 (no scp_if_ssh) sftp first.
    const transferTool: 'scp' | 'sftp' = method === 'scp' || method === 'sftp' ? method : flavor.ansible === 'ge217' || useSftp ? 'sftp' : 'scp';
    const transferFallsBack = flavor.ansible === 'ge217' && (method === undefined || method === 'smart');

    const pick = (...candidates: (Setting | undefined)[]) => {
      const s = candidates.find((c) => c !== undefined);
      return s && effective(s, unquotesAll(flavor));
    };
    const sshArgs = pick(...candidates.sshArgs);
    const common = pick(...candidates.common);
    const sshExtra = pick(...candidates.sshExtra);
    const transferExtra = pick(...(transferTool === 'scp' ? candidates.scpExtra : candidates.sftpExtra));
    let controlPath = pick(...candidates.controlPath);
    const controlPathDir = pick(...candidates.controlPathDir);
    // The rest depends on the flavor only through these (effective() returns the setting itself when it unquotes
    // nothing): a flavor that decided them alike gets the same plan.
    const key = [transferTool, transferFallsBack, sshArgs, common, sshExtra, transferExtra, controlPath, controlPathDir];
    const same = made.find((m) => m.key.every((k, i) => k === key[i]));
    if (same) return { ...same.plan, flavor };

    const broken: KnownPlan['broken'] = [];
    if (args.sshExtraGlued && sshExtra?.label === 'ansible_ssh_extra_args') broken.push({ setting: sshExtra, why: args.sshExtraGlued });
    // Quotes this ansible-core keeps in a path (docs/facts.md): ssh drops double quotes inside ControlPath="...", not single ones.
    if (controlPath && isQuoted(controlPath.value)) {
      if (controlPath.value.startsWith('"')) controlPath = subSetting(controlPath, 1, controlPath.value.length - 1);
      else broken.push({ setting: controlPath, why: `ssh takes the quotes as part of the path, a folder that does not exist ("unix_listener: cannot bind to path '...: No such file or directory")` });
    }
    if (controlPathDir && isQuoted(controlPathDir.value)) {
      broken.push({
        setting: controlPathDir,
        why: controlPathDir.value.startsWith("'")
          ? `Ansible reads ${controlPathDir.value} as a folder inside the directory Packer runs in and puts the socket there`
          : `ssh looks for the socket in a folder named after the quoted path inside the directory Packer runs in, which does not exist ("No such file or directory")`,
      });
    }
    /** The argument strings one command gets, in order: ssh_args (or Ansible's default), ssh_common_args, its own extra args. */
    const partsFor = (extra: Setting | undefined): ArgPart[] | string => {
      const parts: ArgPart[] = [];
      for (const setting of [sshArgs, common, extra]) {
        if (setting === sshArgs && !setting) {
          parts.push({ args: splitArgs(DEFAULT_SSH_ARGS) ?? [] });
          continue;
        }
        if (!setting) continue;
        const split = splitArgs(setting.value);
        if (!split) return `${setting.label} has unbalanced quotes`;
        const word = severalOptionsInOneWord(split);
        if (word !== undefined && !broken.some((b) => b.setting === setting)) {
          const tool = setting === extra && extra !== sshExtra ? transferTool : 'ssh';
          const fails = tool === 'ssh' ? '"extra arguments at end of line"' : '"unknown option"';
          broken.push({ setting, why: `${tool} receives ${JSON.stringify(word)} as one argument and fails before connecting (${fails})` });
        }
        parts.push({ setting, args: split });
      }
      return parts;
    };

    const target = (parts: ArgPart[]): SocketTarget => {
      const all = argsOf(parts);
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
    if (typeof sshParts === 'string') return unknown(sshParts)(flavor);
    const transferParts = partsFor(transferExtra);
    if (typeof transferParts === 'string') return unknown(transferParts)(flavor);
    const ssh = target(sshParts);
    const transfer = target(transferParts);
    const argv = { ssh: sshParts, transfer: transferParts };
    const plan: KnownPlan = {
      known: true, provisioner: p, flavor, ssh, transfer, transferTool, transferFallsBack, argv, controlPath, controlPathDir, sshArgs, sshCommonArgs: common,
      sshExtraArgs: sshExtra, transferExtraArgs: transferExtra, useProxy, user, endpoint: endpoint(useProxy, builders, scope), cfg, broken,
    };
    made.push({ key, plan });
    return { ...plan };
  };
}

function unquoteIf(s: string, unquote: boolean): string {
  return unquote && s.length > 1 && s[0] === s[s.length - 1] && (s[0] === '"' || s[0] === "'") ? s.slice(1, -1) : s;
}

function none(p: Provisioner, flavor: Flavor, why: string): KnownPlan {
  return {
    known: true, provisioner: p, flavor, ssh: { kind: 'none', why }, transfer: { kind: 'none', why }, transferTool: 'scp', transferFallsBack: false, argv: { ssh: [], transfer: [] },
    useProxy: true, endpoint: { hostBytes: 9, host: '127.0.0.1', portBytes: 5 }, broken: [],
  };
}

/**
 * What ssh's `%h` and `%p` become. Through Packer's proxy: 127.0.0.1 and an
 * ephemeral port. Without it: the machine's address as the builder reports
 * it: a known `ssh_host`, else by builder type (docs/rules/control-path-too-long.md).
 */
function endpoint(useProxy: boolean, builders: Builder[], scope: Scope): Endpoint {
  if (useProxy) return { hostBytes: 9, host: "Packer's proxy, 127.0.0.1", portBytes: 5 };
  let worst: Endpoint = { hostBytes: 0, host: '', portBytes: 0 };
  for (const b of builders.length > 0 ? builders : [undefined]) {
    const e = builderEndpoint(b, scope);
    if (e.hostBytes > worst.hostBytes) worst = { ...e, portBytes: Math.max(e.portBytes, worst.portBytes) };
    else worst.portBytes = Math.max(worst.portBytes, e.portBytes);
  }
  return worst;
}

/** Builders that reach the machine on a loopback port forward (local hypervisors). */
const LOOPBACK_BUILDERS = /^(qemu|virtualbox-(iso|ovf|vm)|vagrant|parallels-(iso|pvm)|hyperv-(iso|vmcx)|utm-.*|tart-cli)$/;
/** The longest name an AWS instance's public or private DNS can have: ec2-255-255-255-255.ap-southeast-2.compute.amazonaws.com. */
const AWS_DNS_BYTES = 'ec2-255-255-255-255.ap-southeast-2.compute.amazonaws.com'.length;

function builderEndpoint(b: Builder | undefined, scope: Scope): Endpoint {
  const str = (name: string) => {
    const a = b?.attrs.get(name);
    const v = a && resolveValue(a.value, scope);
    return v?.kind === 'string' ? v.value : v?.kind === 'number' ? String(v.value) : undefined;
  };
  const portText = str('ssh_port');
  const portBytes = portText !== undefined && /^\d+$/.test(portText) ? portText.length : 5;
  const host = str('ssh_host');
  if (host !== undefined && host !== '') return { hostBytes: Buffer.byteLength(host), host: `ssh_host ${host}`, portBytes };
  if (!b) return { hostBytes: 15, host: 'an IPv4 address', portBytes };
  if (LOOPBACK_BUILDERS.test(b.type)) return { hostBytes: 9, host: `${b.type}'s port forward on 127.0.0.1`, portBytes: 5 };
  if (/^amazon-/.test(b.type) && /_dns$/.test(str('ssh_interface') ?? '')) {
    return { hostBytes: AWS_DNS_BYTES, host: `an EC2 ${str('ssh_interface')} name, up to ${AWS_DNS_BYTES} bytes`, portBytes };
  }
  return { hostBytes: 15, host: `${b.type}'s IPv4 address`, portBytes };
}

/** The ControlPath value inside an argument string, as a setting of its own. */
function locateInside(s: Setting, value: string): Setting {
  const key = s.value.toLowerCase().search(/controlpath|-s\b/);
  const at = s.value.indexOf(value, Math.max(key, 0));
  return at >= 0 ? subSetting(s, at, at + value.length, 'ControlPath') : { ...s, label: 'ControlPath', value, pieces: [] };
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

/** The items of a list attribute, each evaluated, with the text each is written as (for the names of entries whose value is unknown). */
function listItems(a: Attribute, scope: Scope): { item: Value; text: string }[] | Value {
  if (a.value.kind === 'list') return a.value.items.map((raw) => ({ item: resolveValue(raw, scope), text: writtenText(raw) }));
  const v = resolveValue(a.value, scope);
  if (v.kind === 'list') return v.items.map((item) => ({ item, text: '' }));
  if (v.kind === 'string') return [{ item: v, text: v.value }];
  return v;
}

/** The text of a template string as written (its literal start for HCL2), to read an entry's name when its value is unknown. */
function writtenText(raw: Value): string {
  if (raw.kind === 'template' || (raw.kind === 'string')) return raw.kind === 'template' ? raw.text : raw.value;
  if (raw.kind === 'expr' && raw.expr.t === 'tmpl') {
    const first = raw.expr.parts[0];
    return first && 'lit' in first ? first.lit.value : '';
  }
  return '';
}

function envEntries(a: Attribute | undefined, scope: Scope, file: string): EnvEntry[] | string {
  if (!a) return [];
  const list = listItems(a, scope);
  if (!Array.isArray(list)) return list.kind === 'unknown' ? `ansible_env_vars is only known at build time` : [];
  const out: EnvEntry[] = [];
  for (const { item, text } of list) {
    if (item.kind === 'string') {
      const eq = item.value.indexOf('=');
      if (eq <= 0) continue; // no effect (see ansible-env-vars-invalid)
      const key = item.value.slice(0, eq);
      out.push({ key, setting: settingFromString(key, 'ansible_env_vars', 'env', item, eq + 1, item.value.length, { file, span: item.span }) });
    } else if (item.kind === 'unknown') {
      const eq = text.indexOf('=');
      const prefix = eq > 0 ? text.slice(0, eq).replace(/^["']/, '') : '';
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
  /** Why the ansible_ssh_extra_args Packer passes cannot work, when they cannot. */
  sshExtraGlued?: string;
  /** Connection variables from `-e` (and, added later, the inventory), by variable name. */
  vars: Map<string, Setting>;
}

const ARG_OPTIONS: Record<string, keyof Omit<ArgSettings, 'vars' | 'connection' | 'sshExtraGlued'>> = {
  '--ssh-common-args': 'sshCommon',
  '--ssh-extra-args': 'sshExtra',
  '--scp-extra-args': 'scpExtra',
  '--sftp-extra-args': 'sftpExtra',
};

/**
 * `ansible_ssh_extra_args` as Packer passes it (one `--ssh-extra-args` value):
 * Packer 1.6 and packer-plugin-ansible before 1.1.1 concatenate the items
 * into one quoted string, `'ab'`; later plugins quote each item, `'a' 'b'`.
 */
function packerSshExtraArgs(items: Str[], join: Flavor['sshExtraArgsJoin'], span: Span): Str {
  const q = (s: string): Str => ({ kind: 'string', value: s, span, pieces: [] });
  const parts: Str[] = [];
  if (join === 'joined') {
    // Concatenated with no separator at all (hashicorp/packer-plugin-ansible#116).
    parts.push(q("'"), ...items, q("'"));
  } else {
    items.forEach((item, i) => parts.push(...(i > 0 ? [q(' ')] : []), q("'"), item, q("'")));
  }
  return concatStrings(parts, span);
}

export const PACKER_SSH_EXTRA_ARGS = "'-o IdentitiesOnly=yes'";

function packerDefaultSshExtraArgs(file: string): Setting {
  return { label: '--ssh-extra-args', where: "Packer's own arguments", origin: 'cli', value: PACKER_SSH_EXTRA_ARGS, file, span: { start: 0, end: 0 }, pieces: [] };
}

function argEntries(a: Attribute | undefined, sshExtraAttr: Attribute | undefined, scope: Scope, file: string, join: Flavor['sshExtraArgsJoin'], ctx: PlanContext): ArgSettings | string {
  // Packer passes --ssh-extra-args itself, before extra_arguments: '-o IdentitiesOnly=yes' unless
  // ansible_ssh_extra_args replaces it. It beats ANSIBLE_SSH_EXTRA_ARGS and ansible.cfg (docs/facts.md).
  const out: ArgSettings = { vars: new Map(), sshExtra: packerDefaultSshExtraArgs(file) };
  if (sshExtraAttr) {
    const v = resolveValue(sshExtraAttr.value, scope);
    const items = v.kind === 'list' ? v.items : [v];
    if (items.some((x) => x.kind !== 'string')) return 'ansible_ssh_extra_args is only known at build time';
    const joined = packerSshExtraArgs(items as Str[], join, sshExtraAttr.value.span);
    out.sshExtra = settingFromString('ansible_ssh_extra_args', 'ansible_ssh_extra_args', 'cli', joined, 0, joined.value.length, { file, span: sshExtraAttr.value.span });
    const glued = (items as Str[]).some((x, i) => i > 0 && /\S$/.test((items[i - 1] as Str).value) && /^\S/.test(x.value));
    if (join === 'joined' && glued) {
      out.sshExtraGlued = 'Packer 1.6 and packer-plugin-ansible before 1.1.1 concatenate the ansible_ssh_extra_args items with no space between them, so ssh gets options run together (such as "yes-o") and fails';
    }
  }
  const list = a ? listItems(a, scope) : [];
  if (!Array.isArray(list)) {
    if (list.kind === 'unknown') return 'extra_arguments is only known at build time';
  }
  const entries = Array.isArray(list) ? list : [];
  const items = entries.map((e) => e.item);
  /** The text of item `i` as written: its value when known, else the template text (for name checks). */
  const textOf = (i: number): { known: boolean; text: string } | undefined => {
    const e = entries[i];
    if (!e) return undefined;
    return e.item.kind === 'string' ? { known: true, text: e.item.value } : { known: false, text: e.text };
  };
  const extraVars = (value: Str, from: number, where: { file: string; span: Span }): string | undefined => {
    const text = value.value.slice(from);
    const parsed = parseExtraVars(text);
    if (parsed.kind === 'opaque') return mentionsConnectionVar(text) ? 'extra variables set SSH connection options in a form not read here' : undefined;
    if (parsed.kind === 'file') {
      const base = path.isAbsolute(parsed.path) ? undefined : ctx.cwd;
      const content = path.isAbsolute(parsed.path) || base !== undefined ? ctx.readFile(path.resolve(base ?? '/', parsed.path)) : undefined;
      // An unreadable vars file is assumed not to set connection options (they rarely do); a readable one that mentions them is not read further.
      return content !== undefined && mentionsConnectionVar(content) ? `${parsed.path} sets SSH connection variables` : undefined;
    }
    for (const [k, v] of parsed.vars) {
      if (!isConnectionVar(k)) continue;
      const setting = v.at >= 0
        ? settingFromString(k, 'extra_arguments', 'vars', value, from + v.at, from + v.at + v.value.length, where)
        : { label: k, where: 'extra_arguments', origin: 'vars' as Origin, value: v.value, file: where.file, span: where.span, pieces: [] };
      out.vars.set(k, setting);
    }
    return undefined;
  };
  /** Extra vars written with build-time parts (`ansible_password={{ .WinRMPassword }} ansible_connection=winrm`): the pairs without them are known. */
  const partlyKnownVars = (text: string, where: { file: string; span: Span }): string | undefined => {
    if (!mentionsConnectionVar(text)) return undefined;
    const parsed = parseExtraVars(text.replace(/\{\{.*?\}\}|\$\{[^}]*\}/g, '\u0000'));
    if (parsed.kind !== 'vars') return 'extra variables set SSH connection options only known at build time';
    for (const [k, v] of parsed.vars) {
      if (!isConnectionVar(k)) continue;
      if (v.value.includes('\u0000')) return `${k} is only known at build time`;
      out.vars.set(k, { label: k, where: 'extra_arguments', origin: 'vars', value: v.value, file: where.file, span: where.span, pieces: [] });
    }
    return undefined;
  };
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item.kind !== 'string') {
      const prev = textOf(i - 1)?.text ?? '';
      if (ARG_OPTIONS[prev] || prev === '-c' || prev === '--connection') return `${prev} is only known at build time`;
      const text = textOf(i)?.text ?? '';
      const why = prev === '-e' || prev === '--extra-vars' ? partlyKnownVars(text, { file, span: item.span })
        : /^(-e|--extra-vars=)/.test(text) ? partlyKnownVars(text.replace(/^(-e|--extra-vars=)/, ''), { file, span: item.span })
          : mentionsConnectionVar(text) ? 'extra variables set SSH connection options only known at build time' : undefined;
      if (why) return why;
      continue;
    }
    const text = item.value;
    const eq = text.indexOf('=');
    const flag = text.startsWith('--') && eq > 0 ? text.slice(0, eq) : text;
    const inline = flag !== text;
    const key = ARG_OPTIONS[flag];
    const where = { file, span: item.span };
    if (key) {
      const value = inline ? item : items[i + 1];
      if (!inline) i++;
      if (value?.kind !== 'string') return `${flag} is only known at build time`;
      out[key] = settingFromString(flag, 'extra_arguments', 'cli', value, inline ? eq + 1 : 0, value.value.length, { file, span: value.span });
    } else if (flag === '-c' || flag === '--connection' || /^-c\S/.test(text)) {
      const value = inline ? { known: true, text: text.slice(eq + 1) } : /^-c\S/.test(text) ? { known: true, text: text.slice(2) } : textOf(++i);
      if (!value?.known) return 'the connection type is only known at build time';
      out.connection = value.text;
    } else if (flag === '-e' || flag === '--extra-vars') {
      if (inline) {
        const why = extraVars(item, eq + 1, where);
        if (why) return why;
        continue;
      }
      const next = items[++i];
      if (next?.kind === 'string') {
        const why = extraVars(next, 0, { file, span: next.span });
        if (why) return why;
      } else if (next) {
        const why = partlyKnownVars(textOf(i)?.text ?? '', { file, span: next.span });
        if (why) return why;
      }
    } else if (/^-e\S/.test(text)) {
      const why = extraVars(item, 2, where);
      if (why) return why;
    }
  }
  return out;
}
