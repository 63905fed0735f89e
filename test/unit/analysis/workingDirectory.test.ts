// The directory Packer runs in, inferred from the template's relative paths:
// ansible.cfg and a relative ANSIBLE_CONFIG are read from there.
import assert from 'node:assert/strict';
import { analyzer, ready } from '../../support/analysis';
import { legacy, hcl } from '../../support/templates';

const RULE = 'control-path-missing';
const SAFE_CFG = '[ssh_connection]\nssh_args = -o ControlMaster=auto -o ControlPersist=60s -o ControlPath=/tmp/ansible-ssh-%h-%p-%r\n';

function analyse(files: Record<string, string>, file: string, settings = {}) {
  return analyzer(files, settings).analyze(file, files[file]);
}

describe('working directory', () => {
  before(ready);

  it('is the template folder when the relative paths exist from there', () => {
    const files = { '/ws/images/t.json': legacy({ playbook_file: 'site.yml' }), '/ws/images/site.yml': '' };
    const r = analyse(files, '/ws/images/t.json');
    assert.equal(r.workingDirectory?.dir, '/ws/images');
    assert.match(r.workingDirectory!.reason, /playbook_file site\.yml exists from there/);
  });
  it('is a parent folder when the playbook exists only from there (cd repo && packer build images/t.json)', () => {
    const files = { '/ws/images/t.json': legacy({ playbook_file: 'ansible/site.yml' }), '/ws/ansible/site.yml': '', '/ws/ansible.cfg': SAFE_CFG };
    const r = analyse(files, '/ws/images/t.json');
    assert.equal(r.workingDirectory?.dir, '/ws');
    assert.deepEqual(r.findings.map((f) => f.ruleId), [], 'the ansible.cfg of the working directory puts the socket in /tmp');
  });
  it('is a sibling folder of an ancestor (cd packer && packer build ../guacamole/t.json)', () => {
    const files = {
      '/ws/guacamole/t.json': legacy({ playbook_file: './packer_resenvs.yml', use_proxy: false }),
      '/ws/packer/packer_resenvs.yml': '',
      '/ws/packer/ansible.cfg': SAFE_CFG,
    };
    const r = analyse(files, '/ws/guacamole/t.json');
    assert.equal(r.workingDirectory?.dir, '/ws/packer');
    assert.deepEqual(r.findings, []);
  });
  it('resolves a relative ANSIBLE_CONFIG from it, and ${path.root}/${path.cwd}', () => {
    const t = hcl('ansible_env_vars = ["ANSIBLE_CONFIG=../ansible/ansible.cfg"]\nplaybook_file = "../ansible/playbooks/p.yml"');
    const files = { '/ws/packer/hacks/t.pkr.hcl': t, '/ws/ansible/playbooks/p.yml': '', '/ws/ansible/ansible.cfg': '[ssh_connections]\npipelining = True\n' };
    const r = analyse(files, '/ws/packer/hacks/t.pkr.hcl');
    assert.equal(r.workingDirectory?.dir, '/ws/packer');
    assert.deepEqual(r.findings.map((f) => f.ruleId), [RULE], 'the misspelt section is no [ssh_connection]: default socket');
    assert.ok(r.dependsOn.includes('/ws/ansible/ansible.cfg'));
    const cwd = hcl('ansible_env_vars = ["ANSIBLE_CONFIG=${path.cwd}/ansible.cfg"]');
    const files2 = { '/ws/t.pkr.hcl': cwd, '/ws/ansible.cfg': SAFE_CFG };
    assert.deepEqual(analyse(files2, '/ws/t.pkr.hcl').findings, []);
  });
  it('takes ANSIBLE_CONFIG naming a directory as that directory\'s ansible.cfg', () => {
    const files = { '/ws/t.pkr.hcl': hcl('ansible_env_vars = ["ANSIBLE_CONFIG=cfg"]'), '/ws/cfg/ansible.cfg': SAFE_CFG };
    assert.deepEqual(analyse(files, '/ws/t.pkr.hcl').findings, []);
  });
  it('stays silent on ANSIBLE_CONFIG in a home directory (~ is whoever runs Packer)', () => {
    const files = { '/ws/t.pkr.hcl': hcl('ansible_env_vars = ["ANSIBLE_CONFIG=~/ansible.cfg"]') };
    const r = analyse(files, '/ws/t.pkr.hcl');
    assert.deepEqual(r.findings, []);
    assert.equal(r.plans[0].known, false);
  });
  it('is what the settings say, when they say', () => {
    const files = { '/ws/images/t.json': legacy(), '/ws/run/ansible.cfg': SAFE_CFG };
    assert.deepEqual(analyse(files, '/ws/images/t.json').findings.map((f) => f.ruleId), [RULE]);
    const r = analyse(files, '/ws/images/t.json', { workingDirectory: '/ws/run' });
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.workingDirectory, { dir: '/ws/run', reason: 'stated in the settings' });
  });
  it('is the template folder when no relative path resolves anywhere (files missing from the checkout)', () => {
    const files = { '/ws/images/t.json': legacy({ playbook_file: 'gone.yml' }) };
    const r = analyse(files, '/ws/images/t.json');
    assert.equal(r.workingDirectory?.dir, '/ws/images');
    assert.match(r.workingDirectory!.reason, /assumed/);
  });
  it('asks a path going up (../x) once per folder whose subfolders it searches, with the answer each of them would give', () => {
    // From every subfolder of /ws, ../roles/x.yml is /ws/roles/x.yml; files/req.yml exists from /ws/b only.
    const found = {
      '/ws/a/images/t.json': legacy({ playbook_file: '../roles/x.yml', galaxy_file: 'files/req.yml' }),
      '/ws/a/images/sub/readme.md': '',
      '/ws/roles/x.yml': '',
      '/ws/b/files/req.yml': '',
    };
    assert.equal(analyse(found, '/ws/a/images/t.json').workingDirectory?.dir, '/ws/b');
    // ../nowhere/x.yml exists from no subfolder of /ws/images: the template folder, assumed (not the first subfolder).
    const missing = { '/ws/images/t.json': legacy({ playbook_file: '../nowhere/x.yml' }), '/ws/images/sub/readme.md': '', '/ws/images/sub2/readme.md': '' };
    const r = analyse(missing, '/ws/images/t.json');
    assert.equal(r.workingDirectory?.dir, '/ws/images');
    assert.match(r.workingDirectory!.reason, /assumed/);
  });
  it('does not search above the root it is given', () => {
    const files = { '/ws/repo/images/t.json': legacy({ playbook_file: 'ansible/site.yml' }), '/ws/ansible/site.yml': '' };
    assert.equal(analyse(files, '/ws/repo/images/t.json', { roots: ['/ws/repo'] }).workingDirectory?.dir, '/ws/repo/images');
    assert.equal(analyse(files, '/ws/repo/images/t.json', { roots: ['/ws'] }).workingDirectory?.dir, '/ws');
  });
});
