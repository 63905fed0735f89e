// Real bakes: the real `docker` CLI against Podman's Docker-compatible API (and
// the `podman` CLI itself), the bake image built from Debian packages, Packer's
// `null` builder reaching a throwaway sshd on the host, and the `ansible`
// provisioner. Skips outside CI when a tool is missing; under CI=true it must run.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BakeRequest } from '../../client/src/bake/argv';
import { BakeRunner, type BakeProgress, type BakeResult } from '../../client/src/bake/runner';
import type { ExecFn } from '../../client/src/bake/engine';
import { probeToolchain } from '../../client/src/bake/toolchain';
import { defaultBakeSettings, type BakeSettings } from '../../client/src/bake/settings';
import { requireThat, requireTool } from '../support/requireTool';
import { BASELINE_EXTRA_ARGUMENTS } from '../tools/packer';
import { startSshd, type Sshd } from '../tools/sshd';
import { CONTAINERS_CONF, containersNamed, ensureTestImage, startPodmanService, type PodmanService } from './podman';

const AWS_ENV = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', AWS_REGION: 'us-east-1' };
const sha16 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 16);

const INSPECT_PLAY = `- hosts: all
  gather_facts: false
  tasks:
    - ping:
    - name: look inside the bake container
      delegate_to: localhost
      connection: local
      shell: |
        for s in /tmp/ansible-ssh-*; do [ -S "$s" ] && echo "SOCKET $s"; done
        grep ' /tmp ' /proc/mounts | sed 's/^/MOUNT /'
        echo "AWS_SECRET=$AWS_SECRET_ACCESS_KEY"
        echo "HASH_OF_AWS_CRED=$(printf %s "$AWS_SECRET_ACCESS_KEY" | sha256sum | cut -c1-16)"
        test -r /root/.aws/config && echo AWS_CONFIG_READABLE
        touch /root/.aws/probe 2>/dev/null || echo AWS_DIR_READONLY
      register: inside
    - debug:
        var: inside.stdout_lines
`;

const SOCKETS_PLAY = `- hosts: all
  gather_facts: false
  tasks:
    - ping:
    - name: list the control sockets in the bake container
      delegate_to: localhost
      connection: local
      shell: find /tmp /root/.ansible -type s 2>/dev/null | sed 's/^/SOCKET /'
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

interface Workspace {
  root: string;
  template: string;
  home: string;
}

/** A workspace whose path has spaces, quotes, `$()` and non-ASCII, with a JSON template in a sub-folder. */
function makeWorkspace(sshd: Sshd, playbook: string, provisioner: Record<string, unknown> = {}): Workspace {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `pb real ws 'q' $(id) ü-`));
  const dir = path.join(root, 'images dir');
  fs.mkdirSync(dir);
  fs.copyFileSync(sshd.userKey, path.join(dir, 'userkey'));
  fs.chmodSync(path.join(dir, 'userkey'), 0o600);
  fs.writeFileSync(path.join(dir, 'play.yml'), playbook);
  const template = path.join(dir, 'bake $(whoami).json');
  fs.writeFileSync(template, JSON.stringify({
    builders: [{
      type: 'null', communicator: 'ssh', ssh_host: sshd.host, ssh_port: sshd.port, ssh_username: sshd.user,
      ssh_private_key_file: 'userkey', ssh_timeout: '30s',
    }],
    provisioners: [{ type: 'ansible', playbook_file: 'play.yml', extra_arguments: [...BASELINE_EXTRA_ARGUMENTS], ...provisioner }],
  }, null, 2));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-home-'));
  fs.mkdirSync(path.join(home, '.aws'));
  fs.writeFileSync(path.join(home, '.aws', 'config'), '[default]\nregion = us-east-1\n');
  return { root, template, home };
}

function runnerFor(ws: Workspace, settings: Partial<BakeSettings>, env: NodeJS.ProcessEnv) {
  const request: BakeRequest = { target: ws.template, mountRoot: ws.root, format: 'json', only: [], varFiles: [], variables: {}, requiresInit: false };
  const runner = new BakeRunner({
    request,
    settings: { ...defaultBakeSettings, extraEngineArgs: ['--network', 'host'], stopTimeoutSeconds: 30, pluginVolume: '', ...settings },
    extensionVersion: '0.0.0-test',
    dockerfile: path.resolve(__dirname, '..', '..', 'bake', 'Dockerfile'),
    env,
    homeDir: ws.home,
    color: false,
  });
  let output = '';
  const progress: BakeProgress[] = [];
  runner.onOutput((t) => { output += t; });
  runner.onProgress((p) => progress.push(p));
  return { runner, output: () => output, progress };
}

function assertInspected(result: BakeResult, output: string): void {
  assert.equal(result.status, 'succeeded', output);
  assert.equal(result.exitCode, 0);
  assert.deepStrictEqual(result.artifacts.map((a) => ({ target: a.target, id: a.id, builderId: a.builderId })),
    [{ target: 'null', id: 'Null', builderId: 'fnoeding.null' }]);
  // Ansible's ssh control socket, made inside the container's own /tmp by the injected control path.
  assert.match(output, /"SOCKET \/tmp\/ansible-ssh-127\.0\.0\.1-\d+-root"/);
  assert.match(output, /"MOUNT tmpfs \/tmp tmpfs rw/);
  // The secret reached the container through the environment, and was masked in the output.
  assert.ok(output.includes(`"HASH_OF_AWS_CRED=${sha16(AWS_ENV.AWS_SECRET_ACCESS_KEY)}"`), output);
  assert.ok(output.includes('"AWS_SECRET=********"'));
  assert.ok(!output.includes(AWS_ENV.AWS_SECRET_ACCESS_KEY));
  assert.ok(output.includes('"AWS_CONFIG_READABLE"'));
  assert.ok(output.includes('"AWS_DIR_READONLY"'));
  assert.match(output, /Bake finished: 1 artifact\(s\)\n {2}null: Null/);
}

describe('bake with a real engine (podman)', function () {
  this.timeout(15 * 60_000);
  let image = '';
  let service: PodmanService | undefined;
  let sshd: Sshd | undefined;
  const workspaces: Workspace[] = [];

  before(async function () {
    for (const tool of ['podman', 'docker', 'debootstrap', 'packer', 'ssh-keygen']) requireTool(this, tool, 'the real bake tests need it');
    requireThat(this, process.getuid?.() === 0, 'the real bake tests run as root (debootstrap, podman import, podman system service)');
    image = await ensureTestImage();
    service = await startPodmanService();
    sshd = await startSshd();
  });

  after(async () => {
    await sshd?.stop();
    await service?.stop();
    for (const w of workspaces) for (const d of [w.root, w.home]) fs.rmSync(d, { recursive: true, force: true });
  });

  function workspace(playbook: string, provisioner: Record<string, unknown> = {}): Workspace {
    const w = makeWorkspace(sshd!, playbook, provisioner);
    workspaces.push(w);
    return w;
  }

  it('bakes with the docker CLI through the Docker API: control socket under the container /tmp, no container left', async function () {
    this.timeout(5 * 60_000);
    const ws = workspace(INSPECT_PLAY);
    const env = { ...process.env, DOCKER_HOST: service!.dockerHost, ...AWS_ENV };
    const { runner, output, progress } = runnerFor(ws, { containerEngine: 'docker', image }, env);
    const t0 = Date.now();
    const result = await runner.run();
    console.log(`      (docker CLI bake: ${Date.now() - t0} ms)`);
    assertInspected(result, output());
    assert.equal(result.engine?.kind, 'docker');
    assert.ok(!result.command!.includes(AWS_ENV.AWS_SECRET_ACCESS_KEY));
    assert.ok(progress.some((p) => p.phase === 'provisioning' && /Provisioning with Ansible/.test(p.message)), JSON.stringify(progress));
    assert.deepStrictEqual(containersNamed(service!.dockerHost, runner.containerName), []);
  });

  it('asks the image for its real tool versions (for the toolchain rules)', async function () {
    this.timeout(120_000);
    const env = { ...process.env, DOCKER_HOST: service!.dockerHost };
    const exec: ExecFn = (file, args, options) => new Promise((resolve) => {
      execFile(file, args, { env: options.env, timeout: options.timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      });
    });
    const versions = await probeToolchain('docker', image, exec, env);
    // Debian bookworm's packages: Packer 1.6.x (no `packer plugins`), ansible-core 2.14, OpenSSH 9.2.
    assert.match(versions.packer ?? '', /^1\.6\.\d+$/);
    assert.match(versions.ansible ?? '', /^2\.14\.\d+$/);
    assert.match(versions.openssh ?? '', /^9\.2p\d+$/);
    assert.equal(versions.ansiblePlugin, undefined);
  });

  it('bakes with the podman CLI itself', async function () {
    this.timeout(5 * 60_000);
    const ws = workspace(INSPECT_PLAY);
    const env: NodeJS.ProcessEnv = { ...process.env, CONTAINERS_CONF, ...AWS_ENV };
    delete env.DOCKER_HOST;
    const { runner, output } = runnerFor(ws, { containerEngine: 'podman', image }, env);
    const result = await runner.run();
    assertInspected(result, output());
    assert.equal(result.engine?.kind, 'podman');
    const ps = spawnSync('podman', ['ps', '-a', '--filter', `name=${runner.containerName}`, '--format', '{{.Names}}'], { env, encoding: 'utf8' });
    assert.equal(ps.stdout.trim(), '');
  });

  it('the injected control path yields to the template\'s own, and is off when the setting says so', async function () {
    this.timeout(5 * 60_000);
    const env = { ...process.env, DOCKER_HOST: service!.dockerHost };
    const own = workspace(SOCKETS_PLAY, { ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/tmp/own-%%h-%%p'] });
    const a = runnerFor(own, { containerEngine: 'docker', image }, env);
    assert.equal((await a.runner.run()).status, 'succeeded', a.output());
    assert.match(a.output(), /"SOCKET \/tmp\/own-127\.0\.0\.1-\d+"/);
    assert.doesNotMatch(a.output(), /SOCKET \/tmp\/ansible-ssh-/);

    const off = workspace(SOCKETS_PLAY);
    const b = runnerFor(off, { containerEngine: 'docker', image, injectControlPath: false }, env);
    assert.equal((await b.runner.run()).status, 'succeeded', b.output());
    // Ansible's default: ~/.ansible/cp/<hash>, on the container's overlay root (works there, unlike some bind mounts).
    assert.match(b.output(), /"SOCKET \/root\/\.ansible\/cp\/[0-9a-f]+"/);
    assert.doesNotMatch(b.output(), /SOCKET \/tmp\//);
  });

  it('reports a failed build as failed with the template line (exit code survives Podman\'s Docker API)', async function () {
    this.timeout(5 * 60_000);
    const ws = workspace(INSPECT_PLAY);
    fs.writeFileSync(ws.template, '{\n  "builders": [\n    {"type": "null", "communicator": "none",}\n  ]\n}\n');
    const env = { ...process.env, DOCKER_HOST: service!.dockerHost };
    const { runner, output } = runnerFor(ws, { containerEngine: 'docker', image }, env);
    const result = await runner.run();
    assert.equal(result.status, 'failed', output());
    assert.equal(result.exitCode, 1);
    assert.equal(result.failure, 'Packer reported errors (above)');
    assert.deepStrictEqual(result.errors.flatMap((e) => e.locations), [{ file: ws.template, line: 3, column: 46 }]);
    assert.deepStrictEqual(containersNamed(service!.dockerHost, runner.containerName), []);
  });

  it('explains an engine that is not running', async function () {
    const ws = workspace(INSPECT_PLAY);
    const env = { ...process.env, DOCKER_HOST: `unix://${path.join(ws.home, 'no-such.sock')}` };
    const { runner } = runnerFor(ws, { containerEngine: 'docker', image }, env);
    const result = await runner.run();
    assert.equal(result.status, 'failed');
    assert.match(result.failure!, /^docker is installed but not usable: Cannot connect to the Docker daemon at unix:\/\/.*no-such\.sock\. Is the docker daemon running\? Start Docker/);
  });

  it('cancels a real bake mid-way: Packer cleans up, exit code 1, no container left', async function () {
    this.timeout(5 * 60_000);
    const ws = workspace(SLEEP_PLAY);
    const env = { ...process.env, DOCKER_HOST: service!.dockerHost };
    const { runner, output } = runnerFor(ws, { containerEngine: 'docker', image, stopTimeoutSeconds: 60 }, env);
    const running = runner.run();
    const deadline = Date.now() + 120_000;
    while (!/TASK \[nap\]/.test(output())) {
      if (Date.now() > deadline) throw new Error(`the nap task never started:\n${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const t0 = Date.now();
    await runner.cancel();
    const result = await running;
    const stopMs = Date.now() - t0;
    console.log(`      (cancel took ${stopMs} ms; Packer said: ${JSON.stringify(result.cancelMessage)})`);
    assert.equal(result.status, 'cancelled');
    assert.equal(result.exitCode, 1, output());
    assert.equal(result.cancelMessage, 'Cleanly cancelled builds after being interrupted.');
    assert.match(output(), /Cancelling build after receiving terminated/);
    // SIGTERM reached Packer: it finished well before the stop timeout would have killed it.
    assert.ok(stopMs < 30_000, `stop took ${stopMs} ms`);
    assert.deepStrictEqual(containersNamed(service!.dockerHost, runner.containerName), []);
  });
});
