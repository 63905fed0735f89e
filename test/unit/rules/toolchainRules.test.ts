import assert from 'node:assert/strict';
import { ready, analyzer } from '../../support/analysis';
import { applyPreferredFix, textAt } from '../../support/rules';
import { legacy, hcl, JSON_FILE, HCL_FILE } from '../../support/templates';
import { constraintAtLeast, proxyOffersOnlyRsa, type Toolchain } from '../../../server/src/analysis/toolchain';
import type { AnalysisSettings } from '../../../server/src/analysis';

const OLD: Toolchain = { packer: '1.6.6', openssh: '9.2p1' };
const HOSTKEY = '-o HostKeyAlgorithms=+ssh-rsa -o PubkeyAcceptedKeyTypes=+ssh-rsa';

function fire(files: Record<string, string>, file: string, rule: string, toolchain: Toolchain = OLD): string[] {
  const settings: Partial<AnalysisSettings> = { toolchain };
  return analyzer(files, settings).analyze(file, files[file]).findings.filter((f) => f.ruleId === rule).map((f) => textAt(files[file], f));
}

describe('toolchain', () => {
  it('reads HashiCorp version constraints', () => {
    const cases: [string, boolean | undefined][] = [
      ['>= 1.1.0', true], ['>= 1.0.0', undefined], ['= 1.0.4', false], ['1.0.4', false], ['~> 1.0.0', false],
      ['~> 1.0', undefined], ['~> 1.1', true], ['>= 1.0.0, < 1.1.0', false], ['< 2', undefined], ['> 1.0.9', undefined], ['nonsense', undefined],
    ];
    for (const [c, expected] of cases) assert.equal(constraintAtLeast(c, '1.1.0'), expected, c);
  });
  it('decides the proxy key type from the plugin, then Packer, then required_plugins', () => {
    assert.equal(proxyOffersOnlyRsa({ packer: '1.6.6' }, [], undefined), true);
    assert.equal(proxyOffersOnlyRsa({ packer: '1.8.5' }, [], undefined), undefined, 'a bundled copy of unknown version');
    assert.equal(proxyOffersOnlyRsa({ packer: '1.10.0', ansiblePlugin: '1.1.1' }, [], undefined), false);
    assert.equal(proxyOffersOnlyRsa({ ansiblePlugin: '1.0.4' }, [], undefined), true);
    assert.equal(proxyOffersOnlyRsa({}, [{ name: 'ansible', version: '>= 1.1.0' }], undefined), false);
    assert.equal(proxyOffersOnlyRsa({}, [{ name: 'ansible', version: '~> 1.0.0' }], undefined), true);
    assert.equal(proxyOffersOnlyRsa({ ansiblePlugin: '1.1.1' }, [], 'RSA'), true);
    assert.equal(proxyOffersOnlyRsa({}, [], undefined), undefined);
  });
});

describe('proxy-host-key-rejected', () => {
  const RULE = 'proxy-host-key-rejected';
  before(ready);

  it('fires for Packer 1.6.6 with OpenSSH 9.2 and no ssh-rsa allowance', () => {
    assert.deepEqual(fire({ [JSON_FILE]: legacy() }, JSON_FILE, RULE), ['"ansible"']);
    assert.deepEqual(fire({ [HCL_FILE]: hcl() }, HCL_FILE, RULE), ['"ansible"']);
  });
  it('stays silent when ssh-rsa is allowed only in --ssh-extra-args and the transfer goes through ssh\'s multiplexed master (the baseline that builds, docs/facts.md), whatever the ansible-core', () => {
    // Every task runs ssh (with the allowance) before it transfers; scp/sftp then use ssh's master and negotiate no host key.
    for (const attrs of [{ extra_arguments: ['--ssh-extra-args', HOSTKEY, '--scp-extra-args', "'-O'"] }, { extra_arguments: ['--ssh-extra-args', HOSTKEY], use_sftp: true }]) {
      for (const toolchain of [OLD, { ...OLD, ansible: '2.14.18' }, { ...OLD, ansible: '2.16.3' }]) {
        assert.deepEqual(fire({ [JSON_FILE]: legacy(attrs) }, JSON_FILE, RULE, toolchain), [], `${JSON.stringify(attrs)} ${JSON.stringify(toolchain)}`);
      }
    }
    assert.deepEqual(fire({ [HCL_FILE]: hcl(`extra_arguments = ["--ssh-extra-args", "${HOSTKEY}", "--scp-extra-args", "'-O'"]`) }, HCL_FILE, RULE, { ...OLD, ansible: '2.14.18' }), []);
  });
  it('fires, saying it is incomplete, when ssh-rsa is allowed only in --ssh-extra-args and the transfer does not reuse ssh\'s master, up to ansible-core 2.16 (one transfer method)', () => {
    const noMaster = legacy({ extra_arguments: ['--ssh-extra-args', HOSTKEY, '--scp-extra-args', "'-O'"], ansible_env_vars: ['ANSIBLE_SSH_ARGS=-o ControlMaster=auto'] });
    const f = analyzer({ [JSON_FILE]: noMaster }, { toolchain: OLD }).analyze(JSON_FILE, noMaster).findings.filter((x) => x.ruleId === RULE);
    assert.deepEqual(f.map((x) => x.holdsFor), ['ansible-core 2.16 and earlier']);
    assert.match(f[0].message, /only in --ssh-extra-args, which reaches ssh but not scp, and scp does not go through ssh's multiplexed connection \(ssh opens no master: /);
    const ownPath = legacy({ extra_arguments: ['--ssh-extra-args', `-o ControlPath=/tmp/c-%h-%p ${HOSTKEY}`, '--scp-extra-args', "'-O'"] });
    const g = analyzer({ [JSON_FILE]: ownPath }, { toolchain: { ...OLD, ansible: '2.14.18' } }).analyze(JSON_FILE, ownPath).findings.filter((x) => x.ruleId === RULE);
    assert.equal(g.length, 1);
    assert.match(g[0].message, /ssh's ControlPath is \/tmp\/c-%h-%p, scp's ~\/\.ansible\/cp\/<hash>/);
    const sftpNoMaster = legacy({ extra_arguments: ['--ssh-extra-args', HOSTKEY], use_sftp: true, ansible_env_vars: ['ANSIBLE_SSH_ARGS=-o ControlMaster=auto'] });
    const h = analyzer({ [JSON_FILE]: sftpNoMaster }, { toolchain: { ...OLD, ansible: '2.14.18' } }).analyze(JSON_FILE, sftpNoMaster).findings.filter((x) => x.ruleId === RULE);
    assert.match(h[0].message, /only in --ssh-extra-args, which reaches ssh but not sftp/);
  });
  it('says which versions it assumed (diagnostic data for Bake AMI\'s preflight); rules that do not depend on versions say nothing', () => {
    const t = legacy();
    const f = analyzer({ [JSON_FILE]: t }, { toolchain: { ...OLD, ansible: '2.14.18' } }).analyze(JSON_FILE, t).findings;
    assert.deepEqual(f.map((x) => [x.ruleId, x.assumes]), [
      ['control-path-missing', undefined],
      [RULE, { packer: '1.6.6', ansible: '2.14.18', openssh: '9.2p1' }],
      ['scp-sftp-mismatch', { ansible: '2.14.18', openssh: '9.2p1' }],
    ]);
  });
  it('stays silent when ssh-rsa is allowed only in --ssh-extra-args on ansible-core 2.17+, whose transfers fall back to ssh itself (piped)', () => {
    const t = legacy({ extra_arguments: ['--ssh-extra-args', HOSTKEY] });
    assert.deepEqual(analyzer({ [JSON_FILE]: t }, { toolchain: { ...OLD, ansible: '2.19.4' } }).analyze(JSON_FILE, t).findings.filter((x) => x.ruleId === RULE), []);
  });
  it('...but fires on 2.17+ when the transfer method is set to one tool (no fallback) and does not reuse ssh\'s master', () => {
    const t = legacy({ extra_arguments: ['--ssh-extra-args', HOSTKEY], ansible_env_vars: ['ANSIBLE_SSH_TRANSFER_METHOD=sftp', 'ANSIBLE_SSH_ARGS=-o ControlMaster=auto'] });
    const f = analyzer({ [JSON_FILE]: t }, { toolchain: { ...OLD, ansible: '2.19.4' } }).analyze(JSON_FILE, t).findings.filter((x) => x.ruleId === RULE);
    assert.equal(f.length, 1);
    assert.match(f[0].message, /reaches ssh but not sftp/);
  });
  const silent: [string, Record<string, unknown>, Toolchain][] = [
    ['ssh-rsa is allowed through --ssh-common-args', { extra_arguments: ['--ssh-common-args', HOSTKEY] }, OLD],
    ['ssh-rsa is allowed through ANSIBLE_SSH_ARGS', { ansible_env_vars: [`ANSIBLE_SSH_ARGS=-C -o ControlMaster=auto -o ControlPersist=60s ${HOSTKEY}`] }, OLD],
    ['use_proxy is false', { use_proxy: false }, OLD],
    ['OpenSSH is older than 8.8', {}, { packer: '1.6.6', openssh: '8.4p1' }],
    ['the OpenSSH version is unknown', {}, { packer: '1.6.6' }],
    ['the plugin is 1.1.0 or later', {}, { packer: '1.10.0', ansiblePlugin: '1.1.0', openssh: '9.2p1' }],
    ['the provisioner version is unknown', {}, { openssh: '9.2p1' }],
  ];
  for (const [why, attrs, toolchain] of silent) {
    it(`stays silent when ${why}`, () => assert.deepEqual(fire({ [JSON_FILE]: legacy(attrs) }, JSON_FILE, RULE, toolchain), []));
  }
  it('goes by required_plugins in the folder when nothing else is known', () => {
    const files = (v: string) => ({ [HCL_FILE]: hcl(), '/ws/plugins.pkr.hcl': `packer {\n  required_plugins {\n    ansible = {\n      version = "${v}"\n      source  = "github.com/hashicorp/ansible"\n    }\n  }\n}\n` });
    assert.deepEqual(fire(files('~> 1.0.0'), HCL_FILE, RULE, { openssh: '9.2p1' }), ['"ansible"']);
    assert.deepEqual(fire(files('>= 1.1.0'), HCL_FILE, RULE, { openssh: '9.2p1' }), []);
  });
  it('fixes by adding --ssh-common-args, or extending the one there', () => {
    const toolchain = { toolchain: OLD };
    const add = applyPreferredFix({ [JSON_FILE]: legacy() }, JSON_FILE, RULE, toolchain);
    assert.match(add[JSON_FILE], /"extra_arguments": \["--ssh-common-args", "-o HostKeyAlgorithms=\+ssh-rsa -o PubkeyAcceptedKeyTypes=\+ssh-rsa"\]/);
    const extend = applyPreferredFix({ [HCL_FILE]: hcl('extra_arguments = ["--ssh-common-args", "-o ControlPath=/tmp/c-%C"]') }, HCL_FILE, RULE, toolchain);
    assert.equal(extend[HCL_FILE], hcl(`extra_arguments = ["--ssh-common-args", "-o ControlPath=/tmp/c-%C ${HOSTKEY}"]`));
  });
});

describe('scp-sftp-mismatch', () => {
  const RULE = 'scp-sftp-mismatch';
  before(ready);

  it('fires with OpenSSH 9 through the proxy without -O or use_sftp', () => {
    assert.deepEqual(fire({ [JSON_FILE]: legacy() }, JSON_FILE, RULE), ['"ansible"']);
    assert.deepEqual(fire({ [HCL_FILE]: hcl() }, HCL_FILE, RULE), ['"ansible"']);
  });
  const silent: [string, Record<string, unknown>, Toolchain][] = [
    ['--scp-extra-args has -O', { extra_arguments: ['--scp-extra-args', "'-O'"] }, OLD],
    ['use_sftp is true', { use_sftp: true }, OLD],
    ['use_proxy is false', { use_proxy: false }, OLD],
    ['OpenSSH is 8.x', {}, { openssh: '8.9p1' }],
    ['the OpenSSH version is unknown', {}, {}],
  ];
  for (const [why, attrs, toolchain] of silent) {
    it(`stays silent when ${why}`, () => assert.deepEqual(fire({ [JSON_FILE]: legacy(attrs) }, JSON_FILE, RULE, toolchain), []));
  }
  it("fixes by adding --scp-extra-args '-O', keeping the other arguments", () => {
    const files = applyPreferredFix({ [JSON_FILE]: legacy({ extra_arguments: ['-v'] }) }, JSON_FILE, RULE, { toolchain: OLD });
    assert.equal(files[JSON_FILE], legacy({ extra_arguments: ['-v'] }).replace('"-v"', '"-v",\n        "--scp-extra-args",\n        "\'-O\'"'));
  });
});
