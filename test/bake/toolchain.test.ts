import assert from 'node:assert/strict';
import {
  compareVersions, packerTooOldForInit, parseAnsiblePlugin, parseAnsibleVersion, parseOpensshVersion, parsePackerVersion, probeToolchain, toolchainProbeArgs,
} from '../../client/src/bake/toolchain';
import type { ExecFn } from '../../client/src/bake/engine';

describe('bake image toolchain probe', () => {
  it('reads the versions from the tools\' own output', () => {
    assert.equal(parsePackerVersion('Packer v1.6.6\n'), '1.6.6');
    assert.equal(parsePackerVersion('Packer v1.11.2\n\nYour version of Packer is out of date!'), '1.11.2');
    assert.equal(parseOpensshVersion('OpenSSH_9.2p1 Debian-2+deb12u3, OpenSSL 3.0.15 3 Sep 2024\n'), '9.2p1');
    assert.equal(parseAnsiblePlugin('/root/.config/packer/plugins/github.com/hashicorp/ansible/packer-plugin-ansible_v1.0.4_x5.0_linux_amd64\n'
      + '/root/.config/packer/plugins/github.com/hashicorp/ansible/packer-plugin-ansible_v1.1.10_x5.0_linux_amd64\n'), '1.1.10');
    assert.equal(parseAnsiblePlugin('Usage: packer [--version] [--help] <command> [<args>]'), undefined);
    // ansible-core 2.14 (Debian 12) and 2.19 (Debian 13) print `ansible [core X]`; Ansible 2.9 printed `ansible X`.
    assert.equal(parseAnsibleVersion('ansible [core 2.14.18]\n  config file = None\n'), '2.14.18');
    assert.equal(parseAnsibleVersion('ansible [core 2.19.4]\n'), '2.19.4');
    assert.equal(parseAnsibleVersion('ansible 2.9.27\n  config file = /etc/ansible/ansible.cfg\n'), '2.9.27');
    assert.equal(parseAnsibleVersion('sh: 1: ansible: not found'), undefined);
  });

  it('compares versions numerically and knows which Packer has no `packer init`', () => {
    assert.ok(compareVersions('1.10.0', '1.9.9') > 0);
    assert.ok(compareVersions('1.6.6', '1.7.0') < 0);
    assert.equal(compareVersions('9.2p1', '9.2p1'), 0);
    assert.ok(compareVersions('10.0p2', '9.9p1') > 0);
    assert.equal(packerTooOldForInit({ packer: '1.6.6' }), true);
    assert.equal(packerTooOldForInit({ packer: '1.7.0' }), false);
    assert.equal(packerTooOldForInit({}), false);
  });

  it('runs the image\'s own binaries as argv arrays, without a network', async () => {
    const calls: string[][] = [];
    const exec: ExecFn = async (_file, args) => {
      calls.push(args);
      if (args.includes('version')) return { code: 0, stdout: 'Packer v1.6.6\n', stderr: '' };
      if (args.includes('-V')) return { code: 0, stdout: '', stderr: 'OpenSSH_9.2p1 Debian-2+deb12u3, OpenSSL 3.0.15\n' };
      if (args.includes('--version')) return { code: 0, stdout: 'ansible [core 2.14.18]\n', stderr: '' };
      return { code: 127, stdout: '', stderr: 'Usage: packer [--version]' }; // Packer 1.6.6 has no `plugins`
    };
    assert.deepEqual(await probeToolchain('/usr/bin/docker', 'img:1', exec, {}), { packer: '1.6.6', ansible: '2.14.18', openssh: '9.2p1' });
    const expected = toolchainProbeArgs('img:1');
    assert.deepEqual(calls.sort(), [expected.packer, expected.plugins, expected.ansible, expected.ssh].sort());
    assert.deepEqual(expected.ssh, ['run', '--rm', '--network', 'none', '--entrypoint', 'ssh', 'img:1', '-V']);
  });
});
