// HCL2 scoping: a provisioner applies only to the sources its own build block
// names; a folder of single-file templates is not one configuration.
import assert from 'node:assert/strict';
import { analyzer, ready } from '../../support/analysis';
import { findings } from '../../support/rules';

const RULE = 'control-path-missing';

const winrmSource = `source "amazon-ebs" "win" {
  communicator   = "winrm"
  winrm_username = "Administrator"
}
`;
const sshSource = `source "amazon-ebs" "linux" {
  communicator = "ssh"
  ssh_username = "ubuntu"
}
`;
const build = (source: string, body = '') => `build {
  sources = ["${source}"]
  provisioner "ansible" {
    playbook_file = "p.yml"
    ${body}
  }
}
`;

describe('HCL2 scoping', () => {
  before(ready);

  it('a WinRM template without the proxy stays silent beside an ssh template in the same folder', () => {
    const files = {
      '/ws/win.pkr.hcl': winrmSource + build('source.amazon-ebs.win', 'use_proxy = false'),
      '/ws/linux.pkr.hcl': sshSource + build('source.amazon-ebs.linux'),
    };
    assert.deepEqual(findings(files, '/ws/win.pkr.hcl', RULE), []);
    assert.deepEqual(findings(files, '/ws/linux.pkr.hcl', RULE), [[RULE, '"ansible"']]);
  });
  it('a build block of one file may run a source defined in another file of the folder', () => {
    const files = {
      '/ws/sources.pkr.hcl': winrmSource + sshSource,
      '/ws/build.pkr.hcl': build('source.amazon-ebs.win', 'use_proxy = false'),
    };
    assert.deepEqual(findings(files, '/ws/build.pkr.hcl', RULE), []);
    files['/ws/build.pkr.hcl'] = build('source.amazon-ebs.linux', 'use_proxy = false');
    assert.deepEqual(findings(files, '/ws/build.pkr.hcl', RULE), [[RULE, '"ansible"']]);
  });
  it('source blocks inside build, renamed with name =, and only/except', () => {
    const t = `${winrmSource}${sshSource}build {
  source "source.amazon-ebs.win" {
    name = "windows"
  }
  source "amazon-ebs.linux" {}
  provisioner "ansible" {
    playbook_file = "p.yml"
    use_proxy     = false
    only          = ["amazon-ebs.windows"]
  }
  provisioner "ansible" {
    playbook_file = "p.yml"
    use_proxy     = false
    except        = ["amazon-ebs.windows"]
  }
}
`;
    const r = analyzer({ '/ws/t.pkr.hcl': t }).analyze('/ws/t.pkr.hcl', t).findings.filter((f) => f.ruleId === RULE);
    // Only the second provisioner (except the renamed WinRM build: the ssh one) fires.
    const lines = t.split('\n').map((l, i) => [l, i] as const).filter(([l]) => l.includes('provisioner "ansible"'));
    const second = lines[1][1];
    assert.deepEqual(r.map((f) => f.range.start.line), [second]);
  });
  it('a file that redefines a sibling variable is built on its own: the sibling default does not apply', () => {
    const files = {
      '/ws/a.pkr.hcl': `variable "cp" {\n  default = "/tmp/a-%h"\n}\n${sshSource}${build('source.amazon-ebs.linux', 'ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=${var.cp}"]')}`,
      '/ws/b.pkr.hcl': `variable "cp" {\n  default = "/tmp/b-%%h"\n}\n`,
    };
    // a.pkr.hcl alone: its own default (single %), so the percent rule fires, at the use of var.cp.
    assert.deepEqual(findings(files, '/ws/a.pkr.hcl', 'control-path-unescaped-percent').map((f) => f[1]), ['"ANSIBLE_SSH_CONTROL_PATH=${var.cp}"']);
    const fix = analyzer(files).analyze('/ws/a.pkr.hcl', files['/ws/a.pkr.hcl']).findings.find((f) => f.ruleId === 'control-path-unescaped-percent')!.fixes[0];
    assert.deepEqual(fix.edits.map((e) => e.file), ['/ws/a.pkr.hcl'], 'the fix edits its own default, not the sibling\'s');
  });
  it('variables and sources from the folder apply to a template that does not redefine them', () => {
    const files = {
      '/ws/vars.pkr.hcl': `variable "cp" {\n  default = "/tmp/a-%h"\n}\n${sshSource}`,
      '/ws/build.pkr.hcl': build('source.amazon-ebs.linux', 'ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=${var.cp}"]'),
    };
    assert.deepEqual(findings(files, '/ws/build.pkr.hcl', 'control-path-unescaped-percent').map((f) => f[1]), ['"ANSIBLE_SSH_CONTROL_PATH=${var.cp}"']);
  });
});
