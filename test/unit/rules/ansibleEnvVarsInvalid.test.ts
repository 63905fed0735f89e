import assert from 'node:assert/strict';
import { ready, analyzer } from '../../support/analysis';
import { findings } from '../../support/rules';
import { legacy, hcl, JSON_FILE, HCL_FILE } from '../../support/templates';

const RULE = 'ansible-env-vars-invalid';
const fire = (files: Record<string, string>, file: string) => findings(files, file, RULE);
const severities = (t: string) => analyzer({ [JSON_FILE]: t }).analyze(JSON_FILE, t).findings.filter((f) => f.ruleId === RULE).map((f) => f.severity);

describe(RULE, () => {
  before(ready);

  it('warns about an entry without "=" (JSON), at the entry', () => {
    const t = legacy({ ansible_env_vars: ['A=1', 'ANSIBLE_HOST_KEY_CHECKING'] });
    assert.deepEqual(fire({ [JSON_FILE]: t }, JSON_FILE), [[RULE, '"ANSIBLE_HOST_KEY_CHECKING"']]);
    assert.deepEqual(severities(t), ['warning']);
  });
  it('warns about an entry without "=" (HCL2)', () => {
    assert.deepEqual(fire({ [HCL_FILE]: hcl('ansible_env_vars = ["ANSIBLE_NOCOLOR True"]') }, HCL_FILE), [[RULE, '"ANSIBLE_NOCOLOR True"']]);
  });
  it('warns about an entry that starts with "="', () => {
    assert.deepEqual(fire({ [JSON_FILE]: legacy({ ansible_env_vars: ['=1'] }) }, JSON_FILE), [[RULE, '"=1"']]);
  });
  it('flags entries that are not strings as errors', () => {
    const t = legacy({ ansible_env_vars: ['A=1', { B: 2 }] });
    assert.deepEqual(fire({ [JSON_FILE]: t }, JSON_FILE), [[RULE, '{\n          "B": 2\n        }']]);
    assert.deepEqual(severities(t), ['error']);
  });
  it('warns about numbers, bools and null (accepted, turned into strings without "=")', () => {
    const t = legacy({ ansible_env_vars: [8, true, null, 'A=1'] });
    assert.deepEqual(fire({ [JSON_FILE]: t }, JSON_FILE).map(([, text]) => text), ['8', 'true', 'null']);
    assert.deepEqual(severities(t), ['warning', 'warning', 'warning']);
  });
  it('flags list entries and a map instead of the list as errors', () => {
    assert.deepEqual(severities(legacy({ ansible_env_vars: [['A=1']] })), ['error']);
    assert.deepEqual(severities(legacy({ ansible_env_vars: { A: '1' } })), ['error']);
  });
  it('accepts a single string in legacy JSON (Packer decodes it as a one-item list)', () => {
    assert.deepEqual(fire({ [JSON_FILE]: legacy({ ansible_env_vars: 'A=1' }) }, JSON_FILE), []);
  });
  it('flags a single string in HCL2 as an error (only legacy JSON decodes it weakly)', () => {
    const t = hcl('ansible_env_vars = "A=1"');
    assert.deepEqual(fire({ [HCL_FILE]: t }, HCL_FILE), [[RULE, '"A=1"']]);
  });
  it('stays silent for entries only known at build time', () => {
    assert.deepEqual(fire({ [JSON_FILE]: legacy({ ansible_env_vars: ['{{user `x`}}'] }) }, JSON_FILE), []);
  });
  it('checks override lists too', () => {
    const t = legacy({ override: { b: { ansible_env_vars: ['NOPE'] } } }, { builders: [{ type: 'null', name: 'b' }] });
    assert.deepEqual(fire({ [JSON_FILE]: t }, JSON_FILE), [[RULE, '"NOPE"']]);
  });
});
