// The oracle tier: every fact about Packer, Ansible and OpenSSH that packer-bake's
// rules rely on, checked against the real tools on both toolchains
// (test/tools/toolchains.ts): bookworm (Packer 1.6.6 + ansible-core 2.14 + OpenSSH 9.2)
// and trixie (the same Packer + ansible-core 2.19 + OpenSSH 10.0). Each `it` is one
// fact under `on <toolchain>`; where the outcome differs, each toolchain's own outcome
// is asserted. docs/facts.md lists them with the messages recorded from these runs.
//
// Builds are independent, so they are all started (a few at a time) in each
// toolchain's `before` and each `it` awaits its own.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  COMMON_EXTRA_ARGUMENTS, HOSTKEY_ARGS, ansibleProvisioner, renderTemplate, optionOf,
  sharedSshd, stopSharedSshd, type BuildOptions, type BuildResult, type Format,
} from './packer';
import { assertBuilt, assertFailed, expanded, explain, transferCommands, transferControlPaths, uniq } from './assertions';
import { Builds, onEachToolchain, per, requireOracleTools } from './scenarios';
import type { Sshd } from './sshd';
import {
  CONTROL_PATH_TOO_LONG, HCL_ENV_ELEMENT_NOT_STRING, HCL_ENV_NOT_LIST, HOST_KEY_REJECTED, JSON_ENV_LIST_ENTRY,
  JSON_ENV_MAP_ENTRY, JSON_PREPARE_FAILED, SCP_USES_SFTP, SFTP_CHANNEL_NO_EXIT_STATUS, TRANSFER_FAILED, UNIX_LISTENER_TOO_LONG, UNREACHABLE,
  TRANSFER_FELL_BACK, UNSUPPORTED_FORMAT_214, UNSUPPORTED_FORMAT_219, WORLD_WRITABLE_CWD,
} from './messages';
import { MAX_CONTROL_PATH, findControlPathLimit } from './controlPathLimit';
import { freePort } from './sshd';
import { toolchain } from './toolchains';
import { analysedRules } from './analysed';
import { RULES as TEMPLATE_RULES } from '../../server/src/analysis/rules';

/** A prefix unique to this run, so parallel runs (and parallel builds) never share a socket path. */
/** The rules whose findings depend on the tool versions. */
const TOOLCHAIN_RULE_IDS = TEMPLATE_RULES.filter((r) => r.toolchain).map((r) => r.id);

const TAG = `pbt-${randomBytes(3).toString('hex')}`;

const builds = new Builds();
const both = (f: (fmt: Format) => void) => { f('json'); f('hcl'); };

let sshd: Sshd;
const defaultCp = (r: BuildResult) => new RegExp(`^${r.home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\.ansible/cp/[0-9a-f]{10}$`);

describe('oracle: the facts the rules rely on, on each real toolchain', function () {
  this.timeout(240_000);

  before(async function () {
    requireOracleTools(this);
    sshd = await sharedSshd();
  });

  after(async () => {
    await stopSharedSshd();
    for (const n of fs.readdirSync('/tmp')) if (n.startsWith(TAG)) fs.rmSync(path.join('/tmp', n), { recursive: true, force: true });
  });

  onEachToolchain(builds, (tc) => {
    /** This toolchain's socket prefix (both toolchains build at the same time). */
    const U = `/tmp/${TAG}-${tc[0]}`;
    /** Declares a build on this toolchain. */
    const scenario = (name: string, opts: BuildOptions | (() => Promise<BuildOptions>)) =>
      builds.add(tc, name, typeof opts === 'function' ? async () => ({ ...(await opts()), toolchain: tc }) : { ...opts, toolchain: tc });

    describe('baseline and the proxy adapter with a current OpenSSH client', () => {
      const noArgs = { json: scenario('noArgs.json', { provisioner: ansibleProvisioner({ extra_arguments: undefined }) }),
        hcl: scenario('noArgs.hcl', { format: 'hcl', provisioner: ansibleProvisioner({ extra_arguments: undefined }) }) };
      both((fmt) => it(`[${fmt}] without extra_arguments ssh refuses the proxy's ssh-rsa host key (UNREACHABLE)`, async () => {
        const r = await noArgs[fmt]();
        assertFailed(r, HOST_KEY_REJECTED);
        assert.match(r.ui, UNREACHABLE);
        assert.equal(transferCommands(r).length, 0);
      }));

      const noScpO = scenario('noScpO', { provisioner: ansibleProvisioner({ extra_arguments: ['--ssh-extra-args', HOSTKEY_ARGS] }) });
      if (tc === 'bookworm') {
        it('with the host-key args but no --scp-extra-args -O, the transfer fails: scp speaks SFTP, the proxy ends that channel without an exit status', async () => {
          const r = await noScpO();
          assertFailed(r, TRANSFER_FAILED);
          assert.match(r.ui, SCP_USES_SFTP);
          assert.match(r.ui, SFTP_CHANNEL_NO_EXIT_STATUS);
          assert.ok(r.scpCommands.length > 0 && r.scpCommands.every((a) => !a.includes('-O')));
        });
      } else {
        it('with the host-key args but no --scp-extra-args -O, it builds: ansible-core 2.19 transfers with sftp although Packer sets ANSIBLE_SCP_IF_SSH=True', async () => {
          const r = await noScpO();
          assertBuilt(r);
          assert.equal(r.scpCommands.length, 0);
          assert.ok(r.sftpCommands.length > 0);
        });
      }

      const sftp = scenario('useSftp', { provisioner: ansibleProvisioner({ extra_arguments: ['--ssh-extra-args', HOSTKEY_ARGS], use_sftp: true }) });
      it('use_sftp: true makes the transfer work with Packer 1.6.6 (no -O needed; the host-key args only in --ssh-extra-args, sftp goes through ssh\'s master)', async () => {
        const r = await sftp();
        assertBuilt(r);
        assert.equal(r.scpCommands.length, 0);
        assert.ok(r.sftpCommands.length > 0);
        assert.deepEqual((await analysedRules(r)).filter((id) => TOOLCHAIN_RULE_IDS.includes(id)), [], 'no toolchain finding on a build that passes');
      });
    });

    describe("Ansible's default control path", () => {
      const def = { json: scenario('default.json', {}), hcl: scenario('default.hcl', { format: 'hcl' }) };
      both((fmt) => it(`[${fmt}] is ~/.ansible/cp/<10 hex> for ssh and scp, with ControlMaster=auto ControlPersist=60s, and the socket appears there`, async () => {
        const r = await def[fmt]();
        assertBuilt(r);
        const all = [...r.sshControlPaths, ...transferControlPaths(r)];
        assert.ok(transferCommands(r).length > 0);
        assert.equal(uniq(all).length, 1);
        assert.match(all[0]!, defaultCp(r));
        assert.ok(r.sshCommands.every((a) => optionOf(a, 'ControlMaster') === 'auto' && optionOf(a, 'ControlPersist') === '60s'));
        assert.deepEqual(r.muxListeners, [all[0]]);
        assert.deepEqual(r.sockets, [all[0]]);
        // The baseline allows ssh-rsa only in --ssh-extra-args: scp (bookworm) goes through ssh's master and builds.
        assert.deepEqual((await analysedRules(r)).filter((id) => TOOLCHAIN_RULE_IDS.includes(id)), [], 'no toolchain finding on a build that passes');
      }));
    });

    describe('ANSIBLE_SSH_CONTROL_PATH (ansible_env_vars)', () => {
      const single = {
        json: scenario('cpSingle.json', { provisioner: ansibleProvisioner({ ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH=${U}-a-%h-%p-%r`] }) }),
        hcl: scenario('cpSingle.hcl', { format: 'hcl', provisioner: ansibleProvisioner({ ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH=${U}-a-%h-%p-%r`] }) }),
      };
      both((fmt) => it(`[${fmt}] a single %h fails with "unsupported format character" before any ssh runs (2.14: "Unexpected failure during module execution: …", 2.19: "Task failed: …")`, async () => {
        const r = await single[fmt]();
        assertFailed(r, per(tc, { bookworm: UNSUPPORTED_FORMAT_214, trixie: UNSUPPORTED_FORMAT_219 }));
        assert.equal(r.sshCommands.length, 0);
      }));

      const dbl = (fmt: Format) => scenario(`cpDouble.${fmt}`, { format: fmt, provisioner: ansibleProvisioner({ ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH=${U}-b${fmt}-%%h-%%p-%%r`] }), watch: [`${U}-b${fmt}-`] });
      const double = { json: dbl('json'), hcl: dbl('hcl') };
      both((fmt) => it(`[${fmt}] %%h-%%p-%%r works: ssh and scp get %h-%p-%r, the socket is <prefix>127.0.0.1-<proxy port>-<user>`, async () => {
        const r = await double[fmt]();
        assertBuilt(r);
        assert.deepEqual(uniq([...r.sshControlPaths, ...transferControlPaths(r)]), [`${U}-b${fmt}-%h-%p-%r`]);
        const want = expanded(r, `${U}-b${fmt}-`);
        assert.deepEqual(r.muxListeners, [want]);
        assert.deepEqual(r.sockets, [want]);
      }));
    });

    describe('a ControlPath inside ssh arguments', () => {
      const ex = (fmt: Format) => scenario(`extraArgsCp.${fmt}`, { format: fmt, provisioner: ansibleProvisioner({ extra_arguments: ['--ssh-extra-args', `-o ControlPath=${U}-c${fmt}-%h-%p ${HOSTKEY_ARGS}`, '--scp-extra-args', "'-O'"] }), watch: [`${U}-c${fmt}-`] });
      const extra = { json: ex('json'), hcl: ex('hcl') };
      both((fmt) => it(`[${fmt}] in --ssh-extra-args: ssh uses it as given (single %), the transfer keeps the default path, connects afresh and fails on the host key; ${per(tc, {
        bookworm: 'the build fails (scp)',
        trixie: 'sftp and scp fail, then ansible-core 2.19 sends the file through ssh itself (piped) and the build succeeds',
      })}`, async () => {
        const r = await extra[fmt]();
        assert.deepEqual(uniq(r.sshControlPaths), [`${U}-c${fmt}-%h-%p`]);
        assert.ok(transferCommands(r).length > 0);
        assert.equal(uniq(transferControlPaths(r)).length, 1);
        assert.match(transferControlPaths(r)[0]!, defaultCp(r));
        assert.deepEqual(r.muxListeners, [expanded(r, `${U}-c${fmt}-`, false)]);
        // 2.19 names only the mechanisms that failed (the reasons need ANSIBLE_DEBUG=1).
        if (tc === 'bookworm') {
          assertFailed(r, TRANSFER_FAILED);
          assert.match(r.ui, HOST_KEY_REJECTED);
        } else {
          assertBuilt(r);
          assert.match(r.ui, TRANSFER_FELL_BACK);
        }
        assert.equal((await analysedRules(r)).includes('proxy-host-key-rejected'), tc === 'bookworm', 'proxy-host-key-rejected where the transfer really fails');
      }));

      const com = (fmt: Format) => scenario(`commonArgsCp.${fmt}`, { format: fmt, provisioner: ansibleProvisioner({ extra_arguments: ['--ssh-common-args', `-o ControlPath=${U}-d${fmt}-%h-%p ${HOSTKEY_ARGS}`, '--scp-extra-args', "'-O'"] }), watch: [`${U}-d${fmt}-`] });
      const common = { json: com('json'), hcl: com('hcl') };
      both((fmt) => it(`[${fmt}] in --ssh-common-args: ssh and scp alike use it as given, one socket`, async () => {
        const r = await common[fmt]();
        assertBuilt(r);
        assert.ok(transferCommands(r).length > 0);
        assert.deepEqual(uniq([...r.sshControlPaths, ...transferControlPaths(r)]), [`${U}-d${fmt}-%h-%p`]);
        const want = expanded(r, `${U}-d${fmt}-`, false);
        assert.deepEqual(r.muxListeners, [want]);
        assert.deepEqual(r.sockets, [want]);
      }));

      const sshArgs = scenario('sshArgsCp', { provisioner: ansibleProvisioner({ extra_arguments: [...COMMON_EXTRA_ARGUMENTS], ansible_env_vars: [`ANSIBLE_SSH_ARGS=-o ControlMaster=auto -o ControlPersist=60s -o ControlPath=${U}-q-%h-%p`] }), watch: [`${U}-q-`] });
      it('in ANSIBLE_SSH_ARGS: ssh and scp alike use it as given (single %)', async () => {
        const r = await sshArgs();
        assertBuilt(r);
        assert.ok(transferCommands(r).length > 0);
        assert.deepEqual(uniq([...r.sshControlPaths, ...transferControlPaths(r)]), [`${U}-q-%h-%p`]);
        assert.deepEqual(r.sockets, [expanded(r, `${U}-q-`, false)]);
      });

      const literal = {
        json: scenario('sshArgsDouble.json', { provisioner: ansibleProvisioner({ extra_arguments: [...COMMON_EXTRA_ARGUMENTS], ansible_env_vars: [`ANSIBLE_SSH_ARGS=-o ControlMaster=auto -o ControlPersist=60s -o ControlPath=${U}-ojson-%%h-%%p`] }), watch: [`${U}-ojson-`] }),
        hcl: scenario('commonArgsDouble.hcl', { format: 'hcl', provisioner: ansibleProvisioner({ extra_arguments: ['--ssh-common-args', `-o ControlPath=${U}-ohcl-%%h-%%p ${HOSTKEY_ARGS}`, '--scp-extra-args', "'-O'"] }), watch: [`${U}-ohcl-`] }),
      };
      both((fmt) => it(`[${fmt}] %%h inside ssh arguments gives a literal "%h" file name, the same for every host`, async () => {
        const r = await literal[fmt]();
        const p = `${U}-o${fmt}-`;
        assertBuilt(r);
        assert.deepEqual(uniq([...r.sshControlPaths, ...transferControlPaths(r)]), [`${p}%%h-%%p`]);
        assert.deepEqual(r.muxListeners, [`${p}%h-%p`]);
        assert.deepEqual(r.sockets, [`${p}%h-%p`]);
      }));
    });

    describe('multiplexing off', () => {
      const noPersist = scenario('noPersist', { provisioner: ansibleProvisioner({ extra_arguments: [...COMMON_EXTRA_ARGUMENTS], ansible_env_vars: ['ANSIBLE_SSH_ARGS=-o ControlMaster=auto'] }) });
      it('ANSIBLE_SSH_ARGS without ControlPersist: Ansible adds no ControlPath, no socket is created', async () => {
        const r = await noPersist();
        assertBuilt(r);
        assert.ok(transferCommands(r).length > 0);
        assert.deepEqual(uniq([...r.sshControlPaths, ...transferControlPaths(r)]), [undefined]);
        assert.deepEqual(r.muxListeners, []);
        assert.deepEqual(r.sockets, []);
      });

      const noPersistExtra = scenario('noPersistExtra', { provisioner: ansibleProvisioner({ ansible_env_vars: ['ANSIBLE_SSH_ARGS=-o ControlMaster=auto'] }) });
      it(`...and with the host-key args only in --ssh-extra-args, the transfer (not multiplexed) fails on the host key: ${per(tc, {
        bookworm: 'the build fails (scp)',
        trixie: 'sftp and scp fail, the piped transfer over ssh works, the build succeeds',
      })}`, async () => {
        const r = await noPersistExtra();
        if (tc === 'bookworm') { assertFailed(r, TRANSFER_FAILED); assert.match(r.ui, HOST_KEY_REJECTED); }
        else { assertBuilt(r); assert.match(r.ui, TRANSFER_FELL_BACK); }
        assert.deepEqual(r.sockets, []);
        assert.equal((await analysedRules(r)).includes('proxy-host-key-rejected'), tc === 'bookworm', 'proxy-host-key-rejected where the transfer really fails');
      });

      const masterNo = scenario('masterNo', { provisioner: ansibleProvisioner({ extra_arguments: [...COMMON_EXTRA_ARGUMENTS], ansible_env_vars: ['ANSIBLE_SSH_ARGS=-o ControlMaster=no -o ControlPersist=60s'] }) });
      it('ControlMaster=no (with ControlPersist): Ansible still adds its default ControlPath, but no socket is created', async () => {
        const r = await masterNo();
        assertBuilt(r);
        assert.match(r.sshControlPaths[0]!, defaultCp(r));
        assert.deepEqual(r.muxListeners, []);
        assert.deepEqual(r.sockets, []);
      });
    });

    describe('ANSIBLE_SSH_CONTROL_PATH_DIR', () => {
      const dir = scenario('cpDir', { provisioner: ansibleProvisioner({ ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH_DIR=${U}-e`] }), watch: [`${U}-e/`] });
      it('moves the default socket to <dir>/<10 hex> (Ansible creates the directory)', async () => {
        const r = await dir();
        assertBuilt(r);
        const all = uniq([...r.sshControlPaths, ...transferControlPaths(r)]);
        assert.equal(all.length, 1);
        assert.match(all[0]!, new RegExp(`^${U}-e/[0-9a-f]{10}$`));
        assert.deepEqual(r.sockets, all);
      });
    });

    describe('ansible.cfg [ssh_connection] control_path', () => {
      const cfg = (letter: string, value: string) => `[ssh_connection]\ncontrol_path = ${U}-${letter}-${value}\n`;
      const viaEnvSingle = scenario('cfgSingle', { provisioner: ansibleProvisioner({ ansible_env_vars: ['ANSIBLE_CONFIG=@WORK@/cfg/my.cfg'] }), files: { 'cfg/my.cfg': cfg('f', '%h-%p-%r') } });
      it('named by ANSIBLE_CONFIG in ansible_env_vars, a single %h fails like the env var', async () => {
        const r = await viaEnvSingle();
        assertFailed(r, per(tc, { bookworm: UNSUPPORTED_FORMAT_214, trixie: UNSUPPORTED_FORMAT_219 }));
      });

      const viaEnvDouble = scenario('cfgDouble', { provisioner: ansibleProvisioner({ ansible_env_vars: ['ANSIBLE_CONFIG=@WORK@/cfg/my.cfg'] }), files: { 'cfg/my.cfg': cfg('g', '%%h-%%p-%%r') }, watch: [`${U}-g-`] });
      it('named by ANSIBLE_CONFIG in ansible_env_vars, %%h works like the env var', async () => {
        const r = await viaEnvDouble();
        assertBuilt(r);
        assert.deepEqual(r.sockets, [expanded(r, `${U}-g-`)]);
      });

      const relative = scenario('cfgRelative', { provisioner: ansibleProvisioner({ ansible_env_vars: ['ANSIBLE_CONFIG=cfg/my.cfg'] }), files: { 'cfg/my.cfg': cfg('h', '%%h-%%p-%%r') }, watch: [`${U}-h-`] });
      it("a relative ANSIBLE_CONFIG is found from packer's working directory", async () => {
        const r = await relative();
        assertBuilt(r);
        assert.deepEqual(r.sockets, [expanded(r, `${U}-h-`)]);
      });

      const inCwd = scenario('cfgCwd', { files: { 'ansible.cfg': cfg('i', '%%h-%%p-%%r') }, watch: [`${U}-i-`] });
      it("an ansible.cfg in packer's working directory is used", async () => {
        const r = await inCwd();
        assertBuilt(r);
        assert.deepEqual(r.sockets, [expanded(r, `${U}-i-`)]);
      });

      const besideOnly = scenario('cfgBesideTemplate', { files: { 'ansible.cfg': cfg('j', '%%h-%%p-%%r'), 'elsewhere/.keep': '' }, cwd: 'elsewhere', watch: [`${U}-j-`] });
      it('an ansible.cfg beside the template is NOT used when packer runs from another directory', async () => {
        const r = await besideOnly();
        assertBuilt(r);
        assert.match(r.sshControlPaths[0]!, defaultCp(r));
        assert.deepEqual(r.sockets.filter((s) => s.startsWith(`${U}-j-`)), []);
      });

      const worldWritable = scenario('cfgWorldWritable', { files: { 'ww/ansible.cfg': cfg('w', '%%h-%%p-%%r') }, cwd: 'ww', prepare: (w) => fs.chmodSync(path.join(w, 'ww'), 0o777) });
      it('an ansible.cfg in a world-writable working directory is ignored, with a warning', async () => {
        const r = await worldWritable();
        assertBuilt(r);
        assert.match(r.ui, WORLD_WRITABLE_CWD);
        assert.match(r.sshControlPaths[0]!, defaultCp(r));
      });
    });

    describe('a UTF-8 byte-order mark', () => {
      const bom = {
        json: scenario('bom.json', { command: 'validate', text: `\ufeff${renderTemplate('json', ansibleProvisioner())}` }),
        hcl: scenario('bom.hcl', { format: 'hcl', command: 'validate', text: `\ufeff${renderTemplate('hcl', ansibleProvisioner())}` }),
      };
      it('[json] makes Packer reject the template (the analysis reports it as a parse error)', async () => {
        assertFailed(await bom.json(), /Error parsing JSON: invalid character/);
      });
      it('[hcl] is accepted', async () => {
        const r = await bom.hcl();
        assert.ok(r.ok, explain(r));
      });
    });

    describe('ansible_env_vars shapes', () => {
      const asString = scenario('envString.json', { provisioner: ansibleProvisioner({ ansible_env_vars: `ANSIBLE_SSH_CONTROL_PATH_DIR=${U}-k` }), watch: [`${U}-k/`] });
      it('[json] one string instead of a list is accepted and used (weak decoding)', async () => {
        const r = await asString();
        assertBuilt(r);
        assert.match(r.sockets[0] ?? '', new RegExp(`^${U}-k/[0-9a-f]{10}$`));
      });

      const asStringHcl = scenario('envString.hcl', { format: 'hcl', command: 'validate', provisioner: ansibleProvisioner({ ansible_env_vars: 'ANSIBLE_SSH_CONTROL_PATH_DIR=/tmp/x' }) });
      it('[hcl] one string instead of a list is rejected by packer validate: "list of string required"', async () => {
        assertFailed(await asStringHcl(), HCL_ENV_NOT_LIST);
      });

      const noEq = {
        json: scenario('envNoEq.json', { provisioner: ansibleProvisioner({ ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH_DIR'] }) }),
        hcl: scenario('envNoEq.hcl', { format: 'hcl', provisioner: ansibleProvisioner({ ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH_DIR'] }) }),
      };
      both((fmt) => it(`[${fmt}] an entry without "=" is accepted and has no effect`, async () => {
        const r = await noEq[fmt]();
        assertBuilt(r);
        assert.match(r.sockets[0] ?? '', defaultCp(r));
      }));

      for (const [shape, value] of [['a number', 8], ['a bool', true], ['null', null]] as const) {
        const s = scenario(`envScalar.json.${shape}`, { provisioner: ansibleProvisioner({ ansible_env_vars: [value, `ANSIBLE_SSH_CONTROL_PATH_DIR=${U}-s${String(value)}`] }), watch: [`${U}-s${String(value)}/`] });
        it(`[json] ${shape} entry is accepted (weakly decoded to a string without "="), no effect; the other entries still apply`, async () => {
          const r = await s();
          assertBuilt(r);
          assert.match(r.sockets[0] ?? '', new RegExp(`^${U}-s${String(value)}/[0-9a-f]{10}$`));
        });
      }
      for (const [shape, value] of [['a number', 8], ['a bool', true]] as const) {
        const s = scenario(`envScalar.hcl.${shape}`, { format: 'hcl', provisioner: ansibleProvisioner({ ansible_env_vars: [value, `ANSIBLE_SSH_CONTROL_PATH_DIR=${U}-t${String(value)}`] }), watch: [`${U}-t${String(value)}/`] });
        it(`[hcl] ${shape} entry is accepted (converted to a string), no effect; the other entries still apply`, async () => {
          const r = await s();
          assertBuilt(r);
          assert.match(r.sockets[0] ?? '', new RegExp(`^${U}-t${String(value)}/[0-9a-f]{10}$`));
        });
      }

      const rejected: [string, Format, unknown, RegExp][] = [
        ['an object entry', 'json', [{ ANSIBLE_SSH_CONTROL_PATH_DIR: '/tmp/x' }], JSON_ENV_MAP_ENTRY],
        ['a map instead of a list', 'json', { ANSIBLE_SSH_CONTROL_PATH_DIR: '/tmp/x' }, JSON_ENV_MAP_ENTRY],
        ['a list entry', 'json', [['ANSIBLE_SSH_CONTROL_PATH_DIR=/tmp/x']], JSON_ENV_LIST_ENTRY],
        ['an object entry', 'hcl', [{ ANSIBLE_SSH_CONTROL_PATH_DIR: '/tmp/x' }], HCL_ENV_ELEMENT_NOT_STRING],
        ['a map instead of a list', 'hcl', { ANSIBLE_SSH_CONTROL_PATH_DIR: '/tmp/x' }, HCL_ENV_NOT_LIST],
        ['a list entry', 'hcl', [['ANSIBLE_SSH_CONTROL_PATH_DIR=/tmp/x']], HCL_ENV_ELEMENT_NOT_STRING],
      ];
      for (const [shape, fmt, value, pattern] of rejected) {
        const v = scenario(`envRejected.${fmt}.${shape}.validate`, { format: fmt, command: 'validate', provisioner: ansibleProvisioner({ ansible_env_vars: value }) });
        const b = scenario(`envRejected.${fmt}.${shape}.build`, { format: fmt, provisioner: ansibleProvisioner({ ansible_env_vars: value }) });
        it(`[${fmt}] ${shape} is rejected by packer validate and packer build alike`, async () => {
          for (const r of [await v(), await b()]) {
            assertFailed(r, pattern);
            if (fmt === 'json') assert.match(r.ui, JSON_PREPARE_FAILED);
            assert.equal(r.sshCommands.length, 0);
          }
        });
      }
    });

    describe('control path length limit', () => {
      it(`the longest ControlPath that works is ${MAX_CONTROL_PATH} bytes = 108 (sun_path) - 1 (NUL) - 17 (".<16 random>" of the master's temporary socket)`, async () => {
        const limit = await findControlPathLimit(await toolchain(tc), sshd, `${U}-lim-`);
        assert.equal(limit.longestOk, MAX_CONTROL_PATH, `found ${JSON.stringify(limit)}`);
        assert.equal(limit.shortestFail, MAX_CONTROL_PATH + 1);
        assert.match(limit.failure, UNIX_LISTENER_TOO_LONG);
        assert.equal(limit.failure.match(UNIX_LISTENER_TOO_LONG)![1]!.length, MAX_CONTROL_PATH + 1 + 17);
      });

      // Through Packer and Ansible: ANSIBLE_SSH_CONTROL_PATH=<dir>/c-%%h-%%p-%%r, <dir> padded so the
      // expanded path (127.0.0.1, the proxy's port, the user) has exactly the length under test.
      const user = os.userInfo().username;
      const atLength = (len: number) => async (): Promise<BuildOptions> => {
        const port = await freePort(); // Packer's proxy listens here (local_port), so the expansion is known
        const tail = `/c-127.0.0.1-${port}-${user}`;
        const base = `${U}-len${len}-`;
        const dir = base + 'x'.repeat(len - tail.length - base.length);
        fs.mkdirSync(dir, { recursive: true });
        return { provisioner: ansibleProvisioner({ local_port: port, ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH=${dir}/c-%%h-%%p-%%r`] }), watch: [`${dir}/`] };
      };
      const lengths = [MAX_CONTROL_PATH, MAX_CONTROL_PATH + 1, 107, 108] as const;
      const byLen = new Map(lengths.map((n) => [n, scenario(`len${n}`, atLength(n))]));
      const expandedOf = (r: BuildResult) => expanded(r, `${optionOf(r.sshCommands[0]!, 'ControlPath')!.replace(/%h-%p-%r$/, '')}`);

      it(`an expanded ANSIBLE_SSH_CONTROL_PATH of ${MAX_CONTROL_PATH} bytes builds`, async () => {
        const r = await byLen.get(MAX_CONTROL_PATH)!();
        assertBuilt(r);
        assert.equal(expandedOf(r).length, MAX_CONTROL_PATH);
        assert.deepEqual(r.sockets, [expandedOf(r)]);
      });
      for (const n of [MAX_CONTROL_PATH + 1, 107]) {
        it(`${n} bytes fails: UNREACHABLE, "unix_listener: path ... too long for Unix domain socket"`, async () => {
          const r = await byLen.get(n)!();
          assertFailed(r, UNIX_LISTENER_TOO_LONG);
          assert.match(r.ui, UNREACHABLE);
          assert.equal(expandedOf(r).length, n);
          const temp = r.ui.match(UNIX_LISTENER_TOO_LONG)![1]!;
          assert.ok(temp.startsWith(`${expandedOf(r)}.`) && temp.length === n + 17, temp);
        });
      }
      it('108 bytes fails earlier, in the client: "ControlPath too long (\'<path>\' >= 108 bytes)"', async () => {
        const r = await byLen.get(108)!();
        assertFailed(r, CONTROL_PATH_TOO_LONG);
        assert.match(r.ui, UNREACHABLE);
        assert.equal(r.ui.match(CONTROL_PATH_TOO_LONG)![1], expandedOf(r));
        assert.equal(expandedOf(r).length, 108);
      });
    });
  });
});
