import assert from 'node:assert/strict';
import { ready } from '../../support/analysis';
import { findings, applyPreferredFix } from '../../support/rules';
import { legacy, hcl, JSON_FILE, HCL_FILE } from '../../support/templates';

const RULE = 'control-path-missing';
const fire = (files: Record<string, string>, file: string) => findings(files, file, RULE);

describe(RULE, () => {
  before(ready);

  describe('fires', () => {
    it('on a legacy JSON ansible provisioner with default SSH settings, at its type', () => {
      assert.deepEqual(fire({ [JSON_FILE]: legacy() }, JSON_FILE), [[RULE, '"ansible"']]);
    });
    it('on an HCL2 ansible provisioner with default SSH settings, at its label', () => {
      assert.deepEqual(fire({ [HCL_FILE]: hcl() }, HCL_FILE), [[RULE, '"ansible"']]);
    });
    it('when -c names ssh, and when extra vars set something unrelated', () => {
      assert.deepEqual(fire({ [JSON_FILE]: legacy({ extra_arguments: ['-c', 'ssh', '-e', 'foo=bar', '-v'] }) }, JSON_FILE), [[RULE, '"ansible"']]);
    });
    it('when extra vars turn ControlMaster off in ansible_ssh_common_args: ssh keeps the first value, the default ssh_args\' auto', () => {
      const t = legacy({ extra_arguments: ['-e', "ansible_ssh_common_args='-o ControlMaster=no -o ServerAliveInterval=30'"] });
      assert.deepEqual(fire({ [JSON_FILE]: t }, JSON_FILE), [[RULE, '"ansible"']]);
    });
    it('when extra vars set ansible_ssh_control_path, which is not an Ansible variable', () => {
      const t = legacy({ extra_arguments: ['-e', 'ansible_ssh_control_path=/tmp/cp-%%h'] });
      assert.deepEqual(fire({ [JSON_FILE]: t }, JSON_FILE), [[RULE, '"ansible"']]);
    });
    it('when a ControlPath is given only in --ssh-extra-args, naming scp', () => {
      const files = { [JSON_FILE]: legacy({ extra_arguments: ['--ssh-extra-args', '-o ControlPath=/tmp/cp-%h'] }) };
      const a = findings(files, JSON_FILE, RULE);
      assert.deepEqual(a, [[RULE, '"ansible"']]);
      const { analyzer } = require('../../support/analysis') as typeof import('../../support/analysis');
      const msg = analyzer(files).analyze(JSON_FILE, files[JSON_FILE]).findings[0].message;
      assert.match(msg, /--ssh-extra-args reaches only ssh, not sftp/, 'sftp: the file transfers of ansible-core 2.17 and later');
    });
    it('when ansible_ssh_extra_args holds the only ControlPath', () => {
      assert.deepEqual(fire({ [HCL_FILE]: hcl('ansible_ssh_extra_args = ["-o ControlPath=/tmp/x-%h"]') }, HCL_FILE), [[RULE, '"ansible"']]);
    });
    it('when ANSIBLE_SSH_ARGS keeps ControlPersist and gives no ControlPath', () => {
      const t = legacy({ ansible_env_vars: ['ANSIBLE_SSH_ARGS=-o ControlMaster=auto -o ControlPersist=60s'] });
      assert.deepEqual(fire({ [JSON_FILE]: t }, JSON_FILE), [[RULE, '"ansible"']]);
    });
    it('when a user variable default resolves to ssh args without ControlPath', () => {
      const t = legacy({ ansible_env_vars: ['ANSIBLE_SSH_ARGS={{user `args`}}'] }, { variables: { args: '-o ControlMaster=auto -o ControlPersist=60s' } });
      assert.deepEqual(fire({ [JSON_FILE]: t }, JSON_FILE), [[RULE, '"ansible"']]);
    });
    it('when the ansible.cfg in the template folder sets ssh_args with ControlPersist only', () => {
      const files = { [HCL_FILE]: hcl(), '/ws/ansible.cfg': '[ssh_connection]\nssh_args = -C -o ControlMaster=auto -o ControlPersist=60s\n' };
      assert.deepEqual(fire(files, HCL_FILE), [[RULE, '"ansible"']]);
    });
    it('at the override key when a legacy builder override replaces ansible_env_vars', () => {
      const t = legacy({
        ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%%h'],
        override: { second: { ansible_env_vars: ['ANSIBLE_NOCOLOR=1'] } },
      }, { builders: [{ type: 'null', name: 'first', communicator: 'ssh' }, { type: 'null', name: 'second', communicator: 'ssh' }] });
      assert.deepEqual(fire({ [JSON_FILE]: t }, JSON_FILE), [[RULE, '"second"']]);
    });
  });

  describe('stays silent', () => {
    const silent: [string, Record<string, unknown>][] = [
      ['ANSIBLE_SSH_CONTROL_PATH is set', { ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%%h-%%p-%%r'] }],
      // Packer's connection plugin fails the task on ansible-core 2.14 and 2.19 before ssh runs (docs/facts.md (c)).
      ['--connection packer, a custom connection plugin', { extra_arguments: ['--connection', 'packer'] }],
      ['ANSIBLE_SSH_CONTROL_PATH_DIR is set', { ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH_DIR=/tmp/acp'] }],
      ['ANSIBLE_SSH_ARGS has no ControlPersist', { ansible_env_vars: ['ANSIBLE_SSH_ARGS=-o ServerAliveInterval=30'] }],
      ['ControlMaster=no', { ansible_env_vars: ['ANSIBLE_SSH_ARGS=-o ControlMaster=no -o ControlPersist=60s'] }],
      ['a ControlPath in ANSIBLE_SSH_ARGS', { ansible_env_vars: ['ANSIBLE_SSH_ARGS=-o ControlMaster=auto -o ControlPersist=60s -o ControlPath=/tmp/c-%h'] }],
      ['a ControlPath in --ssh-common-args', { extra_arguments: ['--ssh-common-args', '-o ControlPath=/tmp/c-%h-%p'] }],
      ['the --ssh-common-args=value form', { extra_arguments: ['--ssh-common-args=-o ControlPath=/tmp/c-%h-%p'] }],
      ['the connection is paramiko', { ansible_env_vars: ['ANSIBLE_TRANSPORT=paramiko'] }],
      ['extra vars set ansible_connection=winrm', { extra_arguments: ['-e', 'ansible_connection=winrm'] }],
      ['-eansible_connection=winrm (one item)', { extra_arguments: ['-eansible_connection=winrm'] }],
      ['--extra-vars=ansible_connection=local', { extra_arguments: ['--extra-vars=ansible_connection=local'] }],
      ['-c local', { extra_arguments: ['-c', 'local'] }],
      ['--connection=paramiko', { extra_arguments: ['--connection=paramiko'] }],
      ['the connection comes from an unknown user variable', { extra_arguments: ['-c', '{{user `conn`}}'] }],
      ['--ssh-common-args comes from an unknown user variable', { extra_arguments: ['--ssh-common-args', '{{user `args`}}'] }],
      ['extra vars from an unknown user variable name ansible_ssh_args', { extra_arguments: ['-e', 'ansible_ssh_args={{user `a`}}'] }],
      ['ANSIBLE_SSH_ARGS comes from an unknown user variable', { ansible_env_vars: ['ANSIBLE_SSH_ARGS={{user `args`}}'] }],
      ['ansible_env_vars comes from an environment variable', { ansible_env_vars: ['ANSIBLE_SSH_ARGS={{env `SSH_ARGS`}}'] }],
      ['a whole entry is an unknown user variable (it could name the control path)', { ansible_env_vars: ['{{user `cp`}}'] }],
      ['a custom command wraps ansible-playbook', { command: './run-ansible.sh' }],
      ['extra vars set ansible_control_path under /tmp', { extra_arguments: ['-e', 'ansible_control_path=/tmp/c-%%h-%%p'] }],
      ['extra vars put a ControlPath in ansible_ssh_common_args', { extra_arguments: ['--extra-vars', "ansible_ssh_common_args='-o ControlPath=/tmp/c-%h'"] }],
      ['JSON extra vars set ansible_control_path_dir', { extra_arguments: ['-e', '{"ansible_control_path_dir": "/tmp/cp"}'] }],
      ['extra vars turn multiplexing off through ansible_ssh_args', { extra_arguments: ['-e', "ansible_ssh_args='-o ControlMaster=no'"] }],
      ['the inventory template sets ansible_connection=winrm', { inventory_file_template: '{{ .HostAlias }} ansible_host={{ .Host }} ansible_connection=winrm\n' }],
    ];
    for (const [why, attrs] of silent) {
      it(`when ${why}`, () => assert.deepEqual(fire({ [JSON_FILE]: legacy(attrs) }, JSON_FILE), []));
    }
    it('for ansible-local provisioners', () => {
      const t = JSON.stringify({ builders: [{ type: 'null' }], provisioners: [{ type: 'ansible-local', playbook_file: 'p.yml' }] });
      assert.deepEqual(fire({ [JSON_FILE]: t }, JSON_FILE), []);
    });
    it('for WinRM builds without the proxy', () => {
      const t = legacy({ use_proxy: false }, { builders: [{ type: 'null', communicator: 'winrm' }] });
      assert.deepEqual(fire({ [JSON_FILE]: t }, JSON_FILE), []);
    });
    it('when the ansible.cfg named by ANSIBLE_CONFIG (relative to the template) sets control_path', () => {
      const files = { [HCL_FILE]: hcl('ansible_env_vars = ["ANSIBLE_CONFIG=cfg/ansible.cfg"]'), '/ws/cfg/ansible.cfg': '[ssh_connection]\ncontrol_path = /tmp/c-%%h\n' };
      assert.deepEqual(fire(files, HCL_FILE), []);
    });
    it('when ANSIBLE_CONFIG names a file that is not there (unknown, not guessed)', () => {
      assert.deepEqual(fire({ [HCL_FILE]: hcl('ansible_env_vars = ["ANSIBLE_CONFIG=/etc/elsewhere/ansible.cfg"]') }, HCL_FILE), []);
    });
    it('when the ansible.cfg uses the configparser `key: value` form', () => {
      const files = { [HCL_FILE]: hcl(), '/ws/ansible.cfg': '[ssh_connection]\ncontrol_path: /tmp/c-%%h\n' };
      assert.deepEqual(fire(files, HCL_FILE), []);
    });
    it('when an HCL2 variable in a sibling file resolves to a safe control path', () => {
      const files = {
        [HCL_FILE]: hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=${var.cp}"]'),
        '/ws/variables.pkr.hcl': 'variable "cp" {\n  default = "/tmp/x-%%h"\n}\n',
      };
      assert.deepEqual(fire(files, HCL_FILE), []);
    });
    it('when an HCL2 reference cannot be resolved', () => {
      assert.deepEqual(fire({ [HCL_FILE]: hcl('ansible_env_vars = var.env') }, HCL_FILE), []);
      assert.deepEqual(fire({ [HCL_FILE]: hcl('ansible_env_vars = [var.cp]') }, HCL_FILE), []);
    });
    it('for commented-out HCL2 provisioners and Terraform files', () => {
      const commented = hcl().replace(/provisioner "ansible" \{[\s\S]*?\n  \}/, (m) => m.split('\n').map((l) => `# ${l}`).join('\n'));
      assert.deepEqual(fire({ [HCL_FILE]: commented }, HCL_FILE), []);
      assert.deepEqual(fire({ '/ws/main.tf': 'provisioner "ansible" {}' }, '/ws/main.tf'), []);
    });
    it('for JSON that is not a template', () => {
      assert.deepEqual(fire({ '/ws/package.json': '{"name":"x","provisioners":[{"type":"ansible"}]}' }, '/ws/package.json'), []);
    });
  });

  describe('preferred fix', () => {
    it('adds ansible_env_vars to a JSON provisioner, in the file\'s own style', () => {
      const files = applyPreferredFix({ [JSON_FILE]: legacy() }, JSON_FILE, RULE);
      assert.equal(files[JSON_FILE], legacy().replace('"playbook_file": "playbook.yml"', '"playbook_file": "playbook.yml",\n      "ansible_env_vars": ["ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r"]'));
    });
    it('appends to an existing JSON list', () => {
      const files = applyPreferredFix({ [JSON_FILE]: legacy({ ansible_env_vars: ['A=1', 'B=2'] }) }, JSON_FILE, RULE);
      assert.equal(files[JSON_FILE], legacy({ ansible_env_vars: ['A=1', 'B=2', 'ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r'] }));
    });
    it('turns the single-string form into a list', () => {
      const files = applyPreferredFix({ [JSON_FILE]: legacy({ ansible_env_vars: 'A=1' }) }, JSON_FILE, RULE);
      assert.match(files[JSON_FILE], /"ansible_env_vars": \["A=1", "ANSIBLE_SSH_CONTROL_PATH=\/tmp\/ansible-ssh-%%h-%%p-%%r"\]/);
    });
    it('adds the attribute to an HCL2 block at its indentation', () => {
      const files = applyPreferredFix({ [HCL_FILE]: hcl() }, HCL_FILE, RULE);
      assert.equal(files[HCL_FILE], hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r"]'));
    });
    it('appends to a multi-line HCL2 list with a trailing comma, keeping it', () => {
      const before = hcl().replace('playbook_file = "playbook.yml"', 'playbook_file = "playbook.yml"\n    ansible_env_vars = [\n      "A=1",\n    ]');
      const files = applyPreferredFix({ [HCL_FILE]: before }, HCL_FILE, RULE);
      assert.equal(files[HCL_FILE], before.replace('"A=1",\n', '"A=1",\n      "ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r",\n'));
    });
    it('keeps CRLF line endings and tabs', () => {
      const before = legacy().replace(/ {2}/g, '\t').replace(/\n/g, '\r\n');
      const files = applyPreferredFix({ [JSON_FILE]: before }, JSON_FILE, RULE);
      const expected = before.replace('"playbook_file": "playbook.yml"', '"playbook_file": "playbook.yml",\r\n\t\t\t"ansible_env_vars": ["ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r"]');
      assert.equal(files[JSON_FILE], expected);
    });
    it('fixes the override that needs it, not the provisioner', () => {
      const t = legacy({
        ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%%h'],
        override: { second: { ansible_env_vars: ['ANSIBLE_NOCOLOR=1'] } },
      }, { builders: [{ type: 'null', name: 'first' }, { type: 'null', name: 'second' }] });
      const files = applyPreferredFix({ [JSON_FILE]: t }, JSON_FILE, RULE);
      assert.match(files[JSON_FILE], /"ANSIBLE_NOCOLOR=1",\s+"ANSIBLE_SSH_CONTROL_PATH=\/tmp\/ansible-ssh-%%h-%%p-%%r"/);
    });
  });
});
