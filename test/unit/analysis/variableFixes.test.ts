// Fixes for values that come from variables: the edit goes where the bad text
// is written (a variable default, a local, the literal part of an
// interpolation), preferred only when that variable has no other use.
import assert from 'node:assert/strict';
import { analyzer, ready } from '../../support/analysis';
import { applyPreferredFix } from '../../support/rules';
import { legacy, hcl } from '../../support/templates';
import { applyEdits } from '../../../server/src/analysis';

const RULE = 'control-path-unescaped-percent';

function fixesOf(files: Record<string, string>, file: string) {
  const f = analyzer(files).analyze(file, files[file]).findings.find((x) => x.ruleId === RULE);
  assert.ok(f, 'expected a finding');
  return f.fixes.map((x) => ({ title: x.title, isPreferred: x.isPreferred, files: x.edits.map((e) => e.file) }));
}

describe('fixes for values from variables', () => {
  before(ready);

  it('edits an HCL2 variable default in another file of the folder', () => {
    const files = {
      '/ws/variables.pkr.hcl': 'variable "cp" {\n  default = "/tmp/a-%h-%p"\n}\n',
      '/ws/build.pkr.hcl': hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=${var.cp}"]'),
    };
    assert.deepEqual(fixesOf(files, '/ws/build.pkr.hcl'), [{ title: 'Double the % signs: /tmp/a-%%h-%%p (in var.cp)', isPreferred: true, files: ['/ws/variables.pkr.hcl'] }]);
    const fixed = applyPreferredFix(files, '/ws/build.pkr.hcl', RULE);
    assert.equal(fixed['/ws/variables.pkr.hcl'], 'variable "cp" {\n  default = "/tmp/a-%%h-%%p"\n}\n');
    assert.equal(fixed['/ws/build.pkr.hcl'], files['/ws/build.pkr.hcl']);
  });
  it('edits the literal part of an interpolated string, leaving the variable alone', () => {
    const files = {
      '/ws/t.pkr.hcl': hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=${var.dir}/a-%h"]', 'variable "dir" {\n  default = "/tmp"\n}\n'),
    };
    const fixed = applyPreferredFix(files, '/ws/t.pkr.hcl', RULE);
    assert.match(fixed['/ws/t.pkr.hcl'], /"ANSIBLE_SSH_CONTROL_PATH=\$\{var\.dir\}\/a-%%h"/);
  });
  it('edits a legacy user variable default', () => {
    const files = { '/ws/t.json': legacy({ ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH={{user `cp`}}'] }, { variables: { cp: '/tmp/a-%h' } }) };
    const fixed = applyPreferredFix(files, '/ws/t.json', RULE);
    assert.match(fixed['/ws/t.json'], /"cp": "\/tmp\/a-%%h"/);
    assert.match(fixed['/ws/t.json'], /ANSIBLE_SSH_CONTROL_PATH=\{\{user `cp`\}\}/);
  });
  it('offers, but does not prefer, a fix to a variable that has other uses', () => {
    const t = hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=${var.cp}"]\nextra_arguments = ["-e", "cp=${var.cp}"]', 'variable "cp" {\n  default = "/tmp/a-%h"\n}\n');
    const files = { '/ws/t.pkr.hcl': t };
    assert.deepEqual(fixesOf(files, '/ws/t.pkr.hcl'), [{ title: 'Double the % signs: /tmp/a-%%h (in var.cp, used 1 more time)', isPreferred: false, files: ['/ws/t.pkr.hcl'] }]);
    const f = analyzer(files).analyze('/ws/t.pkr.hcl', t).findings.find((x) => x.ruleId === RULE)!;
    assert.match(applyEdits(t, f.fixes[0].edits[0].edits), /default = "\/tmp\/a-%%h"/);
  });
  it('offers no fix when the text to change is computed (upper(), replace())', () => {
    const t = hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=${lower(var.cp)}"]', 'variable "cp" {\n  default = "/TMP/A-%h"\n}\n');
    assert.deepEqual(fixesOf({ '/ws/t.pkr.hcl': t }, '/ws/t.pkr.hcl'), []);
  });
});
