/**
 * fast-check arbitraries: hostile mutations of real templates, and
 * structured ansible provisioners (legacy JSON, HCL2, HCL2 JSON) drawn from
 * a vocabulary of real settings, so that the fix properties meet many real
 * findings.
 */
import fc from 'fast-check';
import type { Toolchain } from '../../server/src/analysis/toolchain';
import { long } from './support';

// ---- mutations ---------------------------------------------------------------

export type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; char: string }
  | { kind: 'duplicateLines'; at: number; count: number }
  | { kind: 'deleteLines'; at: number; count: number }
  | { kind: 'nest'; at: number; depth: number; open: '[' | '{' | '(' | '${' }
  | { kind: 'hugeString'; at: number; length: number; char: string }
  | { kind: 'crlf' }
  | { kind: 'cr' }
  | { kind: 'bom' }
  | { kind: 'invalidUtf8'; at: number; bytes: number[] }
  | { kind: 'nul'; at: number; count: number }
  | { kind: 'splice'; at: number; text: string };


/** Pieces of template syntax that make interesting garbage when spliced in. */
const SYNTAX = [
  '{', '}', '[', ']', '"', '\\', '\\"', ',', ':', '=', '${', '%{', '}}', '{{', '{{user `x`}}', '${var.x}', '${local.y}', 'provisioner "ansible" {', 'build {',
  '"type": "ansible",', '"ansible_env_vars": [', 'ansible_env_vars = [', '"ANSIBLE_SSH_CONTROL_PATH=/tmp/%h"', '<<EOF\n', '\nEOF\n', '/*', '*/', '//', '#', '\u2028', '\ud800', '\udfff', '😀', '\t', '\r', '\n', '\0',
];

/**
 * One mutation. Deep nesting and huge strings are bounded: by default up to
 * 2,000 levels and 20,000 characters in the fixed-seed tier and 100,000 levels
 * and 1,000,000 characters in the long run.
 */
export function mutationArb({ maxNest = long ? 100_000 : 2_000, maxHuge = long ? 1_000_000 : 20_000 } = {}): fc.Arbitrary<Mutation> {
  return fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), char: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom(...SYNTAX)) }),
    fc.record({ kind: fc.constant('duplicateLines' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), count: fc.integer({ min: 1, max: 12 }) }),
    fc.record({ kind: fc.constant('deleteLines' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), count: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant('nest' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), depth: fc.integer({ min: 1, max: maxNest }), open: fc.constantFrom('[' as const, '{' as const, '(' as const, '${' as const) }),
    fc.record({ kind: fc.constant('hugeString' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), length: fc.integer({ min: 1000, max: maxHuge }), char: fc.constantFrom('x', '%', '\\', '"', 'ü', '😀', ' ', '%h') }),
    fc.constant({ kind: 'crlf' as const }),
    fc.constant({ kind: 'cr' as const }),
    fc.constant({ kind: 'bom' as const }),
    fc.record({ kind: fc.constant('invalidUtf8' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.array(fc.integer({ min: 0x80, max: 0xff }), { minLength: 1, maxLength: 8 }) }),
    fc.record({ kind: fc.constant('nul' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), count: fc.integer({ min: 1, max: 4 }) }),
    fc.record({ kind: fc.constant('splice' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), text: fc.oneof(fc.constantFrom(...SYNTAX), fc.string({ unit: 'binary', maxLength: 40 })) }),
  );
}

export const mutation = mutationArb();

const pos = (text: string, at: number) => Math.min(text.length, Math.floor(at * (text.length + 1)));

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) out.push(i + 1);
  return out;
}

export function mutate(text: string, m: Mutation): string {
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, pos(text, m.at));
    case 'flip': {
      const i = Math.min(pos(text, m.at), Math.max(0, text.length - 1));
      return text.slice(0, i) + m.char + text.slice(i + 1);
    }
    case 'duplicateLines':
    case 'deleteLines': {
      const starts = lineStarts(text);
      const first = Math.min(starts.length - 1, Math.floor(m.at * starts.length));
      const from = starts[first];
      const to = starts[Math.min(starts.length - 1, first + m.count)] ?? text.length;
      const chunk = text.slice(from, to === from ? text.length : to);
      return m.kind === 'duplicateLines' ? text.slice(0, from) + chunk + chunk + text.slice(from + chunk.length) : text.slice(0, from) + text.slice(from + chunk.length);
    }
    case 'nest': {
      const i = pos(text, m.at);
      const close = { '[': ']', '{': '}', '(': ')', '${': '}' }[m.open];
      return text.slice(0, i) + m.open.repeat(m.depth) + close.repeat(m.depth) + text.slice(i);
    }
    case 'hugeString': {
      // Inside a string when there is one near, else anywhere.
      const i = pos(text, m.at);
      const q = text.indexOf('"', i);
      const at = q >= 0 ? q + 1 : i;
      // A run of `"` is capped: tree-sitter-hcl's error recovery is quadratic on consecutive string
      // tokens (40,000 `"` take seconds to parse, see docs/BENCHMARKS.md), which would stall the long run.
      const length = m.char === '"' ? Math.min(m.length, 20_000) : m.length;
      return text.slice(0, at) + m.char.repeat(Math.ceil(length / m.char.length)) + text.slice(at);
    }
    case 'crlf':
      return text.replace(/\r?\n/g, '\r\n');
    case 'cr':
      return text.replace(/\r?\n/g, '\r');
    case 'bom':
      return `\ufeff${text}`;
    case 'invalidUtf8': {
      // Bytes that are not UTF-8 inserted into the encoded file, decoded as an editor would (U+FFFD), or as Latin-1.
      const buf = Buffer.from(text, 'utf8');
      const i = Math.min(buf.length, Math.floor(m.at * (buf.length + 1)));
      const bad = Buffer.concat([buf.subarray(0, i), Buffer.from(m.bytes), buf.subarray(i)]);
      return m.bytes[0] & 1 ? bad.toString('latin1') : bad.toString('utf8');
    }
    case 'nul': {
      const i = pos(text, m.at);
      return text.slice(0, i) + '\0'.repeat(m.count) + text.slice(i);
    }
    case 'splice': {
      const i = pos(text, m.at);
      return text.slice(0, i) + m.text + text.slice(i);
    }
  }
}

/** Names to analyse a text as: its own, or another format's (a JSON text read as HCL is garbage too). */
export const fileName = (own: string): fc.Arbitrary<string> => fc.oneof({ weight: 4, arbitrary: fc.constant(own) }, { weight: 1, arbitrary: fc.constantFrom('template.json', 'template.pkr.hcl', 'template.pkr.json', 'vars.pkrvars.hcl', 'not-a-template.json') });

// ---- structured templates ---------------------------------------------------------

/** ansible_env_vars entries, from the settings the rules and the oracle tests know about. */
export const ENV_VARS = [
  'ANSIBLE_SSH_ARGS=-o ControlMaster=auto -o ControlPersist=60s',
  'ANSIBLE_SSH_ARGS=-o ControlMaster=auto',
  'ANSIBLE_SSH_ARGS=-o ControlMaster=no',
  'ANSIBLE_SSH_ARGS=-C -o ControlMaster=auto -o ControlPersist=60s -o ControlPath=/tmp/cp-%h-%p-%r',
  'ANSIBLE_SSH_ARGS=-o ControlMaster=auto -o ControlPersist=30m -o ControlPath=/tmp/cp-%%h-%%p',
  'ANSIBLE_SSH_ARGS=-o HostKeyAlgorithms=+ssh-rsa -o PubkeyAcceptedKeyTypes=+ssh-rsa',
  'ANSIBLE_SSH_ARGS=-o ControlPersist=60s -o ControlPath=/home/builder/.ansible/cp/%C',
  'ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r',
  'ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%h-%p-%r',
  'ANSIBLE_SSH_CONTROL_PATH=/tmp/%%C',
  'ANSIBLE_SSH_CONTROL_PATH=%(directory)s/%%h-%%r',
  'ANSIBLE_SSH_CONTROL_PATH=~/.ansible/cp/%%h-%%p-%%r',
  'ANSIBLE_SSH_CONTROL_PATH=/var/lib/jenkins/workspace/some-very-long-pipeline-name/and-a-branch-name/ansible/cp/%%h-%%p-%%r',
  'ANSIBLE_SSH_CONTROL_PATH=/tmp/ü-😀-%h',
  'ANSIBLE_SSH_CONTROL_PATH=',
  'ANSIBLE_SSH_CONTROL_PATH_DIR=/tmp/acp',
  'ANSIBLE_SSH_CONTROL_PATH_DIR=/root/.ansible/cp',
  'ANSIBLE_SSH_CONTROL_PATH_DIR=/dev/shm/ansible',
  'ANSIBLE_SSH_CONTROL_PATH_DIR=/workspace/.cp',
  'ANSIBLE_CONFIG=./ansible.cfg',
  'ANSIBLE_CONFIG=cfg/ansible.cfg',
  'ANSIBLE_CONFIG=/nowhere/ansible.cfg',
  'ANSIBLE_HOST_KEY_CHECKING=False',
  'ANSIBLE_SCP_IF_SSH=True',
  'ANSIBLE_SSH_PIPELINING=True',
  'ANSIBLE_SSH_TRANSFER_METHOD=smart',
  'ANSIBLE_NOCOLOR',
  'ANSIBLE_FORCE_COLOR=1',
  'ANSIBLE_REMOTE_TEMP=/tmp/.ansible',
  'ANSIBLE_SSH_CONTROL_PATH=${CP}',
  'ANSIBLE_SSH_CONTROL_PATH={{ user `cp` }}',
  'ANSIBLE_SSH_CONTROL_PATH={{env `CP`}}',
  'ANSIBLE_SSH_CONTROL_PATH=${var.cp}',
  'ANSIBLE_SSH_CONTROL_PATH=${local.cp}',
];

/** extra_arguments groups (each group is consecutive list items). */
export const EXTRA_ARGS: string[][] = [
  ['--ssh-extra-args', '-o ControlPath=/tmp/cp-%h-%p-%r'],
  ['--ssh-extra-args', '-o HostKeyAlgorithms=+ssh-rsa -o PubkeyAcceptedKeyTypes=+ssh-rsa'],
  ['--ssh-extra-args', "'-o IdentitiesOnly=yes'"],
  ['--ssh-extra-args=-o ControlPersist=60s -o ControlMaster=auto'],
  ['--ssh-common-args', '-o ControlPath=/tmp/cc-%h-%p -o HostKeyAlgorithms=+ssh-rsa -o PubkeyAcceptedKeyTypes=+ssh-rsa'],
  ['--ssh-common-args=-o ControlPath=/tmp/cc-%%h-%%p'],
  ['--ssh-common-args', '-o ControlMaster=auto -o ControlPersist=60s -o ControlPath=/tmp/x/%C'],
  ['--scp-extra-args', "'-O'"],
  ['--scp-extra-args', '-O'],
  ['--sftp-extra-args', '-o ControlPath=/tmp/sftp-%h'],
  ['-e', 'ansible_ssh_common_args="-o ControlPath=/tmp/e-%h"'],
  ['--extra-vars', 'ansible_python_interpreter=/usr/bin/python3'],
  ['-vvv'],
  ['--become'],
  ['--connection', 'paramiko'],
];

/** ansible.cfg files to put beside the template. */
export const CFGS = [
  '[ssh_connection]\ncontrol_path = /tmp/ansible-%%h-%%p-%%r\n',
  '[ssh_connection]\ncontrol_path = /tmp/ansible-%h-%p-%r\n',
  '[ssh_connection]\ncontrol_path = %(directory)s/%%h-%%r\ncontrol_path_dir = /tmp/.cp\n',
  '[ssh_connection]\ncontrol_path_dir = /home/builder/.ansible/cp\n',
  '[ssh_connection]\nssh_args = -o ControlMaster=auto -o ControlPersist=60s\npipelining = True\n',
  '[ssh_connection]\nssh_args = -o ControlMaster=no\n',
  '[defaults]\nhost_key_checking = False\nremote_tmp = /tmp/.ansible\n',
  '[defaults]\nroles_path = roles\n\n[ssh_connection]\nscp_if_ssh = True\ncontrol_path: /var/tmp/some/rather/long/directory/name/for/sockets/that/goes/on/and/on/%%h-%%p-%%r\n',
  '# comment only\n',
  '[ssh_connection\ncontrol_path = broken\n',
];

export interface ProvisionerSpec {
  env: (string | number | boolean | null)[] | string | undefined;
  extra: string[][] | undefined;
  /** Other attributes of the provisioner. */
  useProxy: boolean | undefined;
  user: string | undefined;
  /** Put ansible_env_vars twice (legacy JSON: the last wins in Packer). */
  duplicateEnv: boolean;
  /** A builder override (legacy JSON only). */
  override: (string | number)[] | undefined;
}

export interface TemplateSpec {
  format: 'json' | 'hcl' | 'hcl-json';
  provisioners: ProvisionerSpec[];
  communicator: 'ssh' | 'winrm' | 'none' | undefined;
  /** `cp` variable default (legacy user variable, HCL variable/local). */
  cpVar: string | null | undefined;
  indent: string;
  oneLineLists: boolean;
  crlf: boolean;
  trailingNewline: boolean;
  cfg: string | undefined;
  cfgInSub: string | undefined;
  /** Tool versions the analysis is told (the toolchain rules are silent without them). */
  toolchain: Toolchain | undefined;
  /** HCL2 `required_plugins` constraint for the ansible plugin. */
  requiredAnsible: string | undefined;
}

export const TOOLCHAINS: Toolchain[] = [
  { packer: '1.6.6', openssh: '9.2p1' },
  { packer: '1.9.4', ansiblePlugin: '1.0.4', openssh: '9.2p1' },
  { packer: '1.11.2', ansiblePlugin: '1.1.1', openssh: '9.6p1' },
  { openssh: '8.4p1' },
  { openssh: '8.9p1' },
];

const envItem: fc.Arbitrary<string | number | boolean | null> = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom(...ENV_VARS) },
  { weight: 1, arbitrary: fc.constantFrom(42, true, null) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Z_]{1,12}(=[a-z0-9/%.-]{0,20})?$/) },
);

export const provisionerSpec: fc.Arbitrary<ProvisionerSpec> = fc.record({
  env: fc.oneof(
    { weight: 6, arbitrary: fc.array(envItem, { maxLength: 5 }) },
    { weight: 1, arbitrary: fc.constantFrom(...ENV_VARS) },
    { weight: 2, arbitrary: fc.constant(undefined) },
  ),
  extra: fc.option(fc.array(fc.constantFrom(...EXTRA_ARGS), { maxLength: 4 }), { nil: undefined }),
  useProxy: fc.option(fc.boolean(), { nil: undefined }),
  user: fc.option(fc.constantFrom('ubuntu', 'ec2-user', 'root'), { nil: undefined }),
  duplicateEnv: fc.boolean(),
  override: fc.option(fc.array(fc.oneof(fc.constantFrom(...ENV_VARS), fc.constant(7)), { maxLength: 2 }), { nil: undefined }),
});

export const templateSpec: fc.Arbitrary<TemplateSpec> = fc.record({
  format: fc.constantFrom('json' as const, 'hcl' as const, 'hcl-json' as const),
  provisioners: fc.array(provisionerSpec, { minLength: 1, maxLength: 3 }),
  communicator: fc.option(fc.constantFrom('ssh' as const, 'winrm' as const, 'none' as const), { nil: undefined }),
  cpVar: fc.option(fc.constantFrom('/tmp/cp-%%h-%%p', '/tmp/cp-%h', '/home/u/.ansible/cp/%%h', null), { nil: undefined }),
  indent: fc.constantFrom('  ', '    ', '\t', ' '),
  oneLineLists: fc.boolean(),
  crlf: fc.boolean(),
  trailingNewline: fc.boolean(),
  cfg: fc.option(fc.constantFrom(...CFGS), { nil: undefined }),
  cfgInSub: fc.option(fc.constantFrom(...CFGS), { nil: undefined }),
  toolchain: fc.option(fc.constantFrom(...TOOLCHAINS), { nil: undefined }),
  requiredAnsible: fc.option(fc.constantFrom('>= 1.0.0', '~> 1.1', '1.0.4', '>= 1.1.0, < 2.0.0'), { nil: undefined }),
});

const q = (s: string) => JSON.stringify(s);
/** An HCL quoted string: JSON's escapes are HCL's, plus `${`/`%{` must stay literal unless meant. */
const hq = (s: string) => (s.includes('${var.') || s.includes('${local.') ? q(s) : q(s).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{'));
const jv = (v: string | number | boolean | null) => (typeof v === 'string' ? q(v) : String(v));
const hv = (v: string | number | boolean | null) => (typeof v === 'string' ? hq(v) : String(v));

function list(items: string[], indent: string, depth: number, oneLine: boolean): string {
  if (items.length === 0) return '[]';
  if (oneLine) return `[${items.join(', ')}]`;
  const pad = indent.repeat(depth + 1);
  return `[\n${items.map((i) => `${pad}${i}`).join(',\n')}\n${indent.repeat(depth)}]`;
}

/** Renders a template spec to its file name, text and sibling files. */
export function renderTemplate(s: TemplateSpec): { name: string; text: string; siblings: Record<string, string> } {
  const I = s.indent;
  const siblings: Record<string, string> = {};
  if (s.cfg) siblings['ansible.cfg'] = s.cfg;
  if (s.cfgInSub) siblings['cfg/ansible.cfg'] = s.cfgInSub;
  let name: string;
  let text: string;
  if (s.format === 'hcl') {
    name = 'template.pkr.hcl';
    const lines: string[] = [];
    if (s.requiredAnsible) {
      lines.push('packer {', `${I}required_plugins {`, `${I}${I}ansible = {`, `${I}${I}${I}version = ${q(s.requiredAnsible)}`, `${I}${I}${I}source  = "github.com/hashicorp/ansible"`, `${I}${I}}`, `${I}}`, '}', '');
    }
    if (s.cpVar !== undefined) {
      lines.push('variable "cp" {', s.cpVar === null ? `${I}type = string` : `${I}default = ${hq(s.cpVar)}`, '}', '', 'locals {', `${I}cp = var.cp`, '}', '');
    }
    lines.push('source "null" "x" {', `${I}ssh_host     = "127.0.0.1"`, `${I}ssh_username = "root"`);
    if (s.communicator) lines.push(`${I}communicator = ${q(s.communicator)}`);
    lines.push('}', '', 'build {', `${I}sources = ["source.null.x"]`);
    for (const p of s.provisioners) {
      lines.push('', `${I}provisioner "ansible" {`, `${I}${I}playbook_file = "playbook.yml"`);
      const env = p.env === undefined ? [] : [p.env];
      if (p.duplicateEnv && p.env !== undefined) env.unshift(['ANSIBLE_NOCOLOR=1']);
      for (const e of env) lines.push(`${I}${I}ansible_env_vars = ${typeof e === 'string' ? hq(e) : list(e.map(hv), I, 2, s.oneLineLists)}`);
      if (p.extra) lines.push(`${I}${I}extra_arguments = ${list(p.extra.flat().map(hq), I, 2, s.oneLineLists)}`);
      if (p.useProxy !== undefined) lines.push(`${I}${I}use_proxy = ${p.useProxy}`);
      if (p.user) lines.push(`${I}${I}user = ${q(p.user)}`);
      lines.push(`${I}}`);
    }
    lines.push('}');
    text = lines.join('\n');
  } else {
    // Legacy JSON and HCL2 JSON, written by hand so that indentation, one-line lists and duplicate keys are ours to choose.
    const obj = (entries: string[], depth: number) => (entries.length === 0 ? '{}' : `{\n${entries.map((e) => `${I.repeat(depth + 1)}${e}`).join(',\n')}\n${I.repeat(depth)}}`);
    const provBody = (p: ProvisionerSpec, depth: number, legacy: boolean): string[] => {
      const e: string[] = [];
      if (legacy) e.push('"type": "ansible"');
      e.push('"playbook_file": "playbook.yml"');
      const envs = p.env === undefined ? [] : [p.env];
      if (p.duplicateEnv && p.env !== undefined) envs.unshift(['ANSIBLE_NOCOLOR=1']);
      for (const v of envs) e.push(`"ansible_env_vars": ${typeof v === 'string' ? q(v) : list(v.map(jv), I, depth + 1, s.oneLineLists)}`);
      if (p.extra) e.push(`"extra_arguments": ${list(p.extra.flat().map(q), I, depth + 1, s.oneLineLists)}`);
      if (p.useProxy !== undefined) e.push(`"use_proxy": ${p.useProxy}`);
      if (p.user) e.push(`"user": ${q(p.user)}`);
      if (legacy && p.override) e.push(`"override": ${obj([`"x": ${obj([`"ansible_env_vars": ${list(p.override.map(jv), I, depth + 3, s.oneLineLists)}`], depth + 2)}`], depth + 1)}`);
      return e;
    };
    if (s.format === 'json') {
      name = 'template.json';
      const top: string[] = [];
      const ref = (v: string) => v.replace('${var.cp}', '{{user `cp`}}').replace('${local.cp}', '{{user `cp`}}');
      if (s.cpVar !== undefined) top.push(`"variables": ${obj([`"cp": ${s.cpVar === null ? 'null' : q(s.cpVar)}`], 1)}`);
      top.push(`"builders": ${list([obj(['"type": "null"', '"name": "x"', '"ssh_host": "127.0.0.1"', '"ssh_username": "root"', ...(s.communicator ? [`"communicator": ${q(s.communicator)}`] : [])], 2)], I, 1, false)}`);
      top.push(`"provisioners": ${list(s.provisioners.map((p) => obj(provBody({ ...p, env: Array.isArray(p.env) ? p.env.map((x) => (typeof x === 'string' ? ref(x) : x)) : p.env === undefined ? undefined : ref(p.env) }, 2, true), 2)), I, 1, false)}`);
      text = obj(top, 0);
    } else {
      name = 'template.pkr.json';
      const top: string[] = [];
      if (s.requiredAnsible) top.push(`"packer": ${obj([`"required_plugins": ${obj([`"ansible": ${obj([`"version": ${q(s.requiredAnsible)}`, '"source": "github.com/hashicorp/ansible"'], 3)}`], 2)}`], 1)}`);
      if (s.cpVar !== undefined) top.push(`"variable": ${obj([`"cp": ${obj(s.cpVar === null ? ['"type": "string"'] : [`"default": ${q(s.cpVar)}`], 2)}`], 1)}`);
      top.push(`"source": ${obj([`"null": ${obj([`"x": ${obj(['"ssh_host": "127.0.0.1"', '"ssh_username": "root"', ...(s.communicator ? [`"communicator": ${q(s.communicator)}`] : [])], 3)}`], 2)}`], 1)}`);
      const provs = s.provisioners.map((p) => obj([`"ansible": ${obj(provBody(p, 3, false), 3)}`], 2));
      top.push(`"build": ${obj(['"sources": ["source.null.x"]', `"provisioner": ${list(provs, I, 2, false)}`], 1)}`);
      text = obj(top, 0);
    }
  }
  if (s.trailingNewline) text += '\n';
  if (s.crlf) {
    text = text.replace(/\n/g, '\r\n');
    for (const k of Object.keys(siblings)) siblings[k] = siblings[k].replace(/\n/g, '\r\n');
  }
  return { name, text, siblings };
}
