// Real dev containers: the Dev Containers CLI (@devcontainers/cli) driving the
// real `docker` CLI against Podman's Docker-compatible API, and the podman CLI
// itself. No registry is reachable, so the Dockerfile written by "Packer: Create
// Dev Container for Packer" is built with stand-ins given as build args: the
// Debian-packaged bake test image (test/bake/setup-image.sh) for both
// HashiCorp's packer image and debian:bookworm-slim. Skips outside CI when a
// tool is missing; under CI=true it must run.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { modify, applyEdits as applyJsonEdits } from 'jsonc-parser';
import { Analyzer, applyEdits } from '../../server/src/analysis';
import { devcontainerFiles } from '../../client/src/commands/devcontainerFiles';
import { diskHost } from '../support/analysis';
import { requireThat, requireTool } from '../support/requireTool';
import { CONTAINERS_CONF, ensureTestImage, startPodmanService, type PodmanService } from '../bake/podman';
import { BASELINE_EXTRA_ARGUMENTS } from '../tools/packer';
import { startSshd, sshdPath, type Sshd } from '../tools/sshd';

const CLI = require.resolve('@devcontainers/cli/devcontainer.js');
const TAG = randomBytes(3).toString('hex');

interface Run { code: number; stdout: string; stderr: string }

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 600_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A JSONC property set in place (comments kept). */
function setJson(text: string, pathTo: (string | number)[], value: unknown): string {
  return applyJsonEdits(text, modify(text, pathTo, value, { formattingOptions: { insertSpaces: false, tabSize: 1 } }));
}

const SOCKETS_PLAY = `- hosts: all
  gather_facts: false
  tasks:
    - ping:
    - name: list the control sockets and the /tmp mount in the dev container
      delegate_to: localhost
      connection: local
      shell: |
        find /tmp /root/.ansible -type s 2>/dev/null | sed 's/^/SOCKET /'
        grep ' /tmp ' /proc/mounts | sed 's/^/MOUNT /'
      register: inside
    - debug:
        var: inside.stdout_lines
`;

describe('dev containers for real (Dev Containers CLI)', function () {
  this.timeout(900_000);
  let image: string;
  let service: PodmanService;
  let sshd: Sshd;
  const workspaces: string[] = [];
  const containers: { engine: 'docker' | 'podman'; id: string }[] = [];

  before(async function () {
    for (const tool of ['docker', 'podman', 'debootstrap']) requireTool(this, tool, 'dev containers run on Podman');
    requireThat(this, fs.existsSync(sshdPath()), 'sshd is not installed (openssh-server; see test/setup/apt.sh)');
    image = await ensureTestImage();
    service = await startPodmanService();
    sshd = await startSshd();
  });

  after(async () => {
    for (const c of containers) {
      // The image the CLI built for the container goes with it.
      const env = envFor(c.engine);
      const img = await run(c.engine, ['inspect', '-f', '{{.Image}}', c.id], env, 60_000);
      await run(c.engine, ['rm', '-f', c.id], env, 120_000);
      const tags = img.code === 0 ? await run(c.engine, ['image', 'inspect', '-f', '{{json .RepoTags}}', img.stdout.trim()], env, 60_000) : undefined;
      if (tags?.code === 0 && /"[^"]*vsc-pb-devc-/.test(tags.stdout)) await run(c.engine, ['rmi', '-f', img.stdout.trim()], env, 120_000);
    }
    await sshd?.stop();
    await service?.stop();
    for (const w of workspaces) fs.rmSync(w, { recursive: true, force: true });
  });

  function envFor(engine: 'docker' | 'podman'): NodeJS.ProcessEnv {
    return engine === 'docker' ? { ...process.env, DOCKER_HOST: service.dockerHost } : { ...process.env, CONTAINERS_CONF };
  }

  /** A workspace with `files` (relative path → text). */
  function workspace(files: Record<string, string>): string {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), `pb-devc-${TAG}-`));
    workspaces.push(ws);
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
      fs.writeFileSync(path.join(ws, rel), text);
    }
    return ws;
  }

  async function up(ws: string, engine: 'docker' | 'podman'): Promise<Run & { containerId?: string }> {
    const r = await run(process.execPath, [CLI, 'up', '--workspace-folder', ws, '--docker-path', engine, '--id-label', `packer-bake-test=${TAG}-${path.basename(ws)}`], envFor(engine));
    const last = r.stdout.trim().split('\n').pop() ?? '';
    let containerId: string | undefined;
    try {
      containerId = (JSON.parse(last) as { containerId?: string }).containerId;
    } catch {
      containerId = undefined;
    }
    if (containerId) containers.push({ engine, id: containerId });
    return { ...r, containerId };
  }

  function exec(ws: string, engine: 'docker' | 'podman', script: string): Promise<Run> {
    return run(process.execPath, [CLI, 'exec', '--workspace-folder', ws, '--docker-path', engine, '--id-label', `packer-bake-test=${TAG}-${path.basename(ws)}`, 'sh', '-c', script], envFor(engine));
  }

  /** Findings of the analysis for the workspace's devcontainer.json, as [rule, severity]. */
  function check(ws: string): [string, string][] {
    const file = path.join(ws, '.devcontainer', 'devcontainer.json');
    return new Analyzer(diskHost).analyze(file, fs.readFileSync(file, 'utf8')).findings.map((f) => [f.ruleId, f.severity]);
  }

  /** The generated files, with the stand-in images as build args and host networking to reach the test sshd. */
  function generatedWorkspace(): string {
    const files = devcontainerFiles();
    const [repository, tag] = [image.slice(0, image.lastIndexOf(':')), image.slice(image.lastIndexOf(':') + 1)];
    let json = setJson(files.devcontainerJson, ['build', 'args'], { PACKER_REPOSITORY: repository, PACKER_VERSION: tag, BASE_IMAGE: image });
    json = setJson(json, ['runArgs', -1], '--network=host');
    const key = fs.readFileSync(sshd.userKey, 'utf8');
    const template = {
      builders: [{ type: 'null', communicator: 'ssh', ssh_host: '127.0.0.1', ssh_port: sshd.port, ssh_username: sshd.user, ssh_private_key_file: 'key', ssh_timeout: '30s' }],
      provisioners: [{ type: 'ansible', playbook_file: 'play.yml', extra_arguments: [...BASELINE_EXTRA_ARGUMENTS] }],
    };
    const ws = workspace({ '.devcontainer/Dockerfile': files.dockerfile, '.devcontainer/devcontainer.json': json, 'template.json': JSON.stringify(template, null, 2), 'play.yml': SOCKETS_PLAY, key });
    fs.chmodSync(path.join(ws, 'key'), 0o600);
    return ws;
  }

  for (const engine of ['docker', 'podman'] as const) {
    it(`[${engine}] the generated dev container passes the check, has a tmpfs /tmp, and a Packer + Ansible build gets its control socket there`, async () => {
      const ws = generatedWorkspace();
      assert.deepEqual(check(ws), [], 'no finding on the generated devcontainer.json');
      const started = await up(ws, engine);
      assert.equal(started.code, 0, `devcontainer up failed:\n${started.stdout.slice(-3000)}\n${started.stderr.slice(-3000)}`);
      const probe = await exec(ws, engine, 'grep " /tmp " /proc/mounts; stat -f -c %T /tmp; echo "CP=$ANSIBLE_SSH_CONTROL_PATH"; packer version');
      assert.equal(probe.code, 0, probe.stderr);
      assert.match(probe.stdout, /^tmpfs \/tmp tmpfs rw,(?!.*noexec)/m);
      assert.match(probe.stdout, /^tmpfs$/m);
      assert.match(probe.stdout, /^CP=\/tmp\/ansible-ssh-%%h-%%p-%%r$/m);
      assert.match(probe.stdout, /^Packer v\d/m);
      // devcontainer exec runs in the workspace folder (mounted at /workspaces/<name>).
      const build = await exec(ws, engine, 'packer build -machine-readable template.json');
      const out = build.stdout.replace(/%!\(PACKER_COMMA\)/g, ',');
      assert.equal(build.code, 0, out.slice(-4000));
      assert.match(out, /"SOCKET \/tmp\/ansible-ssh-127\.0\.0\.1-\d+-root"/, 'the control socket is in /tmp, as containerEnv says');
      assert.match(out, /"MOUNT tmpfs \/tmp tmpfs /);
    });
  }

  it('a dev container the check warns about has no mount on /tmp; after the quick fix it has a tmpfs', async () => {
    // The image's name says Packer: that is the rule's evidence.
    const ws = workspace({ '.devcontainer/devcontainer.json': `{\n\t// stand-in for a Packer image\n\t"image": "${image}",\n}\n` });
    assert.deepEqual(check(ws), [['devcontainer-tmp-not-mounted', 'warning']]);
    const before = await up(ws, 'docker');
    assert.equal(before.code, 0, before.stdout.slice(-3000));
    const plain = await exec(ws, 'docker', 'grep -c " /tmp " /proc/mounts; stat -f -c %T /tmp');
    assert.match(plain.stdout, /^0\n(?!tmpfs)\S+\n$/, `expected /tmp on the container's own filesystem, got ${plain.stdout}`);

    const file = path.join(ws, '.devcontainer', 'devcontainer.json');
    const text = fs.readFileSync(file, 'utf8');
    const finding = new Analyzer(diskHost).analyze(file, text).findings[0];
    fs.writeFileSync(file, applyEdits(text, finding.fixes[0].edits[0].edits));
    assert.deepEqual(check(ws), []);
    const after = await run(process.execPath, [CLI, 'up', '--workspace-folder', ws, '--docker-path', 'docker', '--remove-existing-container', '--id-label', `packer-bake-test=${TAG}-${path.basename(ws)}`], envFor('docker'));
    assert.equal(after.code, 0, after.stdout.slice(-3000));
    const id = (JSON.parse(after.stdout.trim().split('\n').pop()!) as { containerId: string }).containerId;
    containers.push({ engine: 'docker', id });
    const fixed = await exec(ws, 'docker', 'grep " /tmp " /proc/mounts');
    assert.match(fixed.stdout, /^tmpfs \/tmp tmpfs rw/m);
  });

  it('"--tmpfs /tmp" as one runArgs item: the check says the container will not start, and it does not', async () => {
    const ws = workspace({ '.devcontainer/devcontainer.json': `{ "image": "${image}", "runArgs": ["--tmpfs /tmp"] }` });
    assert.deepEqual(check(ws), [['devcontainer-tmp-not-mounted', 'error']]);
    const r = await up(ws, 'docker');
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /unknown flag: --tmpfs \/tmp/);
  });
});
