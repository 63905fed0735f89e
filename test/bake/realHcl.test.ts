// Real bakes of HCL2 configurations: the real `docker` CLI against Podman's
// Docker-compatible API, Packer's `null` builder reaching a throwaway sshd on
// the host, and the `ansible` provisioner.
//
// - A folder with variables.pkr.hcl, a pkrvars file and an auto pkrvars file,
//   in the test image (Debian 12: Packer 1.6.6, ansible-core 2.14, OpenSSH 9.2).
// - The shipped bake/Dockerfile built from stand-ins for its base images
//   (test/bake/setup-standins.sh: Debian trixie, and a `packer` that emulates
//   `packer init` and builds with the real Packer 1.6.6), with required_plugins:
//   init installs into the plugin volume once; an offline init fails clearly.
// - An image whose Packer is too old for required_plugins.
// - The headless CLI (`packer-bake bake`, dist/cli.js).
// Skips outside CI when a tool is missing; under CI=true it must run.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BakeRequest } from '../../client/src/bake/argv';
import { BakeRunner, type BakeProgress, type BakeRunnerOptions } from '../../client/src/bake/runner';
import { defaultBakeSettings, type BakeSettings } from '../../client/src/bake/settings';
import type { ToolchainVersions } from '../../client/src/bake/toolchain';
import { requireThat, requireTool } from '../support/requireTool';
import { BASELINE_EXTRA_ARGUMENTS } from '../tools/packer';
import { startSshd, type Sshd } from '../tools/sshd';
import { CONTAINERS_CONF, containersNamed, ensureStandins, ensureTestImage, podman, startPodmanService, type PodmanService } from './podman';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const DOCKERFILE = path.resolve(__dirname, '..', '..', 'bake', 'Dockerfile');
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

const PLAY = `- hosts: all
  gather_facts: false
  tasks:
    - ping:
    - debug:
        msg: "greeting={{ greeting }} build={{ packer_build_name }}"
    - name: the control sockets in the bake container
      delegate_to: localhost
      connection: local
      shell: find /tmp -type s 2>/dev/null | sed 's/^/SOCKET /'
      register: inside
    - debug:
        var: inside.stdout_lines
`;

const REQUIRED_PLUGINS = `packer {
  required_plugins {
    ansible = {
      version = ">= 1.1.0"
      source  = "github.com/hashicorp/ansible"
    }
  }
}
`;

interface Ws {
  root: string;
  folder: string;
  home: string;
}

/**
 * A workspace whose HCL2 configuration is split as teams split it: sources and
 * the build in web.pkr.hcl, the variables in variables.pkr.hcl (Packer only
 * sees them when it builds the folder), their values in prod.pkrvars.hcl (to
 * pick) and common.auto.pkrvars.hcl (Packer loads it itself). `playbookFrom`
 * puts the playbook where a relative path from another working directory reaches it.
 * The target is this machine's sshd: ansible_python_interpreter names its
 * system Python, since ansible-core 2.19's discovery (the bundled image) prefers
 * a `python3.13` on PATH, which on a machine with pyenv is a shim without that version.
 */
function hclWorkspace(sshd: Sshd, opts: { requiredPlugins?: boolean; playbookFromRoot?: boolean } = {}): Ws {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pb real hcl ws-'));
  const folder = path.join(root, 'packer', 'web');
  fs.mkdirSync(folder, { recursive: true });
  fs.copyFileSync(sshd.userKey, path.join(root, 'userkey'));
  fs.chmodSync(path.join(root, 'userkey'), 0o600);
  const playbook = opts.playbookFromRoot ? 'ansible/site.yml' : 'play.yml';
  fs.mkdirSync(path.dirname(path.join(opts.playbookFromRoot ? root : folder, playbook)), { recursive: true });
  fs.writeFileSync(path.join(opts.playbookFromRoot ? root : folder, playbook), PLAY);
  const key = opts.playbookFromRoot ? 'userkey' : '../../userkey';
  const source = (name: string) => `source "null" "${name}" {
  communicator         = "ssh"
  ssh_host             = var.ssh_host
  ssh_port             = var.ssh_port
  ssh_username         = var.ssh_user
  ssh_private_key_file = "${key}"
  ssh_timeout          = "30s"
}
`;
  fs.writeFileSync(path.join(folder, 'web.pkr.hcl'), `${opts.requiredPlugins ? REQUIRED_PLUGINS : ''}${source('a')}${source('b')}
build {
  sources = ["source.null.a", "source.null.b"]

  provisioner "ansible" {
    playbook_file   = "${playbook}"
    extra_arguments = [${[...BASELINE_EXTRA_ARGUMENTS, '--extra-vars', 'greeting=${var.greeting}', '--extra-vars', 'ansible_python_interpreter=/usr/bin/python3'].map((a) => JSON.stringify(a)).join(', ')}]
  }
}
`);
  fs.writeFileSync(path.join(folder, 'variables.pkr.hcl'), `variable "ssh_host" {
  type = string
}
variable "ssh_port" {
  type = number
}
variable "ssh_user" {
  type = string
}
variable "greeting" {
  type    = string
  default = "from-default"
}
`);
  fs.writeFileSync(path.join(folder, 'prod.pkrvars.hcl'), `ssh_host = "${sshd.host}"\nssh_port = ${sshd.port}\nssh_user = "${sshd.user}"\n`);
  fs.writeFileSync(path.join(folder, 'common.auto.pkrvars.hcl'), 'greeting = "from-auto-pkrvars"\n');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-home-'));
  return { root, folder, home };
}

describe('bake HCL2 configurations with a real engine (podman)', function () {
  this.timeout(20 * 60_000);
  let image = '';
  let standins: Record<string, string> = {};
  let service: PodmanService | undefined;
  let sshd: Sshd | undefined;
  const workspaces: Ws[] = [];
  const volumes: string[] = [];
  const images: string[] = [];

  before(async function () {
    this.timeout(30 * 60_000);
    for (const tool of ['podman', 'docker', 'debootstrap', 'packer', 'ssh-keygen']) requireTool(this, tool, 'the real bake tests need it');
    requireThat(this, process.getuid?.() === 0, 'the real bake tests run as root (debootstrap, podman import, podman system service)');
    const t0 = Date.now();
    [image, standins] = await Promise.all([ensureTestImage(), ensureStandins()]);
    console.log(`      (test images ready in ${Date.now() - t0} ms)`);
    service = await startPodmanService();
    sshd = await startSshd();
  });

  after(async () => {
    await sshd?.stop();
    for (const i of images) podman(['rmi', '-f', i], true);
    for (const v of volumes) podman(['volume', 'rm', '-f', v], true);
    await service?.stop();
    for (const w of workspaces) for (const d of [w.root, w.home]) fs.rmSync(d, { recursive: true, force: true });
  });

  function workspace(opts: Parameters<typeof hclWorkspace>[1] = {}): Ws {
    const w = hclWorkspace(sshd!, opts);
    workspaces.push(w);
    return w;
  }

  function volume(): string {
    const v = `pb-test-plugins-${randomBytes(4).toString('hex')}`;
    volumes.push(v);
    return v;
  }

  function runnerFor(ws: Ws, request: Partial<BakeRequest>, settings: Partial<BakeSettings>, extra: Partial<BakeRunnerOptions> = {}) {
    const runner = new BakeRunner({
      request: {
        target: ws.folder, format: 'hcl', mountRoot: ws.root, only: ['null.a'], varFiles: [path.join(ws.folder, 'prod.pkrvars.hcl')],
        variables: {}, requiresInit: false, ...request,
      },
      settings: { ...defaultBakeSettings, containerEngine: 'docker', extraEngineArgs: ['--network', 'host'], stopTimeoutSeconds: 30, pluginVolume: '', ...settings },
      extensionVersion: '0.0.0-test',
      dockerfile: DOCKERFILE,
      env: { ...process.env, DOCKER_HOST: service!.dockerHost, AWS_SECRET_ACCESS_KEY: SECRET },
      homeDir: ws.home,
      color: false,
      ...extra,
    });
    let output = '';
    const progress: BakeProgress[] = [];
    const toolchains: ToolchainVersions[] = [];
    runner.onOutput((t) => { output += t; });
    runner.onProgress((p) => progress.push(p));
    runner.onToolchain((t) => toolchains.push(t));
    return { runner, output: () => output, progress, toolchains };
  }

  it('bakes a folder beside its variables.pkr.hcl, with a pkrvars file and -only, from the template\'s folder', async function () {
    this.timeout(5 * 60_000);
    const ws = workspace();
    const { runner, output } = runnerFor(ws, {}, { image });
    const t0 = Date.now();
    const result = await runner.run();
    console.log(`      (HCL2 folder bake: ${Date.now() - t0} ms)`);
    assert.equal(result.status, 'succeeded', output());
    // Only the build asked for ran; the variables came from variables.pkr.hcl, prod.pkrvars.hcl and the auto file.
    assert.deepStrictEqual(result.artifacts.map((a) => [a.target, a.id]), [['null.a', 'Null']]);
    assert.match(output(), /"msg": "greeting=from-auto-pkrvars build=a"/);
    assert.match(output(), /"SOCKET \/tmp\/ansible-ssh-127\.0\.0\.1-\d+-root"/);
    assert.match(result.command!, / -w \/workspace\/packer\/web .* packer build -machine-readable -only=null\.a -var-file=prod\.pkrvars\.hcl \.$/);
    assert.deepStrictEqual(containersNamed(service!.dockerHost, runner.containerName), []);
  });

  it('runs Packer in the working directory it is given, the folder relative to it', async function () {
    this.timeout(5 * 60_000);
    const ws = workspace({ playbookFromRoot: true });
    const { runner, output } = runnerFor(ws, { cwd: ws.root }, { image });
    const result = await runner.run();
    assert.equal(result.status, 'succeeded', output());
    assert.match(result.command!, / -w \/workspace .* -var-file=packer\/web\/prod\.pkrvars\.hcl packer\/web$/);
    assert.match(output(), /"msg": "greeting=from-auto-pkrvars build=a"/);
  });

  it('says before running that the image\'s Packer is too old for required_plugins', async function () {
    this.timeout(5 * 60_000);
    const ws = workspace({ requiredPlugins: true });
    const { runner } = runnerFor(ws, { requiresInit: true }, { image, container: 'image' });
    const result = await runner.run();
    assert.equal(result.failureKind, 'packer-too-old');
    assert.match(result.failure!, /but the container's Packer is 1\.6\.6\. Set packerBake\.bake\.image to an image with Packer 1\.7 or newer/);
    assert.equal(result.command, undefined);
  });

  it('builds the shipped bake/Dockerfile on first use and bakes required_plugins: packer init installs into the plugin volume once', async function () {
    this.timeout(15 * 60_000);
    const ws = workspace({ requiredPlugins: true });
    const version = `test-${randomBytes(4).toString('hex')}`;
    const plugins = volume();
    const first = runnerFor(ws, { requiresInit: true }, { pluginVolume: plugins }, { extensionVersion: version, bundledBuildArgs: standins });
    const t0 = Date.now();
    const r1 = await first.runner.run();
    console.log(`      (bundled image build + init + bake: ${Date.now() - t0} ms)`);
    images.push(r1.image!);
    assert.equal(r1.status, 'succeeded', first.output());
    assert.equal(r1.container, 'bundled');
    assert.match(r1.image!, new RegExp(`^packer-bake:${version}-[0-9a-f]{12}$`));
    assert.match(first.output(), /Building the bake image packer-bake:test-\S+ \(first use of this extension version\):/);
    // The versions of the image built from the Dockerfile (Debian 13's ansible-core and OpenSSH, the Packer it pins).
    assert.match(first.output(), /Toolchain in packer-bake:\S+: packer 1\.16\.1, ansible 2\.19\.\d+, openssh 10\.0p\d+/);
    assert.ok(first.progress.some((p) => p.phase === 'init' && p.message === 'Installed plugin github.com/hashicorp/ansible v1.1.4'), JSON.stringify(first.progress));
    assert.match(first.output(), /Installed plugin github\.com\/hashicorp\/ansible v1\.1\.4 in "\/packer-plugins\/github\.com\/hashicorp\/ansible\/packer-plugin-ansible_v1\.1\.4_x5\.0_linux_amd64"/);
    assert.deepStrictEqual(first.toolchains.map((t) => t.ansiblePlugin), [undefined, '1.1.4']);
    assert.match(first.output(), /"SOCKET \/tmp\/ansible-ssh-127\.0\.0\.1-\d+-root"/);

    // Second bake: the image exists, the plugin is in the volume: nothing built, nothing installed.
    const second = runnerFor(ws, { requiresInit: true }, { pluginVolume: plugins }, { extensionVersion: version, bundledBuildArgs: standins });
    const r2 = await second.runner.run();
    assert.equal(r2.status, 'succeeded', second.output());
    assert.doesNotMatch(second.output(), /Building the bake image|Installed plugin/);
    assert.deepStrictEqual(second.toolchains.map((t) => t.ansiblePlugin), ['1.1.4']);
  });

  it('explains a packer init that cannot reach the plugin registry', async function () {
    this.timeout(15 * 60_000);
    const ws = workspace({ requiredPlugins: true });
    const plugins = volume();
    // The stand-in's "no network": the real one would fail to resolve api.releases.hashicorp.com the same way.
    const { runner, output } = runnerFor(ws, { requiresInit: true },
      { pluginVolume: plugins, extraEngineArgs: ['--network', 'host', '-e', 'PACKER_STANDIN_OFFLINE=1'] },
      { extensionVersion: `test-${randomBytes(4).toString('hex')}`, bundledBuildArgs: standins });
    const result = await runner.run();
    images.push(result.image!);
    assert.equal(result.status, 'failed', output());
    assert.equal(result.failureKind, 'init');
    assert.equal(result.exitCode, 1);
    assert.match(result.failure!, /^packer init could not install the plugin github\.com\/hashicorp\/ansible: could not get releases: .*no such host\. The container must reach the plugin's releases \(github\.com, releases\.hashicorp\.com\) to install it\. Once installed, the plugin stays in the volume "pb-test-plugins-[0-9a-f]+"/);
    assert.deepStrictEqual(containersNamed(service!.dockerHost, runner.containerName), []);
  });

  describe('packer-bake bake (the headless CLI)', () => {
    before(function () {
      requireThat(this, fs.existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first');
    });

    function cli(ws: Ws, args: string[]) {
      const r = spawnSync(process.execPath, [CLI, 'bake', '--engine', 'docker', '--image', image, '--engine-arg=--network', '--engine-arg=host', ...args], {
        cwd: ws.root, env: { ...process.env, DOCKER_HOST: service!.dockerHost, AWS_SECRET_ACCESS_KEY: SECRET, CONTAINERS_CONF }, encoding: 'utf8', timeout: 5 * 60_000,
      });
      return { code: r.status, out: r.stdout, err: r.stderr };
    }

    it('bakes the folder, prints the checks, Packer\'s output and the artifacts, exit 0', function () {
      this.timeout(5 * 60_000);
      const ws = workspace();
      const r = cli(ws, ['packer/web', '--only', 'null.b', '--var-file', 'packer/web/prod.pkrvars.hcl']);
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.out, /^packer-bake: checked with packer 1\.6\.6, ansible 2\.14\.\d+, openssh 9\.2p\d+:\n/m);
      assert.match(r.out, /"msg": "greeting=from-auto-pkrvars build=b"/);
      assert.match(r.out, /\nBake finished: 1 artifact\(s\)\n {2}null\.b: Null\n$/);
    });

    it('exits with Packer\'s exit code when the build fails', function () {
      this.timeout(5 * 60_000);
      const ws = workspace();
      // In the folder that is baked, and used by a build: Packer decodes only the sources a build names
      // (measured with 1.6.6: an unused source with a bogus argument builds to success).
      fs.writeFileSync(path.join(ws.folder, 'broken.pkr.hcl'), 'source "null" "c" {\n  bogus = 1\n}\n\nbuild {\n  sources = ["source.null.c"]\n}\n');
      const r = cli(ws, ['packer/web', '--var-file', 'packer/web/prod.pkrvars.hcl']);
      assert.equal(r.code, 1, r.out + r.err);
      assert.match(r.out, /An argument named "bogus" is not expected here/);
      assert.match(r.out, /at .*packer\/web\/broken\.pkr\.hcl:2/);
    });
  });
});
