// The oracle tier, rule by rule: for every rule with a fix, in legacy JSON and HCL2,
// on each real toolchain (bookworm: Packer 1.6.6 + ansible-core 2.14 + OpenSSH 9.2;
// trixie: the same Packer + ansible-core 2.19 + OpenSSH 10.0), a template showing the problem
//   1. is analysed with the versions the toolchain's tools report: the rule fires (and
//      nothing unexpected does), or, where the versions make it harmless, stays silent;
//   2. is built with that toolchain and fails with the message the rule's docs page
//      quotes (ssh-args-doubled-percent: builds, but the socket is the literal file
//      name, which is the harm), or, where the rule is silent, does what it really does;
//   3. is fixed by the project's own fixAll (only the rule under test), after which the
//      analysis no longer reports it;
//   4. then builds, with the socket where the fix puts it.
// The two rules about where a socket may live are made to fail for real on an sshfs
// (FUSE) mount, a network home directory that cannot hold Unix sockets.
//
// As in facts.test.ts, every build is started (a few at a time) in `before` and each
// `it` awaits its own.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyEdits, fixAll, type Analyzer, type Finding } from '../../server/src/analysis';
import type { ToolchainName } from './toolchains';
import { Builds, onEachToolchain, per, requireOracleTools } from './scenarios';
import { analyzer, ready } from '../support/analysis';
import { inCI, requireThat } from '../support/requireTool';
import {
  COMMON_EXTRA_ARGUMENTS, HOSTKEY_ARGS, ansibleProvisioner, optionOf, renderTemplate,
  stopSharedSshd, type BuildOptions, type BuildResult, type Format, type Provisioner,
} from './packer';
import { assertBuilt, assertFailed, expanded, transferCommands, transferControlPaths, uniq } from './assertions';
import {
  HOST_KEY_REJECTED, SCP_USES_SFTP, SFTP_CHANNEL_NO_EXIT_STATUS, TRANSFER_FAILED, UNIX_LISTENER_BIND_NOT_PERMITTED,
  UNIX_LISTENER_TOO_LONG, UNREACHABLE, UNSUPPORTED_FORMAT,
} from './messages';
import { mountSshfs, netFsUnavailable, trySocket, type NetFs } from './netfs';

/** A prefix unique to this run: every socket path the templates choose starts with it. */
const TAG = `pbr-${randomBytes(3).toString('hex')}`;
const U = `/tmp/${TAG}`;
/** The network home directory (sshfs mount): outside /tmp, so control-path-unsafe-dir sees it as unsafe. */
const NET = `/var/tmp/${TAG}`;
const NET_REMOTE = `/tmp/${TAG}-netfs-served`;
const USER = os.userInfo().username;

const builds = new Builds();
/** Scenarios that need the sshfs mount (not started when it cannot be made). */
const fuseScenarios = new Set<string>();
function scenario(tc: ToolchainName, name: string, fuse: boolean, opts: () => BuildOptions): () => Promise<BuildResult> {
  if (fuse) fuseScenarios.add(name);
  return builds.add(tc, name, () => ({ ...opts(), toolchain: tc }));
}

/** One analyzer per toolchain, told the versions its tools report. */
const analyzers = new Map<ToolchainName, Analyzer>();
let netFs: NetFs | undefined;
let netFsProblem: string | undefined;
/** Sockets the fixes placed outside this run's prefix (/tmp/ansible-...): removed in `after` if still there. */
const foreignSockets = new Set<string>();

const defaultCp = (home: string) => new RegExp(`^${home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\.ansible/cp/[0-9a-f]{10}$`);
/** The one master socket of a build: ssh bound it, and it was seen on disk. */
function assertSocket(r: BuildResult, want: string | RegExp): string {
  assert.equal(r.muxListeners.length, 1, `master sockets: ${JSON.stringify(r.muxListeners)}`);
  const s = r.muxListeners[0]!;
  if (typeof want === 'string') assert.equal(s, want); else assert.match(s, want);
  assert.ok(r.sockets.includes(s), `${s} not seen on disk (saw ${JSON.stringify(r.sockets)})`);
  if (!s.startsWith(U)) foreignSockets.add(s);
  return s;
}
const ids = (fs_: Finding[]) => fs_.map((f) => f.ruleId).sort();

interface RoundTrip {
  rule: string;
  fmt: Format;
  /** Distinguishes several round trips of one rule and format. */
  variant?: string;
  provisioner: Provisioner;
  /**
   * Every rule id the analysis reports on the template (the rule under test among them), per toolchain
   * where they differ. Where the rule under test is not among them, `silent` says what the build does.
   */
  findings: string[] | Record<ToolchainName, string[]>;
  /** Needs the sshfs mount. */
  fuse?: boolean;
  /** Build options for both builds (the environment stays the same; only the template is fixed). */
  build?: Omit<BuildOptions, 'text' | 'format' | 'provisioner' | 'toolchain'>;
  /** What the broken template does when built. */
  broken: { says: string; check: (r: BuildResult) => void };
  /** What the fixed template does when built. */
  fixed: { says: string; check: (r: BuildResult, text: string) => void };
  /** A non-preferred fix also proven: its title starts with this; applied with applyEdits. */
  alternative?: { title: string; says: string; check: (r: BuildResult) => void };
  /** On a toolchain where the analysis does not report the rule: what the template really does (it must not fail). */
  silent?: { says: string; check: (r: BuildResult) => void };
}

const fileFor = (fmt: Format) => (fmt === 'json' ? '/roundtrip/template.json' : '/roundtrip/template.pkr.hcl');

function roundTrip(tc: ToolchainName, c: RoundTrip): void {
  const name = `${c.rule}.${c.fmt}${c.variant ? `.${c.variant}` : ''}`;
  const file = fileFor(c.fmt);
  const text = renderTemplate(c.fmt, c.provisioner);
  const findings = Array.isArray(c.findings) ? c.findings : per(tc, c.findings);
  const an = () => analyzers.get(tc)!;
  const fuse = c.fuse ?? false;
  const broken = scenario(tc, `${name}.broken`, fuse, () => ({ ...c.build, format: c.fmt, text }));
  const label = `[${c.fmt}]${c.variant ? ` ${c.variant}:` : ''}`;
  if (!findings.includes(c.rule)) {
    const silent = c.silent;
    if (!silent) throw new Error(`${name}: the rule is silent on ${tc} but the round trip says nothing of what the build does`);
    it(`${label} the rule is silent with these versions; real build: ${silent.says}`, async () => {
      assert.deepEqual(ids(an().analyze(file, text).findings), [...findings].sort());
      silent.check(await broken());
    });
    return;
  }
  let fixedMemo: { text: string; applied: number } | undefined;
  const fixed = () => (fixedMemo ??= fixAll(an(), file, text, new Set([c.rule])));
  const altText = () => {
    const f = an().analyze(file, text).findings.find((x) => x.ruleId === c.rule)!;
    const fix = f.fixes.find((x) => !x.isPreferred && x.title.startsWith(c.alternative!.title));
    assert.ok(fix, `no fix "${c.alternative!.title}..." among ${JSON.stringify(f.fixes.map((x) => x.title))}`);
    assert.ok(fix.edits.every((e) => e.file === file));
    return applyEdits(text, fix.edits.flatMap((e) => e.edits));
  };
  const good = scenario(tc, `${name}.fixed`, fuse, () => ({ ...c.build, format: c.fmt, text: fixed().text }));
  const alt = c.alternative && scenario(tc, `${name}.alternative`, fuse, () => ({ ...c.build, format: c.fmt, text: altText() }));

  it(`${label} the rule fires; real build: ${c.broken.says}`, async () => {
    assert.deepEqual(ids(an().analyze(file, text).findings), [...findings].sort());
    c.broken.check(await broken());
  });
  it(`${label} after fixAll the rule is silent; real build: ${c.fixed.says}`, async () => {
    const f = fixed();
    assert.equal(f.applied, 1, 'fixAll applied one fix');
    assert.deepEqual(ids(an().analyze(file, f.text).findings), findings.filter((x) => x !== c.rule).sort());
    c.fixed.check(await good(), f.text);
  });
  if (c.alternative && alt) {
    const a = c.alternative;
    it(`${label} the other fix (${a.title}) also silences the rule; real build: ${a.says}`, async () => {
      assert.deepEqual(ids(an().analyze(file, altText()).findings), findings.filter((x) => x !== c.rule).sort());
      a.check(await alt());
    });
  }
}

/** `x` repeated so that `fixed + pad` is `total` bytes long. */
const pad = (fixedLength: number, total: number) => 'x'.repeat(total - fixedLength);

describe('oracle round trips: each rule fires, the real build fails as its docs page says, and its fix builds', function () {
  this.timeout(240_000);

  before(async function () {
    requireOracleTools(this);
    await ready();
    netFsProblem = netFsUnavailable();
    if (!netFsProblem) {
      try {
        netFs = await mountSshfs(NET, NET_REMOTE);
        const probe = trySocket(NET);
        if (probe === 'ok') netFsProblem = `a Unix socket could be created on the sshfs mount ${NET}, so it cannot stand for a file system that refuses them`;
      } catch (e) {
        netFsProblem = `mounting sshfs failed: ${(e as Error).message}`;
      }
    }
    if (netFsProblem && inCI) throw new Error(`CI=true but ${netFsProblem}`);
  });

  after(async () => {
    await stopSharedSshd();
    await netFs?.unmount();
    for (const s of foreignSockets) try { if (fs.lstatSync(s).isSocket()) fs.rmSync(s); } catch { /* gone */ }
    for (const n of fs.readdirSync('/tmp')) if (n.startsWith(TAG)) fs.rmSync(path.join('/tmp', n), { recursive: true, force: true });
  });

  onEachToolchain(builds, (tc) => {
    /** This toolchain's socket prefix (both toolchains build at the same time). */
    const U = `/tmp/${TAG}-${tc[0]}`;
    describe('control-path-unescaped-percent', () => {
      for (const fmt of ['json', 'hcl'] as const) {
        const prefix = `${U}-up${fmt}-`;
        roundTrip(tc, {
          rule: 'control-path-unescaped-percent', fmt,
          provisioner: ansibleProvisioner({ extra_arguments: [...COMMON_EXTRA_ARGUMENTS], ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH=${prefix}%h-%p-%r`] }),
          findings: ['control-path-unescaped-percent'],
          build: { watch: [prefix] },
          broken: {
            says: 'fails with "unsupported format character" before any ssh runs',
            check: (r) => { assertFailed(r, UNSUPPORTED_FORMAT); assert.equal(r.sshCommands.length, 0); },
          },
          fixed: {
            says: `builds, socket ${prefix}127.0.0.1-<port>-<user>`,
            check: (r, text) => {
              assert.ok(text.includes(`${prefix}%%h-%%p-%%r`));
              assertBuilt(r);
              assert.deepEqual(uniq([...r.sshControlPaths, ...transferControlPaths(r)]), [`${prefix}%h-%p-%r`]);
              assertSocket(r, expanded(r, prefix));
            },
          },
        });
      }
    });

    describe('control-path-too-long', () => {
      const hashed = /^\/tmp\/ansible-[0-9a-f]{40}$/;
      for (const fmt of ['json', 'hcl'] as const) {
        // ANSIBLE_SSH_CONTROL_PATH=<prefix>%%h-%%p-%%r, expanding to 100 bytes (with a 5-digit proxy port): a long
        // file name directly in /tmp, no directory needed.
        const head = `${U}-tl${fmt}-`;
        const prefix = head + pad(head.length + '127.0.0.1-12345-'.length + USER.length, 100);
        roundTrip(tc, {
          rule: 'control-path-too-long', fmt, variant: 'ANSIBLE_SSH_CONTROL_PATH',
          provisioner: ansibleProvisioner({ extra_arguments: [...COMMON_EXTRA_ARGUMENTS], ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH=${prefix}%%h-%%p-%%r`] }),
          findings: ['control-path-too-long'],
          build: { watch: ['/tmp/ansible-'] },
          broken: {
            says: 'fails: UNREACHABLE, "unix_listener: path ... too long for Unix domain socket"',
            check: (r) => {
              assertFailed(r, UNIX_LISTENER_TOO_LONG);
              assert.match(r.ui, UNREACHABLE);
              const want = expanded(r, prefix);
              assert.ok(want.length > 90 && want.length < 108, `expanded to ${want.length} bytes`);
              assert.ok(r.ui.match(UNIX_LISTENER_TOO_LONG)![1]!.startsWith(`${want}.`));
            },
          },
          fixed: {
            says: 'builds, socket /tmp/ansible-<40 hex> (%C)',
            check: (r, text) => {
              assert.ok(text.includes('ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-%%C'));
              assertBuilt(r);
              assert.deepEqual(uniq([...r.sshControlPaths, ...transferControlPaths(r)]), ['/tmp/ansible-%C']);
              assertSocket(r, hashed);
            },
          },
        });

        // -o ControlPath=<prefix>%h-%p in --ssh-common-args (ssh and scp use it as given), 100 bytes expanded.
        const head2 = `${U}-tc${fmt}-`;
        const prefix2 = head2 + pad(head2.length + '127.0.0.1-12345'.length, 100);
        roundTrip(tc, {
          rule: 'control-path-too-long', fmt, variant: 'ControlPath in --ssh-common-args',
          provisioner: ansibleProvisioner({ extra_arguments: ['--ssh-common-args', `-o ControlPath=${prefix2}%h-%p ${HOSTKEY_ARGS}`, '--scp-extra-args', "'-O'"] }),
          findings: ['control-path-too-long'],
          build: { watch: ['/tmp/ansible-'] },
          broken: {
            says: 'fails: UNREACHABLE, "unix_listener: path ... too long for Unix domain socket"',
            check: (r) => {
              assertFailed(r, UNIX_LISTENER_TOO_LONG);
              assert.match(r.ui, UNREACHABLE);
              const want = expanded(r, prefix2, false);
              assert.ok(want.length > 90 && want.length < 108, `expanded to ${want.length} bytes`);
              assert.ok(r.ui.match(UNIX_LISTENER_TOO_LONG)![1]!.startsWith(`${want}.`));
            },
          },
          fixed: {
            says: 'builds, socket /tmp/ansible-<40 hex> (%C)',
            check: (r, text) => {
              assert.ok(text.includes(`-o ControlPath=/tmp/ansible-%C ${HOSTKEY_ARGS}`));
              assertBuilt(r);
              assert.deepEqual(uniq([...r.sshControlPaths, ...transferControlPaths(r)]), ['/tmp/ansible-%C']);
              assertSocket(r, hashed);
            },
          },
        });
      }
    });

    describe('control-path-missing', () => {
      describe('a network home directory (sshfs) that cannot hold Unix sockets', () => {
        before(function () {
          requireThat(this, !netFsProblem, `${netFsProblem} (the control-path-missing and control-path-unsafe-dir round trips need a FUSE mount)`);
        });
        for (const fmt of ['json', 'hcl'] as const) {
          const home = `${NET}/home-${tc}-${fmt}`;
          roundTrip(tc, {
            rule: 'control-path-missing', fmt, fuse: true,
            provisioner: ansibleProvisioner({ extra_arguments: [...COMMON_EXTRA_ARGUMENTS] }),
            findings: ['control-path-missing'],
            build: { env: { HOME: home }, watch: ['/tmp/ansible-ssh-'] },
            broken: {
              says: `with HOME on the mount fails: UNREACHABLE, "unix_listener: cannot bind to path ~/.ansible/cp/<hash>.<random>: Operation not permitted"`,
              check: (r) => {
                assertFailed(r, UNIX_LISTENER_BIND_NOT_PERMITTED);
                assert.match(r.ui, UNREACHABLE);
                const temp = r.ui.match(UNIX_LISTENER_BIND_NOT_PERMITTED)![1]!;
                assert.match(temp.replace(/\.[A-Za-z0-9]{16}$/, ''), defaultCp(home));
                assert.deepEqual(r.muxListeners, []);
                assert.deepEqual(r.sockets.filter((s) => s.startsWith(home)), []);
              },
            },
            fixed: {
              says: 'with the same HOME builds, socket /tmp/ansible-ssh-127.0.0.1-<port>-<user>',
              check: (r, text) => {
                assert.ok(text.includes('ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r'));
                assertBuilt(r);
                assert.equal(r.home, home);
                assertSocket(r, expanded(r, '/tmp/ansible-ssh-'));
              },
            },
          });
        }
      });

      describe('a long HOME: the default path itself is too long', () => {
        // $HOME/.ansible/cp/<10 hex> is $HOME + 23 bytes: a 68-byte HOME makes it 91, one over the limit.
        const home = `${U}-home-` + pad(`${U}-home-`.length, 68);
        roundTrip(tc, {
          rule: 'control-path-missing', fmt: 'json', variant: '68-byte HOME',
          provisioner: ansibleProvisioner({ extra_arguments: [...COMMON_EXTRA_ARGUMENTS] }),
          findings: ['control-path-missing'],
          build: { env: { HOME: home }, watch: ['/tmp/ansible-ssh-'] },
          broken: {
            says: 'fails: UNREACHABLE, "unix_listener: path ~/.ansible/cp/<hash>.<random> too long for Unix domain socket"',
            check: (r) => {
              assertFailed(r, UNIX_LISTENER_TOO_LONG);
              assert.match(r.ui, UNREACHABLE);
              const temp = r.ui.match(UNIX_LISTENER_TOO_LONG)![1]!;
              const cp = temp.replace(/\.[A-Za-z0-9]{16}$/, '');
              assert.match(cp, defaultCp(home));
              assert.equal(cp.length, 91);
            },
          },
          fixed: {
            says: 'with the same HOME builds, socket /tmp/ansible-ssh-127.0.0.1-<port>-<user>',
            check: (r) => {
              assertBuilt(r);
              assertSocket(r, expanded(r, '/tmp/ansible-ssh-'));
            },
          },
        });
      });
    });

    describe('control-path-unsafe-dir', () => {
      before(function () {
        requireThat(this, !netFsProblem, `${netFsProblem} (the control-path-unsafe-dir round trips need a FUSE mount)`);
      });
      for (const fmt of ['json', 'hcl'] as const) {
        // <mount>/<name>%%h-%%p-%%r: short enough (82 bytes at worst) that only the directory is wrong.
        const name = `${TAG}-${tc[0]}n${fmt[0]}-`;
        roundTrip(tc, {
          rule: 'control-path-unsafe-dir', fmt, fuse: true,
          provisioner: ansibleProvisioner({ extra_arguments: [...COMMON_EXTRA_ARGUMENTS], ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH=${NET}/${name}%%h-%%p-%%r`] }),
          findings: ['control-path-unsafe-dir'],
          build: { watch: [`/tmp/${name}`] },
          broken: {
            says: 'with the socket on the sshfs mount fails: UNREACHABLE, "unix_listener: cannot bind to path ...: Operation not permitted"',
            check: (r) => {
              assertFailed(r, UNIX_LISTENER_BIND_NOT_PERMITTED);
              assert.match(r.ui, UNREACHABLE);
              assert.ok(r.ui.match(UNIX_LISTENER_BIND_NOT_PERMITTED)![1]!.startsWith(`${expanded(r, `${NET}/${name}`)}.`));
            },
          },
          fixed: {
            says: `builds, socket moved to /tmp keeping its name: /tmp/${name}127.0.0.1-<port>-<user>`,
            check: (r, text) => {
              assert.ok(text.includes(`ANSIBLE_SSH_CONTROL_PATH=/tmp/${name}%%h-%%p-%%r`));
              assertBuilt(r);
              assertSocket(r, expanded(r, `/tmp/${name}`));
            },
          },
        });
      }
    });

    describe('ssh-args-doubled-percent', () => {
      for (const fmt of ['json', 'hcl'] as const) {
        const prefix = `${U}-dp${fmt}-`;
        roundTrip(tc, {
          rule: 'ssh-args-doubled-percent', fmt,
          provisioner: ansibleProvisioner({ extra_arguments: ['--ssh-common-args', `-o ControlPath=${prefix}%%h-%%p ${HOSTKEY_ARGS}`, '--scp-extra-args', "'-O'"] }),
          findings: ['ssh-args-doubled-percent'],
          build: { watch: [prefix] },
          broken: {
            says: `builds, but the socket is the literal file ${prefix}%h-%p, the same name for every host and port`,
            check: (r) => {
              assertBuilt(r);
              assert.deepEqual(uniq([...r.sshControlPaths, ...transferControlPaths(r)]), [`${prefix}%%h-%%p`]);
              assertSocket(r, `${prefix}%h-%p`);
            },
          },
          fixed: {
            says: `builds, socket ${prefix}127.0.0.1-<port> (host and port expanded)`,
            check: (r) => {
              assertBuilt(r);
              assert.deepEqual(uniq([...r.sshControlPaths, ...transferControlPaths(r)]), [`${prefix}%h-%p`]);
              assertSocket(r, expanded(r, prefix, false));
            },
          },
        });
      }
    });

    describe('proxy-host-key-rejected (Packer 1.6.6 with OpenSSH 9.2 and 10.0)', () => {
      for (const fmt of ['json', 'hcl'] as const) {
        roundTrip(tc, {
          rule: 'proxy-host-key-rejected', fmt,
          provisioner: ansibleProvisioner({ extra_arguments: ['--scp-extra-args', "'-O'"] }),
          // control-path-missing is true as well: the fixed build's socket is in ~/.ansible/cp.
          findings: ['control-path-missing', 'proxy-host-key-rejected'],
          broken: {
            says: 'fails: UNREACHABLE, "no matching host key type found. Their offer: ssh-rsa"',
            check: (r) => {
              assertFailed(r, HOST_KEY_REJECTED);
              assert.match(r.ui, UNREACHABLE);
              assert.equal(transferCommands(r).length, 0);
            },
          },
          fixed: {
            says: 'builds (ssh-rsa allowed through --ssh-common-args, reaching ssh and scp)',
            check: (r, text) => {
              assert.ok(text.includes('"--ssh-common-args"') && text.includes(`"${HOSTKEY_ARGS}"`));
              assertBuilt(r);
              assert.ok(transferCommands(r).length > 0);
              for (const argv of [...r.sshCommands, ...transferCommands(r)]) assert.equal(optionOf(argv, 'HostKeyAlgorithms'), '+ssh-rsa');
              assertSocket(r, defaultCp(r.home));
            },
          },
        });
      }
    });

    describe('scp-sftp-mismatch (OpenSSH 9.2 and 10.0; transfers use scp only up to ansible-core 2.16)', () => {
      for (const fmt of ['json', 'hcl'] as const) {
        roundTrip(tc, {
          rule: 'scp-sftp-mismatch', fmt,
          provisioner: ansibleProvisioner({ extra_arguments: ['--ssh-common-args', HOSTKEY_ARGS] }),
          // control-path-missing is true as well: the fixed build's socket is in ~/.ansible/cp.
          // ansible-core 2.19 transfers with sftp (Packer's ANSIBLE_SCP_IF_SSH is gone): nothing to report.
          findings: { bookworm: ['control-path-missing', 'scp-sftp-mismatch'], trixie: ['control-path-missing'] },
          silent: {
            says: 'builds: ansible-core 2.19 transfers with sftp, no scp runs',
            check: (r) => {
              assertBuilt(r);
              assert.equal(r.scpCommands.length, 0);
              assert.ok(r.sftpCommands.length > 0);
              assertSocket(r, defaultCp(r.home));
            },
          },
          broken: {
            says: 'fails: "failed to transfer file" (scp speaks SFTP, the proxy ends that channel without an exit status)',
            check: (r) => {
              assertFailed(r, TRANSFER_FAILED);
              assert.match(r.ui, SCP_USES_SFTP);
              assert.match(r.ui, SFTP_CHANNEL_NO_EXIT_STATUS);
            },
          },
          fixed: {
            says: "builds (scp gets -O, the legacy protocol)",
            check: (r) => {
              assertBuilt(r);
              assert.ok(r.scpCommands.length > 0 && r.scpCommands.every((a) => a.includes('-O')));
              assertSocket(r, defaultCp(r.home));
            },
          },
          alternative: {
            title: 'Transfer files with sftp',
            says: 'builds (use_sftp: Ansible transfers with sftp, no scp runs)',
            check: (r) => {
              assertBuilt(r);
              assert.equal(r.scpCommands.length, 0);
              assert.ok(r.sftpCommands.length > 0);
            },
          },
        });
      }
    });
  }, {
    want: (name) => !fuseScenarios.has(name) || !netFsProblem,
    // The analysis is told the versions the toolchain's own tools report.
    ready: (t) => { analyzers.set(t.name, analyzer({}, { toolchain: { packer: t.versions.packer, ansible: t.versions.ansible, openssh: t.versions.openssh } })); },
  });
});
