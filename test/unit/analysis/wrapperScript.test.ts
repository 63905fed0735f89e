import assert from 'node:assert/strict';
import { classifyWrapper } from '../../../server/src/analysis/wrapperScript';
import { analyzer, ready } from '../../support/analysis';
import { hcl } from '../../support/templates';

describe('command wrapper scripts', () => {
  before(ready);

  it('recognises scripts that only hand their arguments to ansible-playbook', () => {
    for (const script of [
      '#!/bin/bash\nexec ansible-playbook "$@"\n',
      '#!/bin/sh\n# comment\nset -eu\n. /opt/venv/bin/activate\nexport ANSIBLE_FORCE_COLOR=1\n/opt/venv/bin/ansible-playbook "$@"\n',
      // The shape of lfit/releng-common-packer's ansible-playbook.sh.
      '#!/bin/bash\nsource "$(cat /tmp/.ansible_venv)/bin/activate" && ANSIBLE_FORCE_COLOR=1 PYTHONUNBUFFERED=1 "$(cat /tmp/.ansible_venv)/bin/ansible-playbook" "$@"\n',
      // The shape of star3am/golden-image-builder's packer/scripts/ansible.sh: other harmless commands first.
      '#!/bin/bash\necho "Set Environment Variables"\nexport PIP_DISABLE_PIP_VERSION_CHECK=1\npython3 -m venv ansible-venv\nsource /opt/venv/bin/activate\npython3 -V\nANSIBLE_FORCE_COLOR=1 ansible-playbook "$@"\n',
    ]) assert.deepEqual(classifyWrapper(script), { plain: true }, script);
  });
  it('does not recognise scripts that add arguments, set SSH settings or run something else', () => {
    assert.equal(classifyWrapper('#!/bin/bash\nansible-playbook --ssh-common-args "-o X=1" "$@"\n').plain, false);
    assert.equal(classifyWrapper('#!/bin/bash\nexport ANSIBLE_SSH_ARGS="-o ControlMaster=no"\nexec ansible-playbook "$@"\n').plain, false);
    assert.equal(classifyWrapper('#!/bin/bash\nexec docker run img ansible-playbook "$@"\n').plain, false);
    assert.equal(classifyWrapper('#!/usr/bin/env python3\nimport os\n').plain, false);
    assert.equal(classifyWrapper('#!/bin/sh\nansible-playbook "$@"\nansible-playbook "$@"\n').plain, false);
    assert.equal(classifyWrapper('#!/bin/sh\ncd /srv/ansible\nexec ansible-playbook "$@"\n').plain, false, 'another directory means another ansible.cfg');
    assert.equal(classifyWrapper('#!/bin/sh\n. ./env.sh\nexec ansible-playbook "$@"\n').plain, false);
  });
  it('analyses a template whose command is such a wrapper, found from the working directory', () => {
    const t = hcl('command = "./tools/ansible-playbook.sh"');
    const files = { '/ws/t.pkr.hcl': t, '/ws/tools/ansible-playbook.sh': '#!/bin/sh\nexec ansible-playbook "$@"\n' };
    assert.deepEqual(analyzer(files).analyze('/ws/t.pkr.hcl', t).findings.map((f) => f.ruleId), ['control-path-missing']);
    const other = { ...files, '/ws/tools/ansible-playbook.sh': '#!/bin/sh\nexec ansible-playbook -e ansible_ssh_args=-C "$@"\n' };
    assert.deepEqual(analyzer(other).analyze('/ws/t.pkr.hcl', t).findings, []);
    assert.deepEqual(analyzer({ '/ws/t.pkr.hcl': t }).analyze('/ws/t.pkr.hcl', t).findings, [], 'a script that is not there tells nothing');
  });
});
