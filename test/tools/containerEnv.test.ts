// The fact behind env-control-path-unescaped-percent: ANSIBLE_SSH_CONTROL_PATH in
// the environment Packer runs in (a dev container's containerEnv, a CI job's env)
// reaches Ansible like ansible_env_vars does, and fails the same way with a
// single % token. Real Packer, ansible-core and OpenSSH, as in facts.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { requireThat, requireTool } from '../support/requireTool';
import { ansibleProvisioner, buildTemplate, sharedSshd, stopSharedSshd } from './packer';
import { assertBuilt, assertFailed, expanded } from './assertions';
import { UNSUPPORTED_FORMAT } from './messages';
import { sshdPath } from './sshd';

const U = `/tmp/pbt-env-${randomBytes(3).toString('hex')}`;

describe('oracle: ANSIBLE_SSH_CONTROL_PATH from the environment Packer runs in', function () {
  this.timeout(240_000);
  before(async function () {
    requireTool(this, 'packer', 'the oracle tier runs real builds');
    requireTool(this, 'ansible-playbook', 'the oracle tier runs real builds');
    requireThat(this, fs.existsSync(sshdPath()), 'sshd is not installed (openssh-server; see test/setup/apt.sh)');
    await sharedSshd();
  });
  after(async () => stopSharedSshd());

  it('a single %h fails with "unsupported format character", as in ansible_env_vars', async () => {
    const r = await buildTemplate({ provisioner: ansibleProvisioner(), env: { ANSIBLE_SSH_CONTROL_PATH: `${U}-a-%h-%p-%r` } });
    assertFailed(r, UNSUPPORTED_FORMAT);
    assert.equal(r.sshCommands.length, 0, 'it fails before any ssh runs');
  });
  it('the quick fix (%%h-%%p-%%r) builds, the socket where the variable says', async () => {
    const r = await buildTemplate({ provisioner: ansibleProvisioner(), env: { ANSIBLE_SSH_CONTROL_PATH: `${U}-b-%%h-%%p-%%r` }, watch: [`${U}-b-`] });
    assertBuilt(r);
    assert.deepEqual(r.sockets, [expanded(r, `${U}-b-`)]);
  });
});
