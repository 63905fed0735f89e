import assert from 'node:assert/strict';
import { analyzer, ready } from '../../support/analysis';
import { applyPreferredFix, textAt } from '../../support/rules';
import { legacy, hcl, JSON_FILE, HCL_FILE } from '../../support/templates';
import type { Toolchain } from '../../../server/src/analysis/toolchain';

const RULE = 'quoted-setting';
/** The docs' quoted form: 2.14 strips the quotes (default socket), 2.15+ keeps them (ssh fails). */
const QUOTED_ARGS = "ANSIBLE_SSH_ARGS='-o ControlMaster=auto -o ControlPersist=60s'";

function summary(files: Record<string, string>, file: string, toolchain: Toolchain = {}) {
  return analyzer(files, { toolchain }).analyze(file, files[file]).findings.map((f) => ({ rule: f.ruleId, text: textAt(files[f.file], f), holdsFor: f.holdsFor }));
}

describe(RULE, () => {
  before(ready);

  it('when the ansible-core version is unknown, reports what fails on each version and says which', () => {
    const files = { [JSON_FILE]: legacy({ ansible_env_vars: [QUOTED_ARGS] }) };
    assert.deepEqual(summary(files, JSON_FILE), [
      { rule: 'control-path-missing', text: '"ansible"', holdsFor: 'ansible-core 2.14 and earlier' },
      { rule: RULE, text: "'-o ControlMaster=auto -o ControlPersist=60s'", holdsFor: 'ansible-core 2.15 and later' },
    ]);
  });
  it('with a known version, reports that version\'s outcome only', () => {
    const files = { [JSON_FILE]: legacy({ ansible_env_vars: [QUOTED_ARGS] }) };
    assert.deepEqual(summary(files, JSON_FILE, { ansible: '2.19.4' }), [{ rule: RULE, text: "'-o ControlMaster=auto -o ControlPersist=60s'", holdsFor: undefined }]);
    assert.deepEqual(summary(files, JSON_FILE, { ansible: '2.14.18' }), [{ rule: 'control-path-missing', text: '"ansible"', holdsFor: undefined }]);
  });
  it('says which versions in the message', () => {
    const files = { [HCL_FILE]: hcl(`ansible_env_vars = ["${QUOTED_ARGS}"]`) };
    const f = analyzer(files).analyze(HCL_FILE, files[HCL_FILE]).findings.find((x) => x.ruleId === RULE)!;
    assert.match(f.message, /one argument .* \(With ansible-core 2\.15 and later\.\)$/);
  });
  it('fires on --ssh-common-args with several options quoted inside the value', () => {
    const files = { [JSON_FILE]: legacy({ extra_arguments: ['--ssh-common-args', "'-o ControlPath=/tmp/c-%h -o HostKeyAlgorithms=+ssh-rsa'"] }) };
    assert.deepEqual(summary(files, JSON_FILE).filter((f) => f.rule === RULE).map((f) => f.holdsFor), ['ansible-core 2.15 and later']);
  });
  it("stays silent on one quoted word such as --scp-extra-args '-O' (shlex removes its quotes on every version)", () => {
    const files = { [JSON_FILE]: legacy({ extra_arguments: ['--scp-extra-args', "'-O'"] }) };
    assert.deepEqual(summary(files, JSON_FILE).filter((f) => f.rule === RULE), []);
  });
  it('fires on one ansible_ssh_extra_args item holding two options, which Packer passes as one quoted word', () => {
    const files = { [HCL_FILE]: hcl('ansible_ssh_extra_args = ["-oHostKeyAlgorithms=+ssh-rsa -oPubkeyAcceptedKeyTypes=+ssh-rsa"]') };
    assert.deepEqual(summary(files, HCL_FILE).filter((f) => f.rule === RULE).map((f) => [f.text, f.holdsFor]), [['"ansible"', 'ansible-core 2.15 and later']]);
  });
  it('for several ansible_ssh_extra_args items, goes by how the Packer version quotes them', () => {
    const files = { [HCL_FILE]: hcl('ansible_ssh_extra_args = ["-o IdentitiesOnly=yes", "-o ServerAliveInterval=30"]') };
    const rule = (t: Toolchain) => summary(files, HCL_FILE, t).filter((f) => f.rule === RULE).map((f) => f.holdsFor);
    // packer-plugin-ansible quotes each item: fine with 2.15+, broken with 2.14.
    assert.deepEqual(rule({ ansiblePlugin: '1.1.4', ansible: '2.19.4' }), []);
    assert.deepEqual(rule({ ansiblePlugin: '1.1.4', ansible: '2.14.18' }), [undefined]);
    // Packer 1.6's built-in provisioner concatenates them with no space ('-o IdentitiesOnly=yes-o ...'): broken with every version.
    assert.deepEqual(rule({ packer: '1.6.6', ansible: '2.14.18' }), [undefined]);
    assert.deepEqual(rule({ packer: '1.6.6', ansible: '2.19.4' }), [undefined]);
    // Unknown versions: a current plugin, and either ansible-core.
    assert.deepEqual(rule({}), ['ansible-core 2.14 and earlier']);
  });
  it('fixes by removing the quotes, after which every version agrees', () => {
    const files = { [JSON_FILE]: legacy({ ansible_env_vars: [QUOTED_ARGS] }) };
    const fixed = applyPreferredFix(files, JSON_FILE, RULE, { toolchain: { ansible: '2.19.4' } });
    assert.match(fixed[JSON_FILE], /"ANSIBLE_SSH_ARGS=-o ControlMaster=auto -o ControlPersist=60s"/);
    assert.deepEqual(summary(fixed, JSON_FILE), [{ rule: 'control-path-missing', text: '"ansible"', holdsFor: undefined }]);
  });
});
