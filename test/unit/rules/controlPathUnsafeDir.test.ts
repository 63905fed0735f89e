import assert from 'node:assert/strict';
import { ready, analyzer } from '../../support/analysis';
import { findings, applyPreferredFix } from '../../support/rules';
import { legacy, hcl, JSON_FILE, HCL_FILE } from '../../support/templates';

const RULE = 'control-path-unsafe-dir';
const fire = (files: Record<string, string>, file: string) => findings(files, file, RULE);

describe(RULE, () => {
  before(ready);

  const unsafe: [string, string, string][] = [
    ['a home directory', 'ANSIBLE_SSH_CONTROL_PATH=~/.ssh/cm-%%r@%%h-%%p', '~/.ssh/cm-%%r@%%h-%%p'],
    ['the workspace', 'ANSIBLE_SSH_CONTROL_PATH_DIR=/workspace/.cp', '/workspace/.cp'],
    ['a relative path', 'ANSIBLE_SSH_CONTROL_PATH=sockets/%%h', 'sockets/%%h'],
    ['a path that only looks like /tmp', 'ANSIBLE_SSH_CONTROL_PATH=/tmpfoo/%%h', '/tmpfoo/%%h'],
  ];
  for (const [why, entry, text] of unsafe) {
    it(`fires for ${why}, at the value`, () => assert.deepEqual(fire({ [JSON_FILE]: legacy({ ansible_env_vars: [entry] }) }, JSON_FILE), [[RULE, text]]));
  }
  it('fires for a ControlPath in ssh_args of the ansible.cfg in use', () => {
    const files = { [HCL_FILE]: hcl(), '/ws/ansible.cfg': '[ssh_connection]\nssh_args = -o ControlMaster=auto -o ControlPersist=240s -o ControlPath=~/.ssh/%r@%h-%p\n' };
    assert.deepEqual(fire(files, HCL_FILE), [[RULE, '~/.ssh/%r@%h-%p']]);
  });

  const safe = ['ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%%h', 'ANSIBLE_SSH_CONTROL_PATH=/dev/shm/a-%%h', 'ANSIBLE_SSH_CONTROL_PATH_DIR=/tmp', 'ANSIBLE_SSH_CONTROL_PATH=/tmp/../tmp/x'];
  for (const entry of safe) {
    it(`stays silent for ${entry}`, () => assert.deepEqual(fire({ [JSON_FILE]: legacy({ ansible_env_vars: [entry] }) }, JSON_FILE), []));
  }
  it('accepts the directories of the safeDirectories setting', () => {
    const t = legacy({ ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/run/sockets/%%h'] });
    const a = analyzer({ [JSON_FILE]: t }, { safeDirectories: ['/run/sockets/'] });
    assert.deepEqual(a.analyze(JSON_FILE, t).findings.filter((f) => f.ruleId === RULE), []);
  });
  it('leaves the default directory to control-path-missing', () => {
    assert.deepEqual(fire({ [JSON_FILE]: legacy() }, JSON_FILE), []);
  });

  it('moves a control path under /tmp keeping its file name', () => {
    const files = applyPreferredFix({ [JSON_FILE]: legacy({ ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=~/.ssh/cm-%%r@%%h-%%p'] }) }, JSON_FILE, RULE);
    assert.equal(files[JSON_FILE], legacy({ ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/tmp/cm-%%r@%%h-%%p'] }));
  });
  it('moves a control path dir to /tmp/ansible-cp (HCL2)', () => {
    const files = applyPreferredFix({ [HCL_FILE]: hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH_DIR=/workspace/.cp"]') }, HCL_FILE, RULE);
    assert.equal(files[HCL_FILE], hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH_DIR=/tmp/ansible-cp"]'));
  });
});
