// Baking in the workspace's dev container: the Dev Containers CLI's argv and
// answers (pure), and the whole flow against a fake CLI that runs the commands
// on this machine, in a real sh, with real signals (pid file, SIGTERM, cleanup).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BakeSetupError, type BakeRequest } from '../../client/src/bake/argv';
import {
  DEVCONTAINER_RUN_SCRIPT, devcontainerExecArgs, devcontainerPlan, devcontainerUpArgs, parseDevcontainerUp, tmpIsMounted,
} from '../../client/src/bake/devcontainer';
import { BakeRunner, type BakeProgress } from '../../client/src/bake/runner';
import { defaultBakeSettings, type BakeSettings } from '../../client/src/bake/settings';
import { FakeEngine } from './fakeEngine';

const FAKE_CLI = path.join(__dirname, 'fakeDevcontainer.cjs');
const FAKE_BIN = path.join(__dirname, 'fixtures', 'devcontainer-bin');

function request(partial: Partial<BakeRequest> = {}): BakeRequest {
  return { target: '/ws/packer/web', format: 'hcl', mountRoot: '/ws', only: [], varFiles: [], variables: {}, requiresInit: false, ...partial };
}

describe('bake in a dev container: commands', () => {
  it('puts every option before the command, which reaches the container untouched', () => {
    const t = { workspaceFolder: '/w s', config: '/w s/.devcontainer/bake.json', dockerPath: '/usr/bin/docker' };
    assert.deepStrictEqual(devcontainerUpArgs(t), ['up', '--workspace-folder', '/w s', '--config', '/w s/.devcontainer/bake.json', '--docker-path', '/usr/bin/docker']);
    assert.deepStrictEqual(devcontainerExecArgs({ workspaceFolder: '/ws' }, { A: '1', B: '%%h x' }, ['sh', '-c', 'echo "$1"', '--x']),
      ['exec', '--workspace-folder', '/ws', '--remote-env', 'A=1', '--remote-env', 'B=%%h x', 'sh', '-c', 'echo "$1"', '--x']);
  });

  it('reads up\'s result line among its logs', () => {
    const out = 'not json\n{"outcome":"success","containerId":"abc","remoteUser":"vscode","remoteWorkspaceFolder":"/workspaces/infra"}\n';
    assert.deepStrictEqual(parseDevcontainerUp(out), { outcome: 'success', containerId: 'abc', remoteUser: 'vscode', remoteWorkspaceFolder: '/workspaces/infra' });
    assert.deepStrictEqual(parseDevcontainerUp('{"outcome":"error","message":"Command failed: docker build"}'), { outcome: 'error', message: 'Command failed: docker build' });
    assert.equal(parseDevcontainerUp('{"x": 1}\n{broken'), undefined);
  });

  it('maps the working directory, the folder and the var files into the container\'s workspace folder', () => {
    const plan = devcontainerPlan(request({ cwd: '/ws', varFiles: ['/ws/packer/web/prod.pkrvars.hcl'], only: ['null.a'], requiresInit: true }),
      '/ws', '/workspaces/ws', '/tmp/pb.pid');
    assert.deepStrictEqual(plan, {
      command: ['sh', '-c', DEVCONTAINER_RUN_SCRIPT, 'packer-bake', '/tmp/pb.pid', '/workspaces/ws', '--init', 'packer/web',
        'build', '-machine-readable', '-only=null.a', '-var-file=packer/web/prod.pkrvars.hcl', 'packer/web'],
      containerCwd: '/workspaces/ws', targetArg: 'packer/web', mounts: [{ container: '/workspaces/ws', host: '/ws' }],
    });
    assert.throws(() => devcontainerPlan(request({ varFiles: ['/etc/secrets.pkrvars.hcl'] }), '/ws', '/workspaces/ws', '/tmp/p'),
      (e: Error) => e instanceof BakeSetupError && /The var file \/etc\/secrets\.pkrvars\.hcl is outside the workspace folder \/ws, the only folder the dev container sees/.test(e.message));
  });

  it('knows a /tmp that is a mount of its own', () => {
    assert.equal(tmpIsMounted('overlay / overlay rw 0 0\ntmpfs /tmp tmpfs rw,nosuid 0 0\n'), true);
    assert.equal(tmpIsMounted('overlay / overlay rw 0 0\ntmpfs /tmpx tmpfs rw 0 0\n'), false);
  });

  it('the run script records Packer\'s pid, runs init then execs the build with its arguments unchanged (real sh)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-dc-script-'));
    try {
      const pid = path.join(dir, 'p.pid');
      const hostile = ['a b', `q'"`, '$(id)', '-x'];
      const r = spawnSync('sh', ['-c', DEVCONTAINER_RUN_SCRIPT, 'packer-bake', pid, dir, '--init', hostile[0], 'build', ...hostile], {
        env: { ...process.env, PATH: `${FAKE_BIN}:${process.env.PATH}`, FAKE_DEVCONTAINER_DIR: dir }, encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      assert.deepStrictEqual(fs.readFileSync(path.join(dir, 'packer.log'), 'utf8').split('\n').slice(0, 3), [`init ${hostile[0]}`, `build ${hostile.join(' ')}`, `pwd=${dir} control_path=`]);
      assert.match(fs.readFileSync(pid, 'utf8'), /^\d+\n$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bake in a dev container (fake Dev Containers CLI)', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => { while (cleanups.length) cleanups.pop()!(); });

  function harness(settings: Partial<BakeSettings> = {}, req: Partial<BakeRequest> = {}, env: Record<string, string> = {}) {
    const engine = new FakeEngine({});
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-dc ws-'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-dc-calls-'));
    cleanups.push(() => { engine.dispose(); for (const d of [ws, dir]) fs.rmSync(d, { recursive: true, force: true }); });
    fs.mkdirSync(path.join(ws, 'packer', 'web'), { recursive: true });
    const name = `packer-bake-dctest-${process.pid}-${Date.now().toString(36)}`;
    const runner = new BakeRunner({
      request: request({ target: path.join(ws, 'packer', 'web'), mountRoot: ws, ...req }),
      settings: { ...defaultBakeSettings, container: 'devcontainer', enginePath: engine.path, devcontainerPath: FAKE_CLI, stopTimeoutSeconds: 10, ...settings },
      extensionVersion: '0.1.0',
      dockerfile: '/nonexistent/Dockerfile',
      devcontainer: { workspaceFolder: ws },
      env: { ...engine.env(env), PATH: `${FAKE_BIN}:${process.env.PATH}`, FAKE_DEVCONTAINER_DIR: dir },
      color: false,
      containerName: name,
      runExitGraceMs: 300,
    });
    let out = '';
    const progress: BakeProgress[] = [];
    runner.onOutput((t) => { out += t; });
    runner.onProgress((p) => progress.push(p));
    const calls = () => fs.readFileSync(path.join(dir, 'calls.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { argv: string[] }).argv);
    const packerLog = () => (fs.existsSync(path.join(dir, 'packer.log')) ? fs.readFileSync(path.join(dir, 'packer.log'), 'utf8') : '');
    return { runner, ws, dir, name, engine, output: () => out, progress, calls, packerLog };
  }

  it('starts the dev container, asks it for its versions, runs Packer in it, cleans up its pid file', async () => {
    const h = harness({}, { requiresInit: true });
    const seen: unknown[] = [];
    h.runner.onToolchain((t) => seen.push(t));
    const r = await h.runner.run();
    assert.equal(r.status, 'succeeded', h.output());
    assert.equal(r.container, 'devcontainer');
    assert.equal(r.image, 'dev container f4ce01234567');
    assert.deepStrictEqual(r.artifacts.map((a) => [a.target, a.id]), [['null.a', 'Null']]);
    const calls = h.calls();
    assert.deepStrictEqual(calls[0], ['up', '--workspace-folder', h.ws, '--docker-path', h.engine.path]);
    const run = calls.find((c) => c.includes('build'))!;
    assert.deepStrictEqual(run.slice(0, 9), ['exec', '--workspace-folder', h.ws, '--docker-path', h.engine.path,
      '--remote-env', 'ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r', '--remote-env', 'CHECKPOINT_DISABLE=1']);
    assert.match(h.packerLog(), new RegExp(`^init \\.$\\nbuild -machine-readable \\.$\\npwd=${h.ws.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/packer/web control_path=/tmp/ansible-ssh-%%h-%%p-%%r$`, 'm'));
    assert.ok(h.progress.some((p) => p.phase === 'init' && /Installed plugin github\.com\/hashicorp\/ansible v1\.1\.4/.test(p.message)));
    assert.equal((seen[0] as { packer?: string }).packer, '1.11.2');
    assert.ok(!fs.existsSync(`/tmp/${h.name}.pid`), 'the pid file is removed');
    // The runner's own /tmp check ran in the container.
    assert.ok(calls.some((c) => c.slice(-2).join(' ') === 'cat /proc/mounts'));
  });

  it('cancels: SIGTERM to Packer in the container, Packer cleans up, exit code Packer\'s, pid file gone', async () => {
    const h = harness({}, {}, { FAKE_PACKER_WAIT: '1' });
    const running = h.runner.run();
    const end = Date.now() + 30_000;
    while (!/Running local shell script/.test(h.output())) {
      if (Date.now() > end) throw new Error(`never ran:\n${h.output()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const t0 = Date.now();
    await h.runner.cancel();
    const r = await running;
    assert.equal(r.status, 'cancelled', h.output());
    assert.equal(r.exitCode, 1);
    assert.equal(r.cancelMessage, 'Cleanly cancelled builds after being interrupted.');
    assert.ok(Date.now() - t0 < 10_000, 'SIGTERM, not the timeout, ended Packer');
    assert.match(h.output(), /Cancelling: SIGTERM to Packer in the dev container, SIGKILL after 10 s/);
    assert.ok(h.calls().some((c) => c.includes('TERM')));
    assert.ok(!h.calls().some((c) => c.includes('KILL')));
    assert.ok(!fs.existsSync(`/tmp/${h.name}.pid`));
  });

  it('explains a missing Dev Containers CLI and a dev container that does not start', async () => {
    const missing = harness({ devcontainerPath: '' });
    const r1 = await new BakeRunner({
      request: request({ target: path.join(missing.ws, 'packer', 'web'), mountRoot: missing.ws }),
      settings: { ...defaultBakeSettings, container: 'devcontainer', enginePath: missing.engine.path },
      extensionVersion: '0.1.0', dockerfile: '/x', devcontainer: { workspaceFolder: missing.ws },
      env: { ...missing.engine.env(), PATH: path.dirname(process.execPath) }, color: false,
    }).run();
    assert.equal(r1.failureKind, 'devcontainer');
    assert.match(r1.failure!, /^The Dev Containers CLI \(devcontainer\) is not installed: install it with `npm install -g @devcontainers\/cli`/);

    const broken = harness();
    fs.writeFileSync(path.join(broken.dir, 'up.json'), JSON.stringify({
      stderr: ['[12 ms] Start: Run: docker build -f /ws/.devcontainer/Dockerfile'],
      stdout: ['{"outcome":"error","message":"Command failed: docker build -f /ws/.devcontainer/Dockerfile","description":"An error occurred building the image."}'],
      exit: 1,
    }));
    const r2 = await broken.runner.run();
    assert.equal(r2.failureKind, 'devcontainer');
    assert.equal(r2.failure, `The dev container of ${broken.ws} did not start (devcontainer up): Command failed: docker build -f /ws/.devcontainer/Dockerfile`);
    assert.match(broken.output(), /Start: Run: docker build/);
  });

  it('warns when the dev container\'s /tmp is not a mount of its own', async () => {
    const h = harness();
    // The fake runs on this machine: make `cat /proc/mounts` answer without a /tmp mount.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-dc-bin-'));
    cleanups.push(() => fs.rmSync(bin, { recursive: true, force: true }));
    fs.writeFileSync(path.join(bin, 'cat'), '#!/bin/sh\n[ "$1" = /proc/mounts ] && { echo "overlay / overlay rw 0 0"; exit 0; }\nexec /bin/cat "$@"\n', { mode: 0o755 });
    const r = await new BakeRunner({
      request: request({ target: path.join(h.ws, 'packer', 'web'), mountRoot: h.ws }),
      settings: { ...defaultBakeSettings, container: 'devcontainer', enginePath: h.engine.path, devcontainerPath: FAKE_CLI },
      extensionVersion: '0.1.0', dockerfile: '/x', devcontainer: { workspaceFolder: h.ws },
      env: { ...h.engine.env(), PATH: `${bin}:${FAKE_BIN}:${process.env.PATH}`, FAKE_DEVCONTAINER_DIR: h.dir }, color: false,
    }).run();
    assert.equal(r.status, 'succeeded');
    assert.deepStrictEqual(r.warnings, ['/tmp in the dev container is not a mount of its own (no tmpfs, no bind mount): Ansible\'s SSH control socket may fail there. '
      + 'Add "runArgs": ["--tmpfs", "/tmp:rw,exec"] to devcontainer.json and rebuild the container.']);
  });
});
