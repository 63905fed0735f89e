/**
 * The versions of the tools that will run the build, as far as they are
 * known, and the two facts that depend on them (docs/facts.md, "Toolchain
 * versions"):
 * - Packer's SSH proxy for the ansible provisioner offered only `ssh-rsa`
 *   host keys until packer-plugin-ansible 1.1.0 (ECDSA since, with
 *   `ansible_proxy_key_type`); OpenSSH 8.8 and later refuse `ssh-rsa`.
 * - OpenSSH 9.0 and later `scp` speaks SFTP, which no version of the proxy
 *   completes for scp (it sends no exit status on the sftp subsystem).
 */
import * as semver from 'semver';
import type { RequiredPlugin } from './types';

export interface Toolchain {
  /** `packer version`, e.g. `1.6.6`. */
  packer?: string;
  /** The packer-plugin-ansible that runs, e.g. `1.1.1` (from `packer plugins installed`). */
  ansiblePlugin?: string;
  /** ansible-core, e.g. `2.19.4` (from `ansible --version`). */
  ansible?: string;
  /** The OpenSSH client, e.g. `9.2p1` (from `ssh -V`). */
  openssh?: string;
}

export const ECDSA_PROXY_PLUGIN = '1.1.0';
export const OPENSSH_REFUSES_SSH_RSA = '8.8.0';
export const OPENSSH_SCP_USES_SFTP = '9.0.0';

function coerce(v: string | undefined): semver.SemVer | undefined {
  return v ? semver.coerce(v) ?? undefined : undefined;
}

/** `version >= min`, or undefined when the version is not known. */
export function atLeast(version: string | undefined, min: string): boolean | undefined {
  const v = coerce(version);
  return v ? semver.gte(v, min) : undefined;
}

/**
 * Whether every version a HashiCorp constraint (`>= 1.0.0, < 1.1.0`, `~> 1.0`, `= 1.0.4`)
 * allows is at least `min` (true), below it (false), or some of each (undefined).
 */
export function constraintAtLeast(constraint: string, min: string): boolean | undefined {
  let lo: semver.SemVer | undefined;
  let hi: semver.SemVer | undefined; // exclusive
  for (const part of constraint.split(',')) {
    const m = /^\s*(~>|>=|<=|!=|=|>|<)?\s*v?([0-9][0-9A-Za-z.+-]*)\s*$/.exec(part);
    if (!m) return undefined;
    const op = m[1] ?? '=';
    const v = coerce(m[2]);
    if (!v) return undefined;
    const segments = m[2].split('.').length;
    const raise = (x: semver.SemVer) => (!lo || semver.gt(x, lo) ? (lo = x) : lo);
    const lower = (x: semver.SemVer) => (!hi || semver.lt(x, hi) ? (hi = x) : hi);
    if (op === '=' ) { raise(v); lower(semver.parse(semver.inc(v, 'patch'))!); }
    else if (op === '>=' || op === '>') raise(op === '>' ? semver.parse(semver.inc(v, 'patch'))! : v);
    else if (op === '<') lower(v);
    else if (op === '<=') lower(semver.parse(semver.inc(v, 'patch'))!);
    else if (op === '~>') { raise(v); lower(semver.parse(semver.inc(v, segments >= 3 ? 'minor' : 'major'))!); }
  }
  if (lo && semver.gte(lo, min)) return true;
  if (hi && semver.lte(hi, min)) return false;
  return undefined;
}

/**
 * Whether Packer's proxy will offer only an `ssh-rsa` host key: true/false, or
 * undefined when the provisioner's version cannot be told.
 */
export function proxyOffersOnlyRsa(toolchain: Toolchain, plugins: RequiredPlugin[], keyType: string | undefined): boolean | undefined {
  if (keyType !== undefined) return keyType.toUpperCase() === 'RSA';
  const plugin = atLeast(toolchain.ansiblePlugin, ECDSA_PROXY_PLUGIN);
  if (plugin !== undefined) return !plugin;
  // Up to 1.6.x the provisioner was built into Packer, with RSA keys; 1.7 to 1.9 bundle a copy of unknown version.
  if (atLeast(toolchain.packer, '1.7.0') === false) return true;
  const required = plugins.find((p) => p.name === 'ansible' || /\/ansible$/.test(p.source ?? ''));
  if (required?.version) {
    const fixed = constraintAtLeast(required.version, ECDSA_PROXY_PLUGIN);
    if (fixed !== undefined) return !fixed;
  }
  return undefined;
}

/**
 * The ansible-core behaviours that matter here, by version (docs/facts.md):
 * - `le214`: 2.14 and earlier strip one pair of outer quotes from every
 *   string setting, whatever its origin; `scp_if_ssh` (which Packer sets to
 *   True unless `use_sftp`) makes file transfers use scp.
 * - `215to216`: only ansible.cfg values are unquoted (ansible/ansible#82387); transfers still scp.
 * - `ge217`: `scp_if_ssh` is gone; `ssh_transfer_method` defaults to `smart`,
 *   which transfers with sftp first: Packer's ANSIBLE_SCP_IF_SSH has no effect.
 */
export type AnsibleClass = 'le214' | '215to216' | 'ge217';

/**
 * A combination of version-dependent behaviours a plan is computed under.
 * When the versions are known there is one; when the ansible-core version is
 * not, each class, and findings say which versions they hold for. An
 * unknown provisioner version is taken as a current packer-plugin-ansible.
 */
export interface Flavor {
  ansible: AnsibleClass;
  /** How Packer passes a list `ansible_ssh_extra_args` (see socketPlan.ts). */
  sshExtraArgsJoin: 'joined' | 'quoted-items';
}

/** True when this ansible-core strips quotes from settings of every origin. */
export const unquotesAll = (f: Flavor): boolean => f.ansible === 'le214';

/** The first ansible-core that unquotes only ansible.cfg values (ansible/ansible#82387). */
export const ANSIBLE_KEEPS_QUOTES = '2.15.0';
/** The first ansible-core without `scp_if_ssh`, transferring with sftp first. */
export const ANSIBLE_SFTP_FIRST = '2.17.0';
/** The first packer-plugin-ansible that quotes each `ansible_ssh_extra_args` item (hashicorp/packer-plugin-ansible#169, released in 1.1.1). */
export const PLUGIN_QUOTES_ITEMS = '1.1.1';

/** The current behaviour first: where flavors word a finding differently, the first one's words are kept. */
const CLASSES: AnsibleClass[] = ['ge217', '215to216', 'le214'];

function ansibleClass(version: string | undefined): AnsibleClass | undefined {
  if (atLeast(version, ANSIBLE_SFTP_FIRST)) return 'ge217';
  const keeps = atLeast(version, ANSIBLE_KEEPS_QUOTES);
  return keeps === undefined ? undefined : keeps ? '215to216' : 'le214';
}

/** The flavors the toolchain allows. */
export function flavorsFor(toolchain: Toolchain): Flavor[] {
  const known = ansibleClass(toolchain.ansible);
  // Unknown: a current packer-plugin-ansible (Packer 1.7-1.9, which bundled older copies, are long out of support).
  const items = pluginQuotesItems(toolchain) ?? true;
  const sshExtraArgsJoin: Flavor['sshExtraArgsJoin'] = items ? 'quoted-items' : 'joined';
  return (known ? [known] : CLASSES).map((ansible) => ({ ansible, sshExtraArgsJoin }));
}

/** Whether the provisioner that runs quotes `ansible_ssh_extra_args` items one by one; undefined when not known. */
function pluginQuotesItems(toolchain: Toolchain): boolean | undefined {
  const plugin = atLeast(toolchain.ansiblePlugin, PLUGIN_QUOTES_ITEMS);
  if (plugin !== undefined) return plugin;
  // Packer up to 1.6 has the provisioner built in, with the old join.
  if (atLeast(toolchain.packer, '1.7.0') === false) return false;
  return undefined;
}

/** The ansible-core versions a set of classes stands for. */
function describeClasses(classes: Set<AnsibleClass>): string {
  const key = (['le214', '215to216', 'ge217'] as const).filter((c) => classes.has(c)).join(',');
  const names: Record<string, string> = {
    le214: 'ansible-core 2.14 and earlier',
    '215to216': 'ansible-core 2.15 and 2.16',
    ge217: 'ansible-core 2.17 and later',
    'le214,215to216': 'ansible-core 2.16 and earlier',
    '215to216,ge217': 'ansible-core 2.15 and later',
    'le214,ge217': 'ansible-core 2.14 and earlier, or 2.17 and later',
  };
  return names[key] ?? 'every ansible-core';
}

/** The versions a set of flavors stands for, for messages ("ansible-core 2.15 and later"); undefined when it is all of them. */
export function describeFlavors(flavors: Flavor[], all: Flavor[]): string | undefined {
  const has = (f: Flavor) => flavors.some((x) => x.ansible === f.ansible && x.sshExtraArgsJoin === f.sshExtraArgsJoin);
  if (all.every(has)) return undefined;
  return describeClasses(new Set(all.filter(has).map((f) => f.ansible)));
}
