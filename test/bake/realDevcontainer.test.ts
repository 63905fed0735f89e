// Real bakes in the workspace's dev container: the Dev Containers CLI
// (@devcontainers/cli, from node_modules) driving the real `docker` CLI against
// Podman's Docker-compatible API, with a .devcontainer/devcontainer.json whose
// Dockerfile builds FROM the local test image (Debian 12's Packer 1.6.6,
// ansible-core 2.14, OpenSSH 9.2). Packer's `null` builder reaches a throwaway
// sshd on the host. Skips outside CI when a tool is missing; under CI=true it must run.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BakeRunner } from '../../client/src/bake/runner';
import { defaultBakeSettings } from '../../client/src/bake/settings';
import type { ToolchainVersions } from '../../client/src/bake/toolchain';
import { requireThat, requireTool } from '../support/requireTool';
import { BASELINE_EXTRA_ARGUMENTS } from '../tools/packer';
import { startSshd, type Sshd } from '../tools/sshd';
import { CONTAINERS_CONF, ensureTestImage, podman, startPodmanService, type PodmanService } from './podman';

const DEVCONTAINER_CLI = path.resolve(__dirname, '..', '..', 'node_modules', '.bin', 'devcontainer');
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

const PLAY = `- hosts: all
  gather_facts: false
  tasks:
    - ping:
    - name: look inside the dev container
      delegate_to: localhost
      connection: local
      shell: |
        for s in /tmp/ansible-ssh-*; do [ -S "$s" ] && echo "SOCKET $s"; done
        grep ' /tmp ' /proc/mounts | sed 's/^/MOUNT /'
        echo "MARKER=$DEVCONTAINER_MARKER"
      register: inside
    - debug:
        var: inside.stdout_lines
`;

const SLEEP_PLAY = `- hosts: all
  gather_facts: false
  tasks:
    - name: nap
      command: sleep 120
`;

describe('bake in the dev container with the Dev Containers CLI (real docker CLI, Podman API)', function () {
  this.timeout(20 * 60_000);
  let image = '';
  let service: PodmanService | undefined;
  let sshd: Sshd | undefined;
  let ws = '';
  let env: NodeJS.ProcessEnv = {};

  before(async function () {
    this.timeout(30 * 60_000);
    for (const tool of ['podman', 'docker', 'debootstrap', 'packer', 'ssh-keygen']) requireTool(this, tool, 'the dev container bake tests need it');
    requireThat(this, process.getuid?.() === 0, 'the real bake tests run as root (debootstrap, podman import, podman system service)');
    requireThat(this, fs.existsSync(DEVCONTAINER_CLI), 'node_modules/.bin/devcontainer is missing: run `npm ci`');
    image = await ensureTestImage();
    service = await startPodmanService();
    sshd = await startSshd();
    env = { ...process.env, DOCKER_HOST: service.dockerHost, CONTAINERS_CONF };
    ws = fs.mkdtempSync(path.join(os.tmpdir(), `pb-dc-ws-${randomBytes(3).toString('hex')}-`));
    fs.mkdirSync(path.join(ws, '.devcontainer'));
    fs.writeFileSync(path.join(ws, '.devcontainer', 'Dockerfile'), `FROM ${image}\nENV DEVCONTAINER_MARKER=from-the-dev-container\n`);
    fs.writeFileSync(path.join(ws, '.devcontainer', 'devcontainer.json'), `// The team's toolchain, pinned in its image.
{
  "name": "packer-bake test",
  "build": { "dockerfile": "Dockerfile" },
  // /tmp a mount of its own, for Ansible's control socket; the host network, for the test's sshd.
  "runArgs": ["--tmpfs", "/tmp:rw,exec,mode=1777", "--network", "host"],
  "remoteUser": "root"
}
`);
    fs.copyFileSync(sshd.userKey, path.join(ws, 'userkey'));
    fs.chmodSync(path.join(ws, 'userkey'), 0o600);
    fs.mkdirSync(path.join(ws, 'images'));
    for (const [name, play] of [['inspect', PLAY], ['sleep', SLEEP_PLAY]]) {
      fs.writeFileSync(path.join(ws, 'images', `${name}.yml`), play);
      fs.writeFileSync(path.join(ws, 'images', `${name}.json`), JSON.stringify({
        builders: [{ type: 'null', communicator: 'ssh', ssh_host: sshd.host, ssh_port: sshd.port, ssh_username: sshd.user, ssh_private_key_file: '../userkey', ssh_timeout: '30s' }],
        provisioners: [{ type: 'ansible', playbook_file: `${name}.yml`, extra_arguments: [...BASELINE_EXTRA_ARGUMENTS] }],
      }, null, 2));
    }
  });

  after(async () => {
    await sshd?.stop();
    if (ws && service) {
      // The dev container and its image are ours here (a user's stay: a bake never removes them).
      const ids = spawnSync('docker', ['ps', '-aq', '--filter', `label=devcontainer.local_folder=${ws}`], { env, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
      const images = ids.map((id) => spawnSync('docker', ['inspect', '--format', '{{.Image}}', id], { env, encoding: 'utf8' }).stdout.trim()).filter(Boolean);
      if (ids.length) spawnSync('docker', ['rm', '-f', ...ids], { env });
      for (const i of images) podman(['rmi', '-f', i], true);
    }
    await service?.stop();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  function runnerFor(template: string) {
    const runner = new BakeRunner({
      request: { target: path.join(ws, 'images', template), format: 'json', mountRoot: ws, only: [], varFiles: [], variables: {}, requiresInit: false },
      settings: { ...defaultBakeSettings, container: 'devcontainer', containerEngine: 'docker', devcontainerPath: DEVCONTAINER_CLI, stopTimeoutSeconds: 60 },
      extensionVersion: '0.0.0-test',
      dockerfile: '/nonexistent',
      devcontainer: { workspaceFolder: ws },
      env,
      color: false,
    });
    let output = '';
    const toolchains: ToolchainVersions[] = [];
    runner.onOutput((t) => { output += t; });
    runner.onToolchain((t) => toolchains.push(t));
    return { runner, output: () => output, toolchains };
  }

  it('starts the dev container and bakes in it: its toolchain, its /tmp tmpfs, the control socket there', async function () {
    this.timeout(15 * 60_000);
    const { runner, output, toolchains } = runnerFor('inspect.json');
    const t0 = Date.now();
    const result = await runner.run();
    console.log(`      (devcontainer up + bake: ${Date.now() - t0} ms)`);
    assert.equal(result.status, 'succeeded', output());
    assert.equal(result.container, 'devcontainer');
    assert.deepStrictEqual(result.artifacts.map((a) => [a.target, a.id]), [['null', 'Null']]);
    assert.match(toolchains[0].packer ?? '', /^1\.6\.\d+$/);
    assert.match(toolchains[0].ansible ?? '', /^2\.14\.\d+$/);
    assert.match(toolchains[0].openssh ?? '', /^9\.2p\d+$/);
    assert.match(output(), /"MARKER=from-the-dev-container"/);
    assert.match(output(), /"MOUNT tmpfs \/tmp tmpfs rw/);
    assert.match(output(), /"SOCKET \/tmp\/ansible-ssh-127\.0\.0\.1-\d+-root"/);
    assert.deepStrictEqual(result.warnings, []);
  });

  it('cancels mid-play: SIGTERM reaches Packer, which cleans up; the dev container stays, no Packer is left in it', async function () {
    this.timeout(10 * 60_000);
    const { runner, output } = runnerFor('sleep.json');
    const running = runner.run();
    const deadline = Date.now() + 5 * 60_000;
    while (!/TASK \[nap\]/.test(output())) {
      if (Date.now() > deadline) throw new Error(`the nap task never started:\n${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const t0 = Date.now();
    await runner.cancel();
    const result = await running;
    const stopMs = Date.now() - t0;
    console.log(`      (dev container cancel took ${stopMs} ms)`);
    assert.equal(result.status, 'cancelled', output());
    assert.equal(result.exitCode, 1, output());
    assert.equal(result.cancelMessage, 'Cleanly cancelled builds after being interrupted.');
    assert.ok(stopMs < 30_000, `stop took ${stopMs} ms: SIGTERM should end Packer well before the 60 s timeout`);
    const ids = spawnSync('docker', ['ps', '-q', '--filter', `label=devcontainer.local_folder=${ws}`], { env, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    assert.equal(ids.length, 1, 'the dev container keeps running');
    const left = spawnSync('docker', ['exec', ids[0], 'sh', '-c', 'cat /proc/[0-9]*/comm 2>/dev/null | grep -c "^packer" || true; ls /tmp/*.pid 2>/dev/null | wc -l'],
      { env, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    assert.deepStrictEqual(left, ['0', '0'], 'no packer process and no pid file left in the dev container');
  });

  it('bakes there headless too: packer-bake bake --devcontainer', function () {
    this.timeout(10 * 60_000);
    requireThat(this, fs.existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
    const r = spawnSync(process.execPath, [CLI, 'bake', 'images/inspect.json', '--devcontainer', '--engine', 'docker', '--devcontainer-path', DEVCONTAINER_CLI],
      { cwd: ws, env, encoding: 'utf8', timeout: 10 * 60_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^packer-bake: checked with packer 1\.6\.\d+, ansible 2\.14\.\d+, openssh 9\.2p\d+:/m);
    assert.match(r.stdout, /"MARKER=from-the-dev-container"/);
    assert.match(r.stdout, /\nBake finished: 1 artifact\(s\)\n {2}null: Null\n$/);
  });
});
