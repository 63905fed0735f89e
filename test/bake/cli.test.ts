// `packer-bake bake` (the bundled CLI, dist/cli.js) against the fake engine:
// the same runner headless, the preflight and --fail-on, exit codes, signals.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hcl, legacy } from '../support/templates';
import { FakeEngine, type FakeScript } from './fakeEngine';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const FIXED = 'ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r"]';
const AMI_RUN = [
  '1700000001,,ui,say,==> amazon-ebs.web: Provisioning with Ansible...',
  '1700000002,,ui,message,    amazon-ebs.web: ok: [default] token=hunter2-secret-value',
  '1700000004,amazon-ebs.web,artifact-count,1',
  '1700000004,amazon-ebs.web,artifact,0,builder-id,mitchellh.amazonebs',
  '1700000004,amazon-ebs.web,artifact,0,id,us-east-1:ami-0123456789abcdef0',
  '1700000004,amazon-ebs.web,artifact,0,end',
];

describe('packer-bake bake (the bundled CLI, fake engine)', () => {
  let ws: string;
  let engine: FakeEngine;

  before(() => assert.ok(fs.existsSync(CLI), 'run `npm run build` first'));
  afterEach(() => {
    engine?.dispose();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  function setup(script: FakeScript, files: Record<string, string>): void {
    engine = new FakeEngine(script);
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-cli bake-'));
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(ws, name)), { recursive: true });
      fs.writeFileSync(path.join(ws, name), text);
    }
  }

  function bake(args: string[], env: Record<string, string> = {}) {
    const r = spawnSync(process.execPath, [CLI, 'bake', '--engine-path', engine.path, ...args], { cwd: ws, env: engine.env(env), encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  const run = () => engine.calls().find((c) => c.argv[0] === 'run' && !c.argv.includes('--entrypoint'));

  it('bakes an HCL2 folder beside its variables.pkr.hcl: packer build on the folder, preflight first, AMI at the end, secrets masked', () => {
    setup({ run: { stdout: AMI_RUN } }, {
      'images/web/web.pkr.hcl': hcl(FIXED),
      'images/web/variables.pkr.hcl': 'variable "region" {\n  type = string\n}\n',
      'images/web/prod.pkrvars.hcl': 'region = "us-east-1"\n',
    });
    const r = bake(['images/web/web.pkr.hcl', '--only', 'null.x', '--var-file', 'images/web/prod.pkrvars.hcl', '--var', 'db_password=s3cr3t-pw'],
      { AWS_SECRET_ACCESS_KEY: 'hunter2-secret-value' });
    assert.equal(r.code, 0, r.out + r.err);
    const argv = run()!.argv;
    assert.equal(argv[argv.indexOf('-w') + 1], '/workspace/images/web');
    assert.ok(argv.includes(`${ws}:/workspace`));
    assert.deepStrictEqual(argv.slice(argv.indexOf('packer') + 1),
      ['build', '-machine-readable', '-only=null.x', '-var-file=prod.pkrvars.hcl', '-var', 'db_password=s3cr3t-pw', '.']);
    assert.match(r.out, /^packer-bake: checked with [^\n]*:\npacker-bake: no problems found\n/m);
    assert.match(r.out, /==> amazon-ebs\.web: Provisioning with Ansible\.\.\./);
    assert.match(r.out, /\nBaked ami-0123456789abcdef0 in us-east-1\n$/);
    assert.ok(!r.out.includes('hunter2-secret-value') && !r.out.includes('s3cr3t-pw'), r.out);
    assert.match(r.out, /token=\*{8}/);
    assert.ok(!/\u001b\[/.test(r.out), 'no colours when stdout is not a terminal');
    assert.deepStrictEqual(engine.containers(), []);
  });

  it('exits with Packer\'s exit code', () => {
    setup({ run: { exit: 3, stdout: ['1,,ui,error,Build \'null.x\' errored: boom'] } }, { 't.json': legacy({ ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%%h-%%p'] }) });
    const r = bake(['t.json']);
    assert.equal(r.code, 3, r.out + r.err);
    assert.deepStrictEqual(run()!.argv.slice(-3), ['build', '-machine-readable', 't.json']);
    assert.match(r.out, /Bake failed \(exit code 3\): Packer reported errors \(above\)\n$/);
  });

  it('stops before Packer on findings at --fail-on or above, and bakes with --fail-on none', () => {
    setup({ run: { stdout: [] } }, { 'p/t.pkr.hcl': hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%h"]') });
    const stopped = bake(['p']);
    assert.equal(stopped.code, 1, stopped.out + stopped.err);
    assert.match(stopped.out, /p\/t\.pkr\.hcl:\d+:\d+: error control-path-unescaped-percent: /);
    assert.match(stopped.out, /Bake failed: 1 finding at error or above \(--fail-on error\): fix them first \(`packer-bake lint --fix`\), or bake anyway with --fail-on none\n$/);
    assert.equal(run(), undefined);
    const warned = bake(['p', '--rule', 'control-path-unescaped-percent=warning']);
    assert.equal(warned.code, 0, warned.out);
    const anyway = bake(['p', '--fail-on', 'none']);
    assert.equal(anyway.code, 0, anyway.out);
  });

  it('says what is wrong with its arguments (exit 2)', () => {
    setup({}, { 'p/t.pkr.hcl': hcl(FIXED), 'notes.txt': 'x', 'empty/readme.md': 'x', 'pkg.json': '{"name": "x"}' });
    for (const [args, message] of [
      [[], /which template or folder\?/],
      [['p', 'q'], /one template or folder, not 2/],
      [['nope'], /no such file or folder: .*nope/],
      [['notes.txt'], /neither an HCL2 folder/],
      [['empty'], /holds no HCL2 template/],
      [['pkg.json'], /is not a legacy JSON Packer template/],
      [['p', '--fail-on', 'loud'], /--fail-on must be error, warning, info, hint or none/],
      [['p', '--var', 'novalue'], /--var novalue: expected <name>=<value>/],
      [['p', '--stop-timeout', '99999999'], /--stop-timeout is above the maximum of 3600 seconds/],
      [['p', '--engine', 'lxc'], /--engine must be one of auto, docker, podman/],
      [['p', '--image', 'x', '--devcontainer'], /exclude each other/],
      [['p', '--var-file', 'missing.pkrvars.hcl'], /no such var file: missing\.pkrvars\.hcl/],
    ] as Array<[string[], RegExp]>) {
      const r = bake(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, message, args.join(' '));
    }
    assert.deepStrictEqual(engine.calls(), []);
  });

  it('cancels on SIGTERM: Packer is stopped gracefully, no container left, exit code Packer\'s', async () => {
    setup({
      run: {
        stdout: ['1795548567,,ui,say,==> null.x: Running local shell script: /tmp/packer-shell1'], waitForStop: true,
        onStop: { stdout: ['1795548569,,ui,say,Cleanly cancelled builds after being interrupted.'], exit: 1 },
      },
    }, { 'p/t.pkr.hcl': hcl(FIXED) });
    const child = spawn(process.execPath, [CLI, 'bake', '--engine-path', engine.path, '--stop-timeout', '9', 'p'], { cwd: ws, env: engine.env() });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    const code = new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    const end = Date.now() + 60_000;
    while (!out.includes('Running local shell script')) {
      if (Date.now() > end) throw new Error(`never ran:\n${out}${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGTERM');
    assert.equal(await code, 1, out + err);
    assert.match(err, /SIGTERM: cancelling \(Packer gets 9 s to clean up\)/);
    assert.match(out, /Cleanly cancelled builds after being interrupted\.\n[^]*Bake cancelled \(exit code 1\)\.\n$/);
    assert.deepStrictEqual(engine.calls().slice(-2).map((c) => c.argv.slice(0, 3)), [['stop', '-t', '9'], ['rm', '-f', engine.calls().slice(-1)[0].argv[2]]]);
    assert.deepStrictEqual(engine.containers(), []);
  });
});
