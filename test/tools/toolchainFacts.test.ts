// The oracle tier, version by version: facts whose outcome depends on the
// ansible-core / OpenSSH version (issue #10), each built on both real toolchains
// (test/tools/toolchains.ts) and asserted with each toolchain's own outcome:
//   (a) quoted values by origin (ansible_env_vars, ansible.cfg, --ssh-common-args, -e);
//   (b) Packer 1.6.6's ansible_ssh_extra_args, and a stand-in for packer-plugin-ansible
//       1.1.1's per-item quoting (the plugin cannot run here: no plugin registry);
//   (c) --connection packer with the connection plugin Packer's docs give;
//   (d) connection variables in extra vars, and the precedence of the origins;
//   (e) Packer's working directory for relative paths, ~ in ANSIBLE_CONFIG;
//   (f) an ansible.cfg with a UTF-8 byte-order mark;
//   (i) an empty ANSIBLE_SSH_ARGS.
// (g), OpenSSH 10.0's ControlPath length limit, is facts.test.ts's length section, run on both.
// docs/facts.md ("What differs between the toolchains") lists them with the messages recorded here.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { analysedRules } from './analysed';
import {
  BASELINE_EXTRA_ARGUMENTS, COMMON_EXTRA_ARGUMENTS, HOSTKEY_ARGS, ansibleProvisioner, optionOf, sharedSshd, stopSharedSshd,
  type BuildOptions, type BuildResult,
} from './packer';
import { assertBuilt, assertFailed, expanded, transferCommands, transferControlPaths, uniq } from './assertions';
import { Builds, onEachToolchain, per, requireOracleTools } from './scenarios';
import type { ToolchainName } from './toolchains';
import {
  BAD_KEY_TYPES_RUN_TOGETHER, CFG_UNREADABLE_AT_PREPARE, EXTRA_ARGUMENTS_AT_END, NO_SUCH_FILE_BIND, PACKER_PLUGIN_NO_OPTIONS_214,
  PACKER_PLUGIN_NO_OPTIONS_219, PLAYBOOK_FILE_INVALID, SCP_UNKNOWN_OPTION, TRANSFER_FAILED, UNREACHABLE,
} from './messages';

const TAG = `pbv-${randomBytes(3).toString('hex')}`;
const builds = new Builds();

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const defaultCp = (r: BuildResult) => new RegExp(`^${escape(r.home)}/\\.ansible/cp/[0-9a-f]{10}$`);
/** The one master socket of a build: ssh bound it and it was seen on disk. */
function assertSocket(r: BuildResult, want: string | RegExp): void {
  assert.equal(r.muxListeners.length, 1, `master sockets: ${JSON.stringify(r.muxListeners)}`);
  const s = r.muxListeners[0]!;
  if (typeof want === 'string') assert.equal(s, want); else assert.match(s, want);
  assert.ok(r.sockets.includes(s), `${s} not seen on disk (saw ${JSON.stringify(r.sockets)})`);
}
/** On trixie (quotes kept): ssh got one word holding several options and failed; on bookworm: the build worked. */
function assertQuotesBreakSsh(r: BuildResult, keepsQuotes: boolean, keyword: string): void {
  if (keepsQuotes) {
    assertFailed(r, EXTRA_ARGUMENTS_AT_END(keyword));
    assert.match(r.ui, UNREACHABLE);
  } else {
    assertBuilt(r);
  }
}
/** Each ssh command's argv after the program and `-vvv`, as Ansible ran it. */
const sshArgv = (r: BuildResult) => r.sshCommands.map((a) => a.slice(1));

/** Packer's documented connection plugin for Windows through the proxy (docs/provisioners/ansible, "Connection plugin"). */
const PACKER_CONNECTION_PLUGIN = `from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.plugins.connection.ssh import Connection as SSHConnection


class Connection(SSHConnection):
    ''' ssh based connections for powershell via packer'''

    transport = 'packer'
    has_pipelining = True
    become_methods = []
    allow_executable = False
    module_implementation_preferences = ('.ps1', '')

    def __init__(self, *args, **kwargs):
        super(Connection, self).__init__(*args, **kwargs)
`;

/**
 * The shape of Packer's later example (examples/ansible/connection-plugin/2.6.x, copied into real
 * repositories): the same class with a DOCUMENTATION block listing the ssh plugin's options of
 * ansible 2.6. Only a few are written out here; what matters is that newer ssh plugins ask for
 * options the list lacks.
 */
const PACKER_CONNECTION_PLUGIN_DOCUMENTED = PACKER_CONNECTION_PLUGIN.replace('\n\nclass Connection', `
DOCUMENTATION = '''
    connection: packer
    short_description: ssh based connections for powershell via packer
    description:
        - ssh based connections for powershell via packer
    author: Packer Community
    version_added: na
    options:
      host:
          description: Hostname/ip to connect to.
          default: inventory_hostname
          vars:
               - name: ansible_host
      ssh_args:
          description: Arguments to pass to all ssh cli tools
          default: '-C -o ControlMaster=auto -o ControlPersist=60s'
          env:
              - name: ANSIBLE_SSH_ARGS
      control_path:
        description: the ControlPath
        env:
          - name: ANSIBLE_SSH_CONTROL_PATH
      control_path_dir:
        default: ~/.ansible/cp
        description: the ControlPath directory
        env:
          - name: ANSIBLE_SSH_CONTROL_PATH_DIR
'''

class Connection`);
/** Either toolchain's words for a connection plugin option missing from the plugin's own definitions. */
const PACKER_PLUGIN_OPTION_MISSING = /Requested entry \(plugin_type: connection plugin: packer setting: \w+ \) was not defined in configuration|No config definition exists for '\w+' for 'packer' connection plugin/;

describe('oracle: facts that depend on the versions, on each real toolchain', function () {
  this.timeout(240_000);

  before(async function () {
    requireOracleTools(this);
    await sharedSshd();
  });

  after(async () => {
    await stopSharedSshd();
    for (const n of fs.readdirSync('/tmp')) if (n.startsWith(TAG)) fs.rmSync(path.join('/tmp', n), { recursive: true, force: true });
  });

  onEachToolchain(builds, (tc: ToolchainName) => {
    const U = `/tmp/${TAG}-${tc[0]}`;
    const scenario = (name: string, opts: BuildOptions) => builds.add(tc, name, { ...opts, toolchain: tc });
    /** ansible-core 2.14 strips the quotes from every setting; 2.19 keeps them except in ansible.cfg. */
    const keepsQuotes = tc === 'trixie';

    describe('(a) quoted values by origin', () => {
      const twoOptions = '-o ControlMaster=auto -o ControlPersist=60s';
      for (const [q, label] of [["'", 'single'], ['"', 'double']] as const) {
        const s = scenario(`envSshArgs.${label}`, { provisioner: ansibleProvisioner({ extra_arguments: [...COMMON_EXTRA_ARGUMENTS], ansible_env_vars: [`ANSIBLE_SSH_ARGS=${q}${twoOptions}${q}`] }) });
        it(`ansible_env_vars ANSIBLE_SSH_ARGS=${q}${twoOptions}${q}: ${per(tc, { bookworm: 'quotes stripped, builds, socket in ~/.ansible/cp', trixie: 'quotes kept, ssh gets one word: "keyword controlmaster extra arguments at end of line", UNREACHABLE' })}`, async () => {
          const r = await s();
          if (keepsQuotes) {
            assertFailed(r, EXTRA_ARGUMENTS_AT_END('controlmaster'));
            assert.match(r.ui, UNREACHABLE);
            assert.ok(sshArgv(r)[0]!.includes(twoOptions), JSON.stringify(r.sshCommands[0]));
          } else {
            assertBuilt(r);
            assert.equal(optionOf(r.sshCommands[0]!, 'ControlMaster'), 'auto');
            assertSocket(r, defaultCp(r));
          }
        });
      }

      const common = scenario('envCommonArgs', { provisioner: ansibleProvisioner({ extra_arguments: ['--scp-extra-args', "'-O'"], ansible_env_vars: [`ANSIBLE_SSH_COMMON_ARGS='${HOSTKEY_ARGS}'`] }) });
      it(`ansible_env_vars ANSIBLE_SSH_COMMON_ARGS='<host-key args>': ${per(tc, { bookworm: 'builds', trixie: '"keyword hostkeyalgorithms extra arguments at end of line", UNREACHABLE' })}`, async () => {
        const r = await common();
        assertQuotesBreakSsh(r, keepsQuotes, 'hostkeyalgorithms');
      });

      const scp = scenario('envScpExtraArgs', {
        provisioner: ansibleProvisioner({ extra_arguments: [...COMMON_EXTRA_ARGUMENTS.slice(0, 2)], ansible_env_vars: ["ANSIBLE_SCP_EXTRA_ARGS='-O -q'", 'ANSIBLE_SSH_TRANSFER_METHOD=scp'] }),
      });
      it(`ansible_env_vars ANSIBLE_SCP_EXTRA_ARGS='-O -q' (transfer method scp): ${per(tc, { bookworm: 'builds, scp gets -O and -q', trixie: 'scp gets "-O -q" as one word: "unknown option", failed to transfer file' })}`, async () => {
        const r = await scp();
        assert.ok(r.scpCommands.length > 0);
        if (keepsQuotes) {
          assertFailed(r, TRANSFER_FAILED);
          assert.match(r.ui, SCP_UNKNOWN_OPTION);
          assert.ok(r.scpCommands.every((a) => a.includes('-O -q')));
        } else {
          assertBuilt(r);
          assert.ok(r.scpCommands.every((a) => a.includes('-O') && a.includes('-q')));
        }
      });

      const cpSingle = scenario('envCpSingle', { provisioner: ansibleProvisioner({ ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH='${U}-qa-%%h-%%p-%%r'`] }), watch: [`${U}-qa-`] });
      it(`ansible_env_vars ANSIBLE_SSH_CONTROL_PATH='<prefix>%%h-%%p-%%r': ${per(tc, { bookworm: 'socket <prefix>127.0.0.1-<port>-<user>', trixie: "the quotes stay in the path: \"unix_listener: cannot bind to path '<prefix>…'.<random>: No such file or directory\", UNREACHABLE" })}`, async () => {
        const r = await cpSingle();
        if (keepsQuotes) {
          assertFailed(r, NO_SUCH_FILE_BIND);
          assert.match(r.ui, UNREACHABLE);
          // The path as ssh printed it, inside the repr of a Python bytes object (quotes escaped).
          const bound = r.ui.match(NO_SUCH_FILE_BIND)![1]!.replace(/\\'/g, "'");
          assert.ok(bound.startsWith(`'${expanded(r, `${U}-qa-`)}'.`), bound);
        } else {
          assertBuilt(r);
          assertSocket(r, expanded(r, `${U}-qa-`));
        }
      });

      const cpDouble = scenario('envCpDouble', { provisioner: ansibleProvisioner({ ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH="${U}-qb-%%h-%%p-%%r"`] }), watch: [`${U}-qb-`] });
      it('ansible_env_vars ANSIBLE_SSH_CONTROL_PATH="<prefix>%%h-%%p-%%r": builds, socket <prefix>127.0.0.1-<port>-<user> (2.19 keeps the quotes, ssh drops double quotes)', async () => {
        const r = await cpDouble();
        assertBuilt(r);
        assertSocket(r, expanded(r, `${U}-qb-`));
        assert.equal(r.sshCommands[0]!.includes(`ControlPath="${keepsQuotes ? `"${U}-qb-%h-%p-%r"` : `${U}-qb-%h-%p-%r`}"`), true, JSON.stringify(r.sshCommands[0]));
      });

      const dirSingle = scenario('envCpDirSingle', { provisioner: ansibleProvisioner({ ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH_DIR='${U}-qc'`] }), watch: [`${U}-qc/`, `@WORK@/'${U}-qc'/`] });
      it(`ansible_env_vars ANSIBLE_SSH_CONTROL_PATH_DIR='<dir>': ${per(tc, { bookworm: 'socket <dir>/<10 hex>', trixie: "builds, but the socket is in <packer's cwd>/'<dir>'/<10 hex>: Ansible makes the quoted name absolute from the working directory" })}`, async () => {
        const r = await dirSingle();
        assertBuilt(r);
        assertSocket(r, new RegExp(`^${escape(keepsQuotes ? `${r.workDir}/'${U}-qc'` : `${U}-qc`)}/[0-9a-f]{10}$`));
      });

      const dirDouble = scenario('envCpDirDouble', { provisioner: ansibleProvisioner({ ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH_DIR="${U}-qd"`] }), watch: [`${U}-qd/`] });
      it(`ansible_env_vars ANSIBLE_SSH_CONTROL_PATH_DIR="<dir>": ${per(tc, { bookworm: 'socket <dir>/<10 hex>', trixie: 'ssh drops the double quotes from <cwd>/"<dir>"/<hash>: "unix_listener: cannot bind to path <cwd>/<dir>/<hash>.<random>: No such file or directory", UNREACHABLE' })}`, async () => {
        const r = await dirDouble();
        if (keepsQuotes) {
          assertFailed(r, NO_SUCH_FILE_BIND);
          assert.match(r.ui, UNREACHABLE);
          assert.match(r.ui.match(NO_SUCH_FILE_BIND)![1]!, new RegExp(`^${escape(`${r.workDir}/${U}-qd/`)}[0-9a-f]{10}\\.[A-Za-z0-9]{16}$`));
        } else {
          assertBuilt(r);
          assertSocket(r, new RegExp(`^${escape(`${U}-qd`)}/[0-9a-f]{10}$`));
        }
      });

      const cfgArgs = scenario('cfgSshArgsQuoted', { provisioner: ansibleProvisioner({ extra_arguments: [...COMMON_EXTRA_ARGUMENTS] }), files: { 'ansible.cfg': `[ssh_connection]\nssh_args = '${twoOptions}'\n` } });
      it(`ansible.cfg ssh_args = '${twoOptions}': quotes stripped on both, builds, socket in ~/.ansible/cp`, async () => {
        const r = await cfgArgs();
        assertBuilt(r);
        assertSocket(r, defaultCp(r));
      });

      const cfgCp = scenario('cfgCpQuoted', { files: { 'ansible.cfg': `[ssh_connection]\ncontrol_path = '${U}-qe-%%h-%%p-%%r'\n` }, watch: [`${U}-qe-`] });
      it("ansible.cfg control_path = '<prefix>%%h-%%p-%%r': quotes stripped on both, socket <prefix>127.0.0.1-<port>-<user>", async () => {
        const r = await cfgCp();
        assertBuilt(r);
        assertSocket(r, expanded(r, `${U}-qe-`));
      });

      const cli = scenario('cliCommonQuoted', { provisioner: ansibleProvisioner({ extra_arguments: ['--ssh-common-args', `'${HOSTKEY_ARGS}'`, '--scp-extra-args', "'-O'"] }) });
      it(`extra_arguments "--ssh-common-args", "'<host-key args>'": ${per(tc, { bookworm: 'quotes stripped, builds', trixie: '"keyword hostkeyalgorithms extra arguments at end of line", UNREACHABLE' })}`, async () => {
        const r = await cli();
        assertQuotesBreakSsh(r, keepsQuotes, 'hostkeyalgorithms');
      });

      const varsJson = scenario('varsCommonQuoted', { provisioner: ansibleProvisioner({ extra_arguments: ['-e', JSON.stringify({ ansible_ssh_common_args: `'${HOSTKEY_ARGS}'` }), '--scp-extra-args', "'-O'"] }) });
      it(`extra vars -e '{"ansible_ssh_common_args": "'<host-key args>'"}' (quotes inside the value): ${per(tc, { bookworm: 'quotes stripped, builds', trixie: '"keyword hostkeyalgorithms extra arguments at end of line", UNREACHABLE' })}`, async () => {
        const r = await varsJson();
        assertQuotesBreakSsh(r, keepsQuotes, 'hostkeyalgorithms');
      });

      const varsKv = scenario('varsCommonKv', { provisioner: ansibleProvisioner({ extra_arguments: ['-e', `ansible_ssh_common_args='${HOSTKEY_ARGS}'`, '--scp-extra-args', "'-O'"] }) });
      it("extra vars -e ansible_ssh_common_args='<host-key args>' (key=value: the quotes are -e's own syntax, removed by its parser): builds on both", async () => {
        const r = await varsKv();
        assertBuilt(r);
        for (const argv of [...r.sshCommands, ...transferCommands(r)]) assert.equal(optionOf(argv, 'HostKeyAlgorithms'), '+ssh-rsa');
      });
    });

    describe("(b) ansible_ssh_extra_args as Packer 1.6.6 passes it, and packer-plugin-ansible 1.1.1's quoting (stand-in)", () => {
      const base = { extra_arguments: ['--scp-extra-args', "'-O'"] };
      const one = scenario('extraArgsOneItemOneOption', { provisioner: ansibleProvisioner({ ...base, ansible_ssh_extra_args: ['-o HostKeyAlgorithms=+ssh-rsa'] }) });
      it('one item holding one option, ["-o HostKeyAlgorithms=+ssh-rsa"]: Packer passes --ssh-extra-args \'-o HostKeyAlgorithms=+ssh-rsa\'; builds on both (2.19: ssh gets one word "-o HostKeyAlgorithms=+ssh-rsa", which it accepts)', async () => {
        const r = await one();
        assert.match(r.ui, /Executing Ansible: ansible-playbook .*--ssh-extra-args '-o HostKeyAlgorithms=\+ssh-rsa'/);
        assertBuilt(r);
        assert.ok(sshArgv(r).every((a) => a.includes(keepsQuotes ? '-o HostKeyAlgorithms=+ssh-rsa' : 'HostKeyAlgorithms=+ssh-rsa')));
      });

      const oneTwo = scenario('extraArgsOneItemTwoOptions', { provisioner: ansibleProvisioner({ ...base, ansible_ssh_extra_args: [HOSTKEY_ARGS] }) });
      it(`one item holding two options, ["${HOSTKEY_ARGS}"]: ${per(tc, { bookworm: 'builds', trixie: 'ssh gets one word: "keyword hostkeyalgorithms extra arguments at end of line", UNREACHABLE' })}`, async () => {
        const r = await oneTwo();
        assert.match(r.ui, new RegExp(`Executing Ansible: ansible-playbook .*--ssh-extra-args '${escape(HOSTKEY_ARGS)}'`));
        if (keepsQuotes) {
          assertFailed(r, EXTRA_ARGUMENTS_AT_END('hostkeyalgorithms'));
          assert.ok(sshArgv(r)[0]!.includes(HOSTKEY_ARGS));
        } else {
          assertBuilt(r);
        }
      });

      const two = scenario('extraArgsTwoItems', { provisioner: ansibleProvisioner({ ...base, ansible_ssh_extra_args: ['-o HostKeyAlgorithms=+ssh-rsa', '-o IdentitiesOnly=yes'] }) });
      it(`two items, ["-o HostKeyAlgorithms=+ssh-rsa", "-o IdentitiesOnly=yes"]: Packer 1.6.6 runs them together, '-o HostKeyAlgorithms=+ssh-rsa-o IdentitiesOnly=yes'; fails on both, "Bad key types '+ssh-rsa-o'" (${per(tc, { bookworm: 'words -o, HostKeyAlgorithms=+ssh-rsa-o, IdentitiesOnly=yes', trixie: 'one word' })})`, async () => {
        const r = await two();
        assert.match(r.ui, /Executing Ansible: ansible-playbook .*--ssh-extra-args '-o HostKeyAlgorithms=\+ssh-rsa-o IdentitiesOnly=yes'/);
        assertFailed(r, BAD_KEY_TYPES_RUN_TOGETHER);
        assert.match(r.ui, UNREACHABLE);
        assert.ok(keepsQuotes ? sshArgv(r)[0]!.includes('-o HostKeyAlgorithms=+ssh-rsa-o IdentitiesOnly=yes') : sshArgv(r)[0]!.includes('HostKeyAlgorithms=+ssh-rsa-o'), JSON.stringify(r.sshCommands[0]));
      });

      // packer-plugin-ansible >= 1.1.1 passes ["a", "b"] as the one argv element `'a' 'b'` (hashicorp/packer-plugin-ansible#169).
      // That plugin cannot run here; the same element reaches ansible-playbook through extra_arguments (the last --ssh-extra-args wins).
      const standIn = scenario('pluginQuotedItems', { provisioner: ansibleProvisioner({ extra_arguments: ['--ssh-extra-args', "'-o HostKeyAlgorithms=+ssh-rsa' '-o IdentitiesOnly=yes'", '--scp-extra-args', "'-O'"] }) });
      it(`stand-in for packer-plugin-ansible 1.1.1: --ssh-extra-args "'-o HostKeyAlgorithms=+ssh-rsa' '-o IdentitiesOnly=yes'": ${per(tc, { bookworm: 'fails: 2.14 strips the outer quotes, ssh gets the word "HostKeyAlgorithms=+ssh-rsa -o": "keyword hostkeyalgorithms extra arguments at end of line"', trixie: 'builds: two words, one option each' })}`, async () => {
        const r = await standIn();
        if (keepsQuotes) {
          assertBuilt(r);
          assert.ok(sshArgv(r).every((a) => a.includes('-o HostKeyAlgorithms=+ssh-rsa') && a.includes('-o IdentitiesOnly=yes')));
        } else {
          assertFailed(r, EXTRA_ARGUMENTS_AT_END('hostkeyalgorithms'));
          assert.match(r.ui, UNREACHABLE);
          assert.ok(sshArgv(r)[0]!.includes('HostKeyAlgorithms=+ssh-rsa -o'), JSON.stringify(r.sshCommands[0]));
        }
      });
    });

    describe("(c) --connection packer (Packer's documented ssh-based connection plugin)", () => {
      const packerConn = scenario('connectionPacker', {
        provisioner: ansibleProvisioner({ extra_arguments: [...BASELINE_EXTRA_ARGUMENTS, '--connection', 'packer'] }),
        files: { 'connection_plugins/packer.py': PACKER_CONNECTION_PLUGIN },
      });
      it(`with connection_plugins/packer.py beside the playbook, as documented: the plugin has no option definitions of its own and the task fails before any ssh runs: ${per(tc, {
        bookworm: "\"Requested entry (plugin_type: connection plugin: packer setting: host ) was not defined in configuration.\"",
        trixie: "\"No config definition exists for 'ssh_args' for 'packer' connection plugin.\"",
      })}`, async () => {
        const r = await packerConn();
        assertFailed(r, per(tc, { bookworm: PACKER_PLUGIN_NO_OPTIONS_214, trixie: PACKER_PLUGIN_NO_OPTIONS_219 }));
        assert.equal(r.sshCommands.length, 0);
        assert.deepEqual(r.sockets, []);
        assert.deepEqual(await analysedRules(r), [], 'no socket claim for the packer connection');
      });
      const documented = scenario('connectionPackerDocumented', {
        provisioner: ansibleProvisioner({ extra_arguments: [...BASELINE_EXTRA_ARGUMENTS, '--connection', 'packer'] }),
        files: { 'connection_plugins/packer.py': PACKER_CONNECTION_PLUGIN_DOCUMENTED },
      });
      it('with the later example\'s shape (its own DOCUMENTATION of ansible 2.6\'s ssh options): the ssh plugin asks for an option the list lacks and the task fails before any ssh runs', async () => {
        const r = await documented();
        assertFailed(r, PACKER_PLUGIN_OPTION_MISSING);
        assert.equal(r.sshCommands.length, 0);
        assert.deepEqual(r.sockets, []);
        assert.deepEqual(await analysedRules(r), []);
      });
    });

    describe('(d) connection variables in extra vars, and which origin wins', () => {
      const masterNo = scenario('varsMasterNo', { provisioner: ansibleProvisioner({ extra_arguments: [...BASELINE_EXTRA_ARGUMENTS, '-e', "ansible_ssh_common_args='-o ControlMaster=no'"] }) });
      it("-e ansible_ssh_common_args='-o ControlMaster=no': ssh_args' ControlMaster=auto comes first and ssh keeps the first value: multiplexing stays on, socket in ~/.ansible/cp", async () => {
        const r = await masterNo();
        assertBuilt(r);
        const argv = r.sshCommands[0]!;
        assert.ok(argv.indexOf('ControlMaster=auto') >= 0 && argv.indexOf('ControlMaster=auto') < argv.indexOf('ControlMaster=no'), JSON.stringify(argv));
        assertSocket(r, defaultCp(r));
      });

      const cp = scenario('varsControlPath', { provisioner: ansibleProvisioner({ extra_arguments: [...BASELINE_EXTRA_ARGUMENTS, '-e', `ansible_control_path=${U}-dv-%%h-%%p-%%r`] }), watch: [`${U}-dv-`] });
      it('-e ansible_control_path=<prefix>%%h-%%p-%%r: socket <prefix>127.0.0.1-<port>-<user>', async () => {
        const r = await cp();
        assertBuilt(r);
        assertSocket(r, expanded(r, `${U}-dv-`));
      });

      const dir = scenario('varsControlPathDir', { provisioner: ansibleProvisioner({ extra_arguments: [...BASELINE_EXTRA_ARGUMENTS, '-e', `ansible_control_path_dir=${U}-dw`] }), watch: [`${U}-dw/`] });
      it('-e ansible_control_path_dir=<dir>: socket <dir>/<10 hex>', async () => {
        const r = await dir();
        assertBuilt(r);
        assertSocket(r, new RegExp(`^${escape(`${U}-dw`)}/[0-9a-f]{10}$`));
      });

      const sshCp = scenario('varsSshControlPath', { provisioner: ansibleProvisioner({ extra_arguments: [...BASELINE_EXTRA_ARGUMENTS, '-e', `ansible_ssh_control_path=${U}-dx-%%h-%%p-%%r`] }), watch: [`${U}-dx-`] });
      it('-e ansible_ssh_control_path=<prefix>…: not an Ansible variable, no effect: socket in ~/.ansible/cp', async () => {
        const r = await sshCp();
        assertBuilt(r);
        assertSocket(r, defaultCp(r));
      });

      // ssh_common_args from four origins, each with its own literal ControlPath: the socket shows which one won.
      const at = (o: string) => `${U}-p${o}`;
      const commonWith = (o: string) => `-o ControlPath=${at(o)} ${HOSTKEY_ARGS}`;
      const origins = (which: string[]): BuildOptions => ({
        provisioner: ansibleProvisioner({
          extra_arguments: [
            ...(which.includes('v') ? ['-e', JSON.stringify({ ansible_ssh_common_args: commonWith('v') })] : []),
            ...(which.includes('c') ? ['--ssh-common-args', commonWith('c')] : []),
            '--scp-extra-args', "'-O'",
          ],
          ansible_env_vars: which.includes('e') ? [`ANSIBLE_SSH_COMMON_ARGS=${commonWith('e')}`] : [],
        }),
        files: which.includes('i') ? { 'ansible.cfg': `[ssh_connection]\nssh_common_args = ${commonWith('i')}\n` } : {},
        watch: [`${U}-p`],
      });
      const cases: [string, string[], string][] = [
        ['extra vars, --ssh-common-args, ANSIBLE_SSH_COMMON_ARGS and ansible.cfg', ['v', 'c', 'e', 'i'], 'v'],
        ['--ssh-common-args, ANSIBLE_SSH_COMMON_ARGS and ansible.cfg', ['c', 'e', 'i'], 'c'],
        ['ANSIBLE_SSH_COMMON_ARGS and ansible.cfg', ['e', 'i'], 'e'],
      ];
      for (const [what, which, winner] of cases) {
        const s = scenario(`precedence.${which.join('')}`, origins(which));
        it(`ssh_common_args from ${what}: ${({ v: 'the extra vars', c: '--ssh-common-args', e: 'the environment' } as Record<string, string>)[winner]} win`, async () => {
          const r = await s();
          assertBuilt(r);
          assert.deepEqual(uniq([...r.sshControlPaths, ...transferControlPaths(r)]), [at(winner)]);
          assertSocket(r, at(winner));
        });
      }
    });

    describe("(e) Packer's working directory", () => {
      const play = scenario('cwdPlaybook', { templateName: 'tpl/template.json', provisioner: ansibleProvisioner({ playbook_file: 'plays/play.yml' }), files: { 'plays/play.yml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - ping:\n' } });
      it('a relative playbook_file resolves from where packer build started (template in tpl/, playbook_file plays/play.yml found from the working directory): builds', async () => {
        assertBuilt(await play());
      });
      const besideTemplate = scenario('cwdPlaybookBesideTemplate', { command: 'validate', templateName: 'tpl/template.json', provisioner: ansibleProvisioner({ playbook_file: 'play2.yml' }), files: { 'tpl/play2.yml': '- hosts: all\n' } });
      it('...and not from the template\'s folder (playbook_file play2.yml only in tpl/): packer validate fails, "playbook_file: play2.yml is invalid"', async () => {
        assertFailed(await besideTemplate(), PLAYBOOK_FILE_INVALID);
      });

      const cfg = (letter: string) => `[ssh_connection]\ncontrol_path = ${U}-${letter}-%%h-%%p-%%r\n`;
      const relCfg = scenario('cwdRelativeConfig', { templateName: 'tpl/template.json', provisioner: ansibleProvisioner({ ansible_env_vars: ['ANSIBLE_CONFIG=cfg/my.cfg'] }), files: { 'cfg/my.cfg': cfg('ea'), 'tpl/cfg/my.cfg': cfg('eb') }, watch: [`${U}-ea-`, `${U}-eb-`] });
      it("a relative ANSIBLE_CONFIG resolves from packer's working directory, not the template's folder", async () => {
        const r = await relCfg();
        assertBuilt(r);
        assertSocket(r, expanded(r, `${U}-ea-`));
      });

      const homeCfg = scenario('homeConfig', { provisioner: ansibleProvisioner({ ansible_env_vars: ['ANSIBLE_CONFIG=~/x.cfg'] }), files: { 'home/x.cfg': cfg('ec') }, watch: [`${U}-ec-`] });
      it('ANSIBLE_CONFIG=~/x.cfg: Packer passes it as written, Ansible expands ~ to $HOME: used', async () => {
        const r = await homeCfg();
        assertBuilt(r);
        assertSocket(r, expanded(r, `${U}-ec-`));
      });
    });

    describe('(f) an ansible.cfg with a UTF-8 byte-order mark', () => {
      const bom = scenario('cfgBom', { files: { 'ansible.cfg': `\ufeff[ssh_connection]\ncontrol_path = ${U}-f-%%h-%%p-%%r\n` }, watch: [`${U}-f-`] });
      it('in the working directory: Ansible cannot read it ("File contains no section headers"), Packer\'s ansible-playbook --version exits 5 and the build stops while preparing', async () => {
        const r = await bom();
        assertFailed(r, CFG_UNREADABLE_AT_PREPARE);
        assert.equal(r.sshCommands.length, 0);
        assert.deepEqual(await analysedRules(r), ['ansible-cfg-unreadable']);
      });
      const noSection = scenario('cfgNoSection', { files: { 'ansible.cfg': 'deprecation_warnings=False' } });
      it('a setting before the first [section] (a real repository\'s one-line ansible.cfg): the same', async () => {
        const r = await noSection();
        assertFailed(r, CFG_UNREADABLE_AT_PREPARE);
        assert.equal(r.sshCommands.length, 0);
        assert.deepEqual(await analysedRules(r), ['ansible-cfg-unreadable']);
      });
    });

    describe('(i) an empty ANSIBLE_SSH_ARGS', () => {
      for (const [label, value] of [['empty', ''], ["''", "''"]] as const) {
        const s = scenario(`emptySshArgs.${label}`, { provisioner: ansibleProvisioner({ extra_arguments: [...COMMON_EXTRA_ARGUMENTS], ansible_env_vars: [`ANSIBLE_SSH_ARGS=${value}`] }) });
        it(`ANSIBLE_SSH_ARGS=${value}: no ControlPersist, so no ControlPath and no socket; builds`, async () => {
          const r = await s();
          assertBuilt(r);
          assert.deepEqual(uniq([...r.sshControlPaths, ...transferControlPaths(r)]), [undefined]);
          assert.deepEqual(r.muxListeners, []);
          assert.deepEqual(r.sockets, []);
        });
      }
    });
  });
});
