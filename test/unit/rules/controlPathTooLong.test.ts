import assert from 'node:assert/strict';
import { analyzer, ready } from '../../support/analysis';
import { findings, applyPreferredFix } from '../../support/rules';
import { legacy, hcl, JSON_FILE, HCL_FILE } from '../../support/templates';
import { MAX_CONTROL_PATH_BYTES, expandedLength, tokenWidths } from '../../../server/src/analysis/rules/controlPathTooLong';

const RULE = 'control-path-too-long';
const fire = (files: Record<string, string>, file: string) => findings(files, file, RULE);

/** A control path of exactly `n` bytes once expanded for user "root" behind Packer's proxy. */
function pathOfLength(n: number): string {
  const tail = '/%%h-%%p-%%r'; // 127.0.0.1 (9) + 1 + port (5) + 1 + root (4) = 20 bytes, plus the slash
  const dir = `/tmp/${'d'.repeat(n - 5 - 21)}`;
  return dir + tail;
}

describe(RULE, () => {
  before(ready);

  it('expands tokens by their documented worst-case widths', () => {
    const w = tokenWidths({ endpoint: { hostBytes: 9, host: '127.0.0.1', portBytes: 5 }, user: 'root' });
    assert.equal(expandedLength('/tmp/%h-%p-%r', w), 5 + 9 + 1 + 5 + 1 + 4);
    assert.equal(expandedLength('/tmp/%C', w), 5 + 40);
    assert.equal(expandedLength('/tmp/%%', w), 6);
    assert.equal(expandedLength('/tmp/x/<hash>', w), 7 + 10);
    assert.equal(expandedLength('~/x', w), '/root/x'.length);
    assert.equal(expandedLength('/tmp/%h', tokenWidths({ endpoint: { hostBytes: 15, host: 'an IPv4 address', portBytes: 2 }, user: undefined })), 5 + 15);
    assert.equal(expandedLength('/tmp/%r', tokenWidths({ endpoint: { hostBytes: 15, host: 'an IPv4 address', portBytes: 2 }, user: undefined })), 5 + 32);
  });

  it(`stays silent at exactly ${MAX_CONTROL_PATH_BYTES} bytes and fires at one more`, () => {
    const ok = legacy({ user: 'root', ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH=${pathOfLength(MAX_CONTROL_PATH_BYTES)}`] });
    const bad = legacy({ user: 'root', ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH=${pathOfLength(MAX_CONTROL_PATH_BYTES + 1)}`] });
    assert.deepEqual(fire({ [JSON_FILE]: ok }, JSON_FILE), []);
    assert.deepEqual(fire({ [JSON_FILE]: bad }, JSON_FILE), [[RULE, pathOfLength(MAX_CONTROL_PATH_BYTES + 1)]]);
  });

  it('fires on a long ControlPath in --ssh-common-args, at the path', () => {
    const p = `/tmp/${'x'.repeat(60)}/%C`;
    const t = hcl(`extra_arguments = ["--ssh-common-args", "-o ControlPath=${p}"]`);
    assert.deepEqual(fire({ [HCL_FILE]: t }, HCL_FILE), [[RULE, p]]);
  });

  it('fires on a long control path dir', () => {
    const d = `/tmp/${'x'.repeat(80)}`;
    assert.deepEqual(fire({ [JSON_FILE]: legacy({ ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH_DIR=${d}`] }) }, JSON_FILE), [[RULE, d]]);
  });

  it('stays silent for the default directory and for unknown values', () => {
    assert.deepEqual(fire({ [JSON_FILE]: legacy() }, JSON_FILE), []);
    assert.deepEqual(fire({ [JSON_FILE]: legacy({ ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH={{user `cp`}}'] }) }, JSON_FILE), []);
  });

  it('offers a short %%C path for ANSIBLE_SSH_CONTROL_PATH', () => {
    const files = applyPreferredFix({ [JSON_FILE]: legacy({ user: 'root', ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH=${pathOfLength(120)}`] }) }, JSON_FILE, RULE);
    assert.equal(files[JSON_FILE], legacy({ user: 'root', ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-%%C'] }));
  });
  it('offers a short %C path inside ssh args', () => {
    const p = `/tmp/${'x'.repeat(60)}/%C`;
    const files = applyPreferredFix({ [HCL_FILE]: hcl(`extra_arguments = ["--ssh-common-args", "-o ControlPath=${p} -o X=1"]`) }, HCL_FILE, RULE);
    assert.equal(files[HCL_FILE], hcl('extra_arguments = ["--ssh-common-args", "-o ControlPath=/tmp/ansible-%C -o X=1"]'));
  });

  describe('the host ssh connects to', () => {
    const path = '/tmp/pb-%h-%p-%r';
    const template = (useProxy: boolean, builder: Record<string, unknown>) => legacy({ user: 'root', use_proxy: useProxy, ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH=${path.replace(/%/g, '%%')}`] }, { builders: [builder] });
    const messages = (t: string) => analyzer({ [JSON_FILE]: t }).analyze(JSON_FILE, t).findings.filter((f) => f.ruleId === RULE).map((f) => f.message);
    it("is Packer's proxy on 127.0.0.1 with the proxy: a short path stays silent", () => {
      assert.deepEqual(messages(template(true, { type: 'amazon-ebs', ssh_interface: 'public_dns' })), []);
    });
    it('without the proxy, is the ssh_host the template states, by its length', () => {
      const host = `${'h'.repeat(70)}.example.com`;
      const got = messages(template(false, { type: 'null', ssh_host: host, ssh_port: 22 }));
      assert.equal(got.length, 1);
      assert.match(got[0], new RegExp(`can reach ${'/tmp/pb-'.length + host.length + 1 + 2 + 1 + 4} bytes .*%h as ssh_host ${host}, ${host.length} bytes`));
    });
    it("without the proxy, is an EC2 instance's DNS name when ssh_interface says so, and an IPv4 address otherwise", () => {
      const dns = messages(template(false, { type: 'amazon-ebs', ssh_interface: 'public_dns' }));
      assert.deepEqual(dns, []);
      const long = legacy({ user: 'root', use_proxy: false, ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH=/tmp/${'d'.repeat(20)}/pb-%%h-%%p-%%r`] }, { builders: [{ type: 'amazon-ebs', ssh_interface: 'public_dns' }] });
      const got = messages(long);
      assert.equal(got.length, 1);
      assert.match(got[0], /%h as an EC2 public_dns name, up to 56 bytes/);
      const ip = legacy({ user: 'root', use_proxy: false, ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH=/tmp/${'d'.repeat(20)}/pb-%%h-%%p-%%r`] }, { builders: [{ type: 'amazon-ebs' }] });
      assert.deepEqual(messages(ip), []);
    });
  });
});
