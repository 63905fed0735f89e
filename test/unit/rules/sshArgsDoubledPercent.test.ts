import assert from 'node:assert/strict';
import { ready } from '../../support/analysis';
import { findings, applyPreferredFix } from '../../support/rules';
import { legacy, hcl, JSON_FILE, HCL_FILE } from '../../support/templates';

const RULE = 'ssh-args-doubled-percent';
const fire = (files: Record<string, string>, file: string) => findings(files, file, RULE);

describe(RULE, () => {
  before(ready);

  it('fires on %% tokens in a ControlPath inside ANSIBLE_SSH_ARGS, at the path', () => {
    const t = legacy({ ansible_env_vars: ['ANSIBLE_SSH_ARGS=-o ControlMaster=auto -o ControlPersist=60s -o ControlPath=/tmp/cp-%%h-%%p'] });
    assert.deepEqual(fire({ [JSON_FILE]: t }, JSON_FILE), [[RULE, '/tmp/cp-%%h-%%p']]);
  });
  it('fires on %% tokens in --ssh-common-args (HCL2)', () => {
    const t = hcl('extra_arguments = ["--ssh-common-args", "-o ControlPath=/tmp/cp-%%C"]');
    assert.deepEqual(fire({ [HCL_FILE]: t }, HCL_FILE), [[RULE, '/tmp/cp-%%C']]);
  });
  it('stays silent for single % in ssh args and for %% in ANSIBLE_SSH_CONTROL_PATH', () => {
    assert.deepEqual(fire({ [JSON_FILE]: legacy({ extra_arguments: ['--ssh-common-args', '-o ControlPath=/tmp/cp-%h'] }) }, JSON_FILE), []);
    assert.deepEqual(fire({ [JSON_FILE]: legacy({ ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/tmp/cp-%%h'] }) }, JSON_FILE), []);
  });
  it('undoubles the tokens', () => {
    const files = applyPreferredFix({ [HCL_FILE]: hcl('extra_arguments = ["--ssh-common-args", "-o ControlPath=/tmp/cp-%%h-%%p -o X=1"]') }, HCL_FILE, RULE);
    assert.equal(files[HCL_FILE], hcl('extra_arguments = ["--ssh-common-args", "-o ControlPath=/tmp/cp-%h-%p -o X=1"]'));
  });
});
