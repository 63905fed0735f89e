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
    template: path.join(ws, 'images', 'base.pkr.hcl'), mountRoot: ws, format: 'hcl', only: [], varFiles: [], variables: {}, requiresInit: false,
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
      run: { stdout: AMI_RUN },
    };
    for (const round of [1, 2]) {
      const h = harness(script, { runner: { toolchainCache } });
      const seen: unknown[] = [];
      h.runner.onToolchain((t) => seen.push(t));
      const result = await h.runner.run();
      assert.equal(result.status, 'succeeded', h.output());
      assert.deepStrictEqual(seen, [{ packer: '1.6.6', openssh: '9.2p1' }]);
      const subs = h.engine.subcommands();
      const probes = h.engine.calls().filter((c) => c.argv.includes('--entrypoint')).length;
      assert.equal(probes, round === 1 ? 3 : 0, `round ${round}: ${subs.join(', ')}`);
      assert.match(h.output(), /Toolchain in packer-bake:0\.1\.0: packer 1\.6\.6, openssh 9\.2p1/);
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
    assert.deepStrictEqual(h.engine.subcommands(), ['version', 'image inspect', 'build', 'run', 'rm']);
    const calls = h.engine.calls();
    assert.deepStrictEqual(calls[2].argv, ['build', '-t', 'packer-bake:0.1.0', '-f', DOCKERFILE, path.dirname(DOCKERFILE)]);
    const expected = buildRunArgs({
      request: h.request, settings: { ...defaultBakeSettings, enginePath: h.engine.path, stopTimeoutSeconds: 7 }, image: 'packer-bake:0.1.0',
      containerName: 'packer-bake-test-1', env: { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: 'x' }, homeDir: '/nowhere', awsDirExists: false,
    });
    assert.deepStrictEqual(calls[3].argv, expected.args);
    assert.ok(calls[3].argv.includes(`ANSIBLE_SSH_CONTROL_PATH=${INJECTED_CONTROL_PATH}`));
    // The engine got the secret through its environment, never through argv.
    assert.equal(calls[3].env.AWS_SECRET_ACCESS_KEY, secret);
    for (const c of calls) assert.ok(!c.argv.some((a) => a.includes(secret)));
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
    assert.deepStrictEqual(h.engine.subcommands(), ['version', 'image inspect', 'run', 'rm']);
    const h2 = harness({ run: { stdout: [] } }, { settings: { image: 'registry.example/team/packer:1.11' } });
    const r2 = await h2.runner.run();
    assert.equal(r2.image, 'registry.example/team/packer:1.11');
    assert.deepStrictEqual(h2.engine.subcommands(), ['version', 'run', 'rm']);
    assert.ok(h2.engine.calls()[1].argv.includes('registry.example/team/packer:1.11'));
  });

  it('runs without --rm and removes the container itself on Podman\'s Docker API', async () => {
    const h = harness({ version: { stdout: ['4.3.1|Podman Engine,Conmon,OCI Runtime (runc),Engine,'] }, run: { exit: 1, stdout: ['1,,ui,error,boom'] } });
    const r = await h.runner.run();
    assert.equal(r.engine?.podmanApi, true);
    assert.equal(r.exitCode, 1);
    const calls = h.engine.calls();
    assert.deepStrictEqual(calls.map((c) => c.argv.slice(0, 2)), [['version', '--format'], ['image', 'inspect'], ['run', '--init'], ['rm', '-f']]);
    assert.deepStrictEqual(calls[3].argv, ['rm', '-f', 'packer-bake-test-1']);
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
    assert.deepStrictEqual(h.engine.subcommands(), ['version', 'image inspect', 'build']);
  });

  it('explains an engine that is not running', async () => {
    const h = harness({ version: { exit: 1, stderr: ['Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'] } });
    const r = await h.runner.run();
    assert.equal(r.status, 'failed');
    assert.match(r.failure!, /is installed but not usable: Cannot connect to the Docker daemon .*Start Docker/);
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
    assert.deepStrictEqual(r.errors.map((e) => e.locations), [[{ file: h.request.template, line: 3 }]]);
    assert.ok(h.output().includes(`  at ${h.request.template}:3\n`));
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
    const h = harness({ run: { startDelayMs: 600, stdout: CANCEL_LINES, waitForStop: true, onStop: { stdout: AFTER_SIGTERM, exit: 1 } } });
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
});
