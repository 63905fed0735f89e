import assert from 'node:assert/strict';
import { ready } from '../../support/analysis';
import { findings, applyPreferredFix } from '../../support/rules';
import { legacy, hcl, JSON_FILE, HCL_FILE } from '../../support/templates';

const RULE = 'control-path-unescaped-percent';
const fire = (files: Record<string, string>, file: string) => findings(files, file, RULE);

describe(RULE, () => {
  before(ready);

  it('fires on single % tokens in ANSIBLE_SSH_CONTROL_PATH, at the value (JSON)', () => {
    const t = legacy({ ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%h-%p-%r'] });
    assert.deepEqual(fire({ [JSON_FILE]: t }, JSON_FILE), [[RULE, '/tmp/ansible-ssh-%h-%p-%r']]);
  });
  it('fires on single % tokens in ANSIBLE_SSH_CONTROL_PATH, at the value (HCL2)', () => {
    const t = hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%h-%p-%r"]');
    assert.deepEqual(fire({ [HCL_FILE]: t }, HCL_FILE), [[RULE, '/tmp/ansible-ssh-%h-%p-%r']]);
  });
  it('fires on control_path in the ansible.cfg in use, pointing into that file', () => {
    const files = { [HCL_FILE]: hcl(), '/ws/ansible.cfg': '[defaults]\nforks = 5\n\n[ssh_connection]\ncontrol_path = /tmp/cp-%h-%r\n' };
    assert.deepEqual(fire(files, HCL_FILE), [[RULE, '/tmp/cp-%h-%r']]);
  });
  it('fires on a trailing single %', () => {
    assert.deepEqual(fire({ [JSON_FILE]: legacy({ ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/tmp/x%'] }) }, JSON_FILE), [[RULE, '/tmp/x%']]);
  });

  const silent: [string, string][] = [
    ['doubled %% tokens', 'ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r'],
    ['%(directory)s', 'ANSIBLE_SSH_CONTROL_PATH=%(directory)s/%%h-%%r'],
    ['no % at all', 'ANSIBLE_SSH_CONTROL_PATH=/tmp/socket'],
  ];
  for (const [why, entry] of silent) {
    it(`stays silent for ${why}`, () => assert.deepEqual(fire({ [JSON_FILE]: legacy({ ansible_env_vars: [entry] }) }, JSON_FILE), []));
  }
  it('stays silent when Ansible never formats the control path (no ControlPersist)', () => {
    const t = legacy({ ansible_env_vars: ['ANSIBLE_SSH_ARGS=-o ControlMaster=no', 'ANSIBLE_SSH_CONTROL_PATH=/tmp/%h'] });
    assert.deepEqual(fire({ [JSON_FILE]: t }, JSON_FILE), []);
  });
  it('stays silent for a single % in a ControlPath inside ssh args (ssh gets it untouched)', () => {
    const t = legacy({ extra_arguments: ['--ssh-common-args', '-o ControlPath=/tmp/c-%h-%p'] });
    assert.deepEqual(fire({ [JSON_FILE]: t }, JSON_FILE), []);
  });

  it('doubles every single % (JSON), changing nothing else', () => {
    const files = applyPreferredFix({ [JSON_FILE]: legacy({ ansible_env_vars: ['A=1', 'ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%h-%%p-%(directory)s-%r'] }) }, JSON_FILE, RULE);
    assert.equal(files[JSON_FILE], legacy({ ansible_env_vars: ['A=1', 'ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%%h-%%p-%(directory)s-%%r'] }));
  });
  it('doubles every single % (HCL2)', () => {
    const files = applyPreferredFix({ [HCL_FILE]: hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%h-%p-%r"]') }, HCL_FILE, RULE);
    assert.equal(files[HCL_FILE], hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r"]'));
  });
  it('fixes the ansible.cfg line in place', () => {
    const cfg = '[ssh_connection]\r\ncontrol_path = /tmp/cp-%h-%r\r\npipelining = True\r\n';
    const files = applyPreferredFix({ [HCL_FILE]: hcl(), '/ws/ansible.cfg': cfg }, HCL_FILE, RULE);
    assert.equal(files['/ws/ansible.cfg'], cfg.replace('%h-%r', '%%h-%%r'));
    assert.equal(files[HCL_FILE], hcl());
  });
  it('keeps JSON escapes around the edit intact', () => {
    const t = legacy({ ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/tmp/"q"-%h'] });
    const files = applyPreferredFix({ [JSON_FILE]: t }, JSON_FILE, RULE);
    assert.equal(files[JSON_FILE], legacy({ ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/tmp/"q"-%%h'] }));
  });
});
