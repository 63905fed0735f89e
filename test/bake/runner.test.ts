// The whole bake flow (engine probe, image, run, output, artifacts, errors,
// cancellation) against a fake engine executable that records its argv.
import assert from 'node:assert/strict';
import { spawn, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRunArgs, INJECTED_CONTROL_PATH, type BakeRequest } from '../../client/src/bake/argv';
import { BakeRunner, type BakeProgress, type BakeRunnerOptions } from '../../client/src/bake/runner';
import { defaultBakeSettings, type BakeSettings } from '../../client/src/bake/settings';
import { FakeEngine, type FakeScript } from './fakeEngine';

const DOCKERFILE = path.resolve(__dirname, '..', '..', 'bake', 'Dockerfile');
const CANCEL_LINES = [
  '1795548567,,ui,say,==> null: Running local shell script: /tmp/packer-shell653314036',
];
// Recorded from Packer 1.6.6 after SIGTERM.
const AFTER_SIGTERM = [
  '1795548569,,ui,error,Cancelling build after receiving terminated',
  "1795548569,,ui,say,Build 'null' finished after 1 second 813 milliseconds.",
  '1795548569,,ui,say,\\n==> Wait completed after 1 second 813 milliseconds',
  '1795548569,,ui,say,Cleanly cancelled builds after being interrupted.',
];
const AMI_RUN = [
  '1700000000,,ui,say,==> amazon-ebs.a: Launching a source AWS instance...',
  '1700000001,,ui,say,==> amazon-ebs.a: Provisioning with Ansible...',
  '1700000002,,ui,message,    amazon-ebs.a: ok: [default] token=hunter2-secret-value',
  '1700000003,,ui,say,==> amazon-ebs.a: Terminating the source AWS instance...',
  '1700000004,amazon-ebs.a,artifact-count,1',
  '1700000004,amazon-ebs.a,artifact,0,builder-id,mitchellh.amazonebs',
  '1700000004,amazon-ebs.a,artifact,0,id,us-east-1:ami-0123456789abcdef0%!(PACKER_COMMA)eu-west-1:ami-0fedcba9876543210',
  '1700000004,amazon-ebs.a,artifact,0,end',
];

interface Harness {
  engine: FakeEngine;
  runner: BakeRunner;
  output: () => string;
  progress: BakeProgress[];
  spawns: Array<{ file: string; args: readonly string[]; options: SpawnOptions }>;
  ws: string;
  request: BakeRequest;
}

const cleanups: Array<() => void> = [];
afterEach(() => { while (cleanups.length) cleanups.pop()!(); });

function harness(script: FakeScript, opts: { settings?: Partial<BakeSettings>; request?: Partial<BakeRequest>; env?: Record<string, string>; runner?: Partial<BakeRunnerOptions> } = {}): Harness {
  const engine = new FakeEngine(script);
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-ws with space-'));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-home-'));
  cleanups.push(() => { engine.dispose(); fs.rmSync(ws, { recursive: true, force: true }); fs.rmSync(home, { recursive: true, force: true }); });
  fs.mkdirSync(path.join(ws, 'images'));
  const request: BakeRequest = {
    target: path.join(ws, 'images'), mountRoot: ws, format: 'hcl', only: [], varFiles: [], variables: {}, requiresInit: false,
    ...opts.request,
  };
  const spawns: Harness['spawns'] = [];
  let out = '';
  const progress: BakeProgress[] = [];
  const runner = new BakeRunner({
    request,
    settings: { ...defaultBakeSettings, enginePath: engine.path, stopTimeoutSeconds: 7, ...opts.settings },
    extensionVersion: '0.1.0',
    dockerfile: DOCKERFILE,
    env: engine.env(opts.env),
    homeDir: home,
    color: false,
    containerName: 'packer-bake-test-1',
    runExitGraceMs: 300,
    spawn: (file, args, options) => { spawns.push({ file, args, options }); return spawn(file, args, options); },
    ...opts.runner,
  });
  runner.onOutput((t) => { out += t; });
  runner.onProgress((p) => progress.push(p));
  return { engine, runner, output: () => out, progress, spawns, ws, request };
}

/** Resolves when `pred(output)` holds (polling the collected output). */
async function until(h: Harness, pred: (out: string) => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred(h.output())) {
    if (Date.now() > end) throw new Error(`timed out; output so far:\n${h.output()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('bake runner (fake engine)', () => {
  it('asks the image for its tool versions once per image id and reports them before running Packer', async () => {
    const cache = new Map<string, unknown>();
    const toolchainCache = { get: (id: string) => cache.get(id) as never, set: (id: string, v: unknown) => { cache.set(id, v); } };
    const script: FakeScript = {
      'image inspect': { stdout: ['sha256:0123abcd'] },
      'probe packer': { stdout: ['Packer v1.6.6'] },
      'probe ssh': { stderr: ['OpenSSH_9.2p1 Debian-2+deb12u3, OpenSSL 3.0.15 3 Sep 2024'] },
      'probe ansible': { stdout: ['ansible [core 2.14.18]', '  config file = None', '  python version = 3.11.2'] },
      run: { stdout: AMI_RUN },
    };
    for (const round of [1, 2]) {
      const h = harness(script, { runner: { toolchainCache } });
      const seen: unknown[] = [];
      h.runner.onToolchain((t) => seen.push(t));
      const result = await h.runner.run();
      assert.equal(result.status, 'succeeded', h.output());
      assert.deepStrictEqual(seen, [{ packer: '1.6.6', ansible: '2.14.18', openssh: '9.2p1' }]);
      assert.deepStrictEqual(result.toolchain, { packer: '1.6.6', ansible: '2.14.18', openssh: '9.2p1' });
      const probe = (...a: string[]) => ['run', '--rm', '--network', 'none', '-v', 'packer-bake-plugins:/packer-plugins', '-e', 'PACKER_PLUGIN_PATH=/packer-plugins', '--entrypoint', ...a];
      assert.deepStrictEqual(h.engine.probes(), round === 1 ? [
        probe('ansible', 'packer-bake:0.1.0', '--version'), probe('packer', 'packer-bake:0.1.0', 'plugins', 'installed'),
        probe('packer', 'packer-bake:0.1.0', 'version'), probe('ssh', 'packer-bake:0.1.0', '-V'),
      ] : []);
      assert.match(h.output(), /Toolchain in packer-bake:0\.1\.0: packer 1\.6\.6, ansible 2\.14\.18, openssh 9\.2p1/);
    }
  });

  it('builds the bundled image on first use, runs Packer, reports AMIs, masks secrets', async () => {
    const secret = 'hunter2-secret-value';
    const h = harness({
      'image inspect': { exit: 1, stderr: ['Error: No such image: packer-bake:0.1.0'] },
      build: { stdout: ['STEP 1/3: FROM debian:bookworm-slim', 'STEP 2/3: ARG BAKE_PACKAGES', 'STEP 3/3: RUN apt-get update', 'Successfully tagged packer-bake:0.1.0'] },
      run: { stdout: AMI_RUN },
    }, { env: { AWS_ACCESS_KEY_ID: 'AKIAABCDEFGHIJKLMNOP', AWS_SECRET_ACCESS_KEY: secret, AWS_REGION: 'us-east-1' } });
    const result = await h.runner.run();

    assert.equal(result.status, 'succeeded', h.output());
    assert.equal(result.exitCode, 0);
    assert.deepStrictEqual(result.artifacts.map((a) => a.amis), [[
      { region: 'us-east-1', ami: 'ami-0123456789abcdef0' }, { region: 'eu-west-1', ami: 'ami-0fedcba9876543210' },
    ]]);
    assert.deepStrictEqual(h.engine.subcommands(), ['version', 'image inspect', 'build', 'image inspect', 'run', 'rm']);
    const calls = h.engine.calls().filter((c) => !c.argv.includes('--entrypoint'));
    assert.deepStrictEqual(calls[2].argv, ['build', '-t', 'packer-bake:0.1.0', '-f', DOCKERFILE, path.dirname(DOCKERFILE)]);
    const expected = buildRunArgs({
      request: h.request, settings: { ...defaultBakeSettings, enginePath: h.engine.path, stopTimeoutSeconds: 7 }, image: 'packer-bake:0.1.0',
      containerName: 'packer-bake-test-1', env: { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: 'x' }, homeDir: '/nowhere', awsDirExists: false,
    });
    assert.deepStrictEqual(calls[4].argv, expected.args);
    assert.ok(calls[4].argv.includes(`ANSIBLE_SSH_CONTROL_PATH=${INJECTED_CONTROL_PATH}`));
    // The engine got the secret through its environment, never through argv.
    assert.equal(calls[4].env.AWS_SECRET_ACCESS_KEY, secret);
    for (const c of h.engine.calls()) assert.ok(!c.argv.some((a) => a.includes(secret)));
    // No shell, anywhere.
    for (const s of h.spawns) assert.equal(s.options.shell, false);

    const out = h.output();
    assert.ok(!out.includes(secret), 'secret printed');
    assert.ok(!out.includes('AKIAABCDEFGHIJKLMNOP'), 'access key id printed');
    assert.match(out, /token=\*{8}/);
    assert.match(out, /^\$ .*fakeEngine\.cjs run --rm --init --name packer-bake-test-1 /m);
    assert.match(out, /STEP 2\/3/);
    assert.match(out, /==> amazon-ebs\.a: Provisioning with Ansible\.\.\./);
    assert.match(out, /Baked ami-0123456789abcdef0 in us-east-1\nBaked ami-0fedcba9876543210 in eu-west-1/);
    assert.deepStrictEqual([...new Set(h.progress.map((p) => p.phase))], ['engine', 'image', 'build', 'provisioning', 'cleanup']);
    assert.ok(h.progress.some((p) => p.message === 'Building image packer-bake:0.1.0: step 2/3'));
    assert.deepStrictEqual(h.engine.containers(), []);
  });

  it('does not build an image that exists, nor a configured one', async () => {
    const h = harness({ run: { stdout: [] } });
    assert.equal((await h.runner.run()).status, 'succeeded');
    assert.deepStrictEqual(h.engine.subcommands(), ['version', 'image inspect', 'image inspect', 'run', 'rm']);
    const h2 = harness({ run: { stdout: [] } }, { settings: { image: 'registry.example/team/packer:1.11' } });
    const r2 = await h2.runner.run();
    assert.equal(r2.image, 'registry.example/team/packer:1.11');
    assert.equal(r2.container, 'image');
    assert.deepStrictEqual(h2.engine.subcommands(), ['version', 'image inspect', 'image inspect', 'run', 'rm']);
    assert.ok(h2.engine.calls().find((c) => c.argv[0] === 'run' && !c.argv.includes('--entrypoint'))!.argv.includes('registry.example/team/packer:1.11'));
  });

  it('runs without --rm and removes the container itself on Podman\'s Docker API', async () => {
    const h = harness({ version: { stdout: ['4.3.1|Podman Engine,Conmon,OCI Runtime (runc),Engine,'] }, run: { exit: 1, stdout: ['1,,ui,error,boom'] } });
    const r = await h.runner.run();
    assert.equal(r.engine?.podmanApi, true);
    assert.equal(r.exitCode, 1);
    const calls = h.engine.calls();
    assert.deepStrictEqual(h.engine.subcommands(), ['version', 'image inspect', 'image inspect', 'run', 'rm']);
    assert.deepStrictEqual(calls.find((c) => c.argv[0] === 'run' && !c.argv.includes('--entrypoint'))!.argv.slice(0, 2), ['run', '--init']);
    assert.deepStrictEqual(calls[calls.length - 1].argv, ['rm', '-f', 'packer-bake-test-1']);
    assert.match(h.output(), /Engine: docker 4\.3\.1 \(Podman's Docker API\)/);
    assert.deepStrictEqual(h.engine.containers(), []);
  });

  it('explains an image build failure and does not run', async () => {
    const h = harness({
      'image inspect': { exit: 1 },
      build: { exit: 1, stdout: ['STEP 3/3: RUN apt-get update', 'E: Unable to locate package packer'] },
    });
    const r = await h.runner.run();
    assert.equal(r.status, 'failed');
    assert.equal(r.failure, 'Building the bake image packer-bake:0.1.0 failed: E: Unable to locate package packer. '
      + 'Set packerBake.bake.image to use an existing image instead.');
    assert.equal(r.failureKind, 'image');
    assert.deepStrictEqual(h.engine.subcommands(), ['version', 'image inspect', 'build']);
  });

  it('explains an engine that is not running', async () => {
    const h = harness({ version: { exit: 1, stderr: ['Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'] } });
    const r = await h.runner.run();
    assert.equal(r.status, 'failed');
    // One sentence: the engine's own "...running?" keeps its question mark, no stray full stop after it.
    assert.equal(r.failure, `${h.engine.path} is installed but not usable: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. `
      + 'Is the docker daemon running? Start Docker (or point DOCKER_HOST / `docker context use` at a running engine).');
    assert.equal(r.failureKind, 'engine');
    assert.deepStrictEqual(h.engine.subcommands(), ['version']);
  });

  it('explains an engine that is not installed', async () => {
    const h = harness({}, { settings: { enginePath: '/nonexistent/docker' } });
    const r = await h.runner.run();
    assert.equal(r.status, 'failed');
    assert.equal(r.failure, '/nonexistent/docker was not found at /nonexistent/docker');
  });

  it('turns Packer errors into host file locations', async () => {
    const h = harness({
      run: {
        exit: 1,
        stdout: ['1795548453,,ui,error,Error: Unsupported argument\\n\\n  on base.pkr.hcl line 3:\\n  (source code not available)\\n\\nAn argument named "bogus" is not expected here.\\n\\n'],
      },
    });
    const r = await h.runner.run();
    assert.equal(r.status, 'failed');
    assert.equal(r.failure, 'Packer reported errors (above)');
    const file = path.join(h.request.target, 'base.pkr.hcl');
    assert.deepStrictEqual(r.errors.map((e) => e.locations), [[{ file, line: 3 }]]);
    assert.ok(h.output().includes(`  at ${file}:3\n`));
  });

  it('explains an engine error starting the container', async () => {
    const h = harness({ run: { exit: 125, stderr: ['docker: Error response from daemon: invalid mount config for type "bind": bind source path does not exist: /x.'] } });
    const r = await h.runner.run();
    assert.equal(r.failure, 'the container engine could not run the container: docker: Error response from daemon: invalid mount config for type "bind": bind source path does not exist: /x.');
  });

  it('explains an image whose Packer has no init', async () => {
    const h = harness({ run: { exit: 127, stdout: ['Usage: packer [--version] [--help] <command> [<args>]', '', 'Available commands are:'] } },
      { request: { requiresInit: true } });
    const r = await h.runner.run();
    assert.match(r.failure!, /has no `packer init`.*set packerBake\.bake\.image/);
    assert.equal(h.progress[h.progress.length - 1].phase, 'init');
  });

  it('cancels with stop -t N then rm -f, lets Packer clean up, leaves no container', async () => {
    const h = harness({ run: { stdout: CANCEL_LINES, waitForStop: true, onStop: { stdout: AFTER_SIGTERM, exit: 1 } } });
    const running = h.runner.run();
    await until(h, (o) => o.includes('Running local shell script'));
    await h.runner.cancel();
    const r = await running;
    assert.equal(r.status, 'cancelled');
    assert.equal(r.exitCode, 1);
    assert.equal(r.cancelMessage, 'Cleanly cancelled builds after being interrupted.');
    const calls = h.engine.calls();
    assert.deepStrictEqual(calls.slice(-2).map((c) => c.argv), [['stop', '-t', '7', 'packer-bake-test-1'], ['rm', '-f', 'packer-bake-test-1']]);
    assert.deepStrictEqual(h.engine.containers(), []);
    assert.match(h.output(), /Bake cancelled \(exit code 1\)\.\n$/);
    assert.ok(h.progress.some((p) => p.phase === 'cleanup'));
  });

  it('cancels a run whose container did not exist yet when stop came', async () => {
    const h = harness({ run: { startAfterStops: 2, stdout: CANCEL_LINES, waitForStop: true, onStop: { stdout: AFTER_SIGTERM, exit: 1 } } });
    const running = h.runner.run();
    await until(h, (o) => o.includes('$ '));
    await h.runner.cancel();
    const r = await running;
    assert.equal(r.status, 'cancelled');
    assert.deepStrictEqual(h.engine.containers(), []);
    assert.ok(h.engine.subcommands().filter((s) => s === 'stop').length >= 2, h.engine.subcommands().join(' '));
  });

  it('cancels during the image build without starting a container', async () => {
    const h = harness({ 'image inspect': { exit: 1 }, build: { delayMs: 30_000 } });
    const running = h.runner.run();
    await until(h, (o) => o.includes('Building the bake image'));
    const t0 = Date.now();
    await h.runner.cancel();
    const r = await running;
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(r.status, 'cancelled');
    assert.ok(!h.engine.subcommands().includes('run'));
  });

  it('cancel is idempotent and a second run() is refused', async () => {
    const h = harness({ run: { stdout: CANCEL_LINES, waitForStop: true, onStop: { stdout: AFTER_SIGTERM, exit: 1 } } });
    const running = h.runner.run();
    await until(h, (o) => o.includes('Running local shell script'));
    await Promise.all([h.runner.cancel(), h.runner.cancel()]);
    await running;
    assert.equal(h.engine.subcommands().filter((s) => s === 'stop').length, 1);
    await assert.rejects(h.runner.run(), /called twice/);
  });

  describe('secrets (issue #9)', () => {
    it('masks a -var secret with a quote in the shown command: masked before quoted', async () => {
      const secret = `p@ss'w0rd-xyz`;
      const h = harness({ run: { stdout: [] } }, { request: { variables: { db_password: secret, region: 'eu-west-1' } } });
      const r = await h.runner.run();
      assert.equal(r.status, 'succeeded', h.output());
      for (const text of [r.command!, h.output()]) {
        assert.ok(!text.includes('w0rd-xyz'), text);
        assert.ok(text.includes("-var 'db_password=********'") || text.includes('-var db_password=********'), text);
        assert.ok(text.includes('-var region=eu-west-1'), text);
      }
    });

    it('masks Packer\'s cancel message', async () => {
      const secret = 'hunter2-secret-value';
      const h = harness({
        run: { stdout: CANCEL_LINES, waitForStop: true, onStop: { stdout: [`1,,ui,say,Cleanly cancelled builds after being interrupted. ${secret}`], exit: 1 } },
      }, { env: { AWS_SECRET_ACCESS_KEY: secret } });
      const running = h.runner.run();
      await until(h, (o) => o.includes('Running local shell script'));
      await h.runner.cancel();
      const r = await running;
      assert.equal(r.cancelMessage, 'Cleanly cancelled builds after being interrupted. ********');
    });

    it('masks a multi-line PKR_VAR_ secret that reaches the output one raw line at a time', async () => {
      const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA-line-one\nQyNTUxOQAAACBaaaa-line-two\n-----END OPENSSH PRIVATE KEY-----';
      const h = harness({ run: { exit: 1, stderr: key.split('\n').map((l) => `  ${l}`) } }, { env: { PKR_VAR_ssh_private_key: key } });
      const r = await h.runner.run();
      assert.equal(r.status, 'failed');
      for (const line of key.split('\n')) assert.ok(!h.output().includes(line), `${line} leaked:\n${h.output()}`);
      assert.ok(!JSON.stringify(r).includes('line-one'));
    });

    it('masks everything in the result: failure, errors, warnings, artifacts', async () => {
      const secret = 'hunter2-secret-value';
      const h = harness({
        run: { exit: 1, stdout: [`1,,ui,error,Error: bad token ${secret}`, `1,null,artifact,0,id,${secret}`, '1,null,artifact,0,end'], stderr: [`Error: ${secret}`] },
      }, { env: { AWS_SESSION_TOKEN: secret } });
      const r = await h.runner.run();
      assert.ok(!JSON.stringify(r).includes(secret), JSON.stringify(r));
      assert.ok(!h.output().includes(secret));
      assert.equal(h.runner.mask(`x ${secret} y`), 'x ******** y');
    });
  });

  describe('packer init and the toolchain', () => {
    const PROBED: FakeScript = {
      'image inspect': { stdout: ['sha256:1'] },
      'probe packer': { stdout: ['Packer v1.6.6'] },
      'probe ssh': { stderr: ['OpenSSH_9.2p1 Debian-2+deb12u3'] },
    };

    it('stops before running when the container\'s Packer is too old for required_plugins, saying what to do', async () => {
      const h = harness({ ...PROBED, run: { stdout: [] } }, { request: { requiresInit: true }, settings: { image: 'team/old-packer:1' } });
      const r = await h.runner.run();
      assert.equal(r.status, 'failed');
      assert.equal(r.failureKind, 'packer-too-old');
      assert.equal(r.failure, 'This configuration has required_plugins, which need `packer init` (Packer 1.7.0 and later), but the container\'s Packer is 1.6.6. '
        + 'Set packerBake.bake.image to an image with Packer 1.7 or newer, or use the bundled image (packerBake.bake.container: "bundled").');
      assert.ok(!h.engine.subcommands().includes('run'), h.engine.subcommands().join(' '));
    });

    it('shows the plugins packer init installs, then asks the container again for the plugin version', async () => {
      const cache = new Map<string, unknown>();
      const h = harness({
        'image inspect': { stdout: ['sha256:2'] },
        'probe packer': { stdout: ['Packer v1.11.2'] },
        run: { stdout: ['Installed plugin github.com/hashicorp/ansible v1.1.4 in "/packer-plugins/github.com/hashicorp/ansible/packer-plugin-ansible_v1.1.4_x5.0_linux_amd64"', ...AMI_RUN] },
      }, {
        request: { requiresInit: true },
        runner: { toolchainCache: { get: (k) => cache.get(k) as never, set: (k, v) => { cache.set(k, v); } } },
      });
      // The second `plugins installed` probe (after init) finds the plugin.
      const seen: unknown[] = [];
      h.runner.onToolchain((t) => {
        seen.push(t);
        if (seen.length === 1) fs.writeFileSync(path.join(h.engine.dir, 'script.json'), JSON.stringify({
          ...JSON.parse(fs.readFileSync(path.join(h.engine.dir, 'script.json'), 'utf8')),
          'probe packer': { stdout: ['/packer-plugins/github.com/hashicorp/ansible/packer-plugin-ansible_v1.1.4_x5.0_linux_amd64'] },
        }));
      });
      const r = await h.runner.run();
      assert.equal(r.status, 'succeeded', h.output());
      assert.deepStrictEqual(seen, [{ packer: '1.11.2' }, { packer: '1.11.2', ansiblePlugin: '1.1.4' }]);
      assert.deepStrictEqual(cache.get('sha256:2'), { packer: '1.11.2', ansiblePlugin: '1.1.4' });
      assert.ok(h.progress.some((p) => p.phase === 'init' && p.message === 'Installed plugin github.com/hashicorp/ansible v1.1.4'), JSON.stringify(h.progress));
    });

    it('explains a packer init that cannot reach the plugin\'s releases', async () => {
      const h = harness({
        'probe packer': { stdout: ['Packer v1.11.2'] },
        run: {
          exit: 1,
          stderr: [
            'Failed getting the "github.com/hashicorp/ansible" plugin:',
            '1 error occurred:',
            '\t* could not get releases: Get "https://api.releases.hashicorp.com/v1/releases/packer-plugin-ansible": dial tcp: lookup api.releases.hashicorp.com: no such host',
            '',
          ],
        },
      }, { request: { requiresInit: true } });
      const r = await h.runner.run();
      assert.equal(r.failureKind, 'init');
      assert.equal(r.failure, 'packer init could not install the plugin github.com/hashicorp/ansible: could not get releases: '
        + 'Get "https://api.releases.hashicorp.com/v1/releases/packer-plugin-ansible": dial tcp: lookup api.releases.hashicorp.com: no such host. '
        + 'The container must reach the plugin\'s releases (github.com, releases.hashicorp.com) to install it. '
        + 'Once installed, the plugin stays in the volume "packer-bake-plugins" and later bakes need no network for it.');
    });

    it('lets the preflight stop the bake once the versions are known', async () => {
      let asked: unknown;
      const h = harness({ ...PROBED, run: { stdout: [] } }, {
        runner: { preflight: async (t) => { asked = t; return '2 findings at error or above (--fail-on error)'; } },
      });
      const r = await h.runner.run();
      assert.deepStrictEqual(asked, { packer: '1.6.6', openssh: '9.2p1' });
      assert.equal(r.failureKind, 'preflight');
      assert.equal(r.failure, '2 findings at error or above (--fail-on error)');
      assert.ok(!h.engine.subcommands().includes('run'));
    });

    it('pulls a configured image the engine does not have, and says so when it cannot', async () => {
      const h = harness({ 'image inspect': { exit: 1 }, pull: { exit: 1, stderr: ['Trying to pull team/packer:9...', 'Error: pull access denied for team/packer'] } },
        { settings: { image: 'team/packer:9' } });
      const r = await h.runner.run();
      assert.equal(r.failureKind, 'image');
      assert.equal(r.failure, 'The image team/packer:9 (packerBake.bake.image) is not on this engine and could not be pulled: Error: pull access denied for team/packer');
      assert.deepStrictEqual(h.engine.subcommands(), ['version', 'image inspect', 'pull']);
    });

    it('refuses container "image" without an image, before any engine command but the probe', async () => {
      const h = harness({}, { settings: { container: 'image', image: '' } });
      const r = await h.runner.run();
      assert.equal(r.failureKind, 'image');
      assert.match(r.failure!, /packerBake\.bake\.image names no image/);
      assert.deepStrictEqual(h.engine.subcommands(), ['version']);
    });
  });
});
