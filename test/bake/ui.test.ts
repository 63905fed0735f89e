// The VS Code side of the bake (command, task, pseudoterminal, notifications)
// against a stand-in `vscode` module, a fake language client and the fake engine.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TemplateInfo, TemplateSummary } from '../../server/src/shared/protocol';
import { FakeEngine, type FakeScript } from './fakeEngine';
import { installVscodeStub, stub, Uri, type Pseudoterminal, type Task } from './vscodeStub';

installVscodeStub();
// Loaded after the stub so their `import * as vscode` gets it.
/* eslint-disable @typescript-eslint/no-require-imports */
const bake = require('../../client/src/bake') as typeof import('../../client/src/bake');
const command = require('../../client/src/bake/command') as typeof import('../../client/src/bake/command');
const { createBakeTask, MIN_FAILED_TERMINAL_MS } = require('../../client/src/bake/task') as typeof import('../../client/src/bake/task');
/* eslint-enable @typescript-eslint/no-require-imports */
import type { BakeServices } from '../../client/src/bake/task';

const ROOT = path.resolve(__dirname, '..', '..');
const AMI_RUN = [
  '1700000001,,ui,say,==> amazon-ebs.a: Provisioning with Ansible...',
  '1700000004,amazon-ebs.a,artifact-count,1',
  '1700000004,amazon-ebs.a,artifact,0,builder-id,mitchellh.amazonebs',
  '1700000004,amazon-ebs.a,artifact,0,id,us-east-1:ami-0123456789abcdef0',
  '1700000004,amazon-ebs.a,artifact,0,end',
];

interface Fixture {
  ws: string;
  template: string;
  info: TemplateInfo;
  requests: Array<{ method: string; params: unknown }>;
  services: BakeServices;
  state: Map<string, unknown>;
}

function controlPathMissing(): TemplateInfo['diagnostics'][number] {
  return { range: { start: { line: 6, character: 4 }, end: { line: 6, character: 20 } }, message: 'The control socket goes to ~/.ansible/cp', source: 'packer-bake', code: 'control-path-missing', severity: 2 };
}

function fixture(info: Partial<TemplateInfo> = {}): Fixture {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-ui ws-'));
  fs.mkdirSync(path.join(ws, 'images'));
  const template = path.join(ws, 'images', 'base.pkr.hcl');
  fs.writeFileSync(template, 'source "null" "a" { communicator = "none" }\n');
  fs.writeFileSync(path.join(ws, 'images', 'prod.pkrvars.hcl'), 'x = 1\n');
  fs.writeFileSync(path.join(ws, 'images', 'dev.pkrvars.hcl'), 'x = 2\n');
  stub.reset();
  stub.folders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
  const full: TemplateInfo = {
    uri: Uri.file(template).toString(), format: 'hcl', builds: ['null.a', 'null.b'], requiresInit: false, diagnostics: [],
    workingDirectory: path.dirname(template), workingDirectoryReason: 'the template\'s folder', ...info,
  };
  const requests: Fixture['requests'] = [];
  const state = new Map<string, unknown>();
  const globalState = new Map<string, unknown>();
  const client = {
    async sendRequest(type: { method: string }, params: unknown): Promise<never> {
      requests.push({ method: type.method, params });
      const answers: Record<string, unknown> = {
        'packerBake/templateInfo': (params as { uri: string }).uri === full.uri ? full : null,
        'packerBake/listTemplates': [full as TemplateSummary],
        'packerBake/fixAll': { applied: 1 },
      };
      return answers[type.method] as never;
    },
    async sendNotification(type: { method: string }, params: unknown): Promise<void> {
      requests.push({ method: type.method, params });
    },
  };
  const context = {
    subscriptions: [] as unknown[],
    extension: { packageJSON: { version: '0.1.0' } },
    asAbsolutePath: (p: string) => path.join(ROOT, p),
    workspaceState: { get: <T>(k: string, d: T) => (state.has(k) ? state.get(k) as T : d), update: async (k: string, v: unknown) => { state.set(k, v); } },
    globalState: { get: <T>(k: string, d: T) => (globalState.has(k) ? globalState.get(k) as T : d), update: async (k: string, v: unknown) => { globalState.set(k, v); } },
  };
  const services = {
    context, client, running: new Set(),
    output: { appendLine: (s: string) => stub.output.push(s), show: () => {} },
    diagnostics: { set: (u: Uri, d: never[]) => stub.diagnostics.set(u.fsPath, d), clear: () => stub.diagnostics.clear() },
  } as unknown as BakeServices;
  return { ws, template, info: full, requests, services, state };
}

/** A scp-sftp-mismatch diagnostic as the server sends it, with the versions its rule assumed. */
function scpFinding(toolchain: Record<string, string>): TemplateInfo['diagnostics'][number] {
  return { ...controlPathMissing(), code: 'scp-sftp-mismatch', message: 'scp speaks SFTP', data: { toolchain } };
}

const pick = (...labels: string[]) => (items: Array<{ label: string }>) => items.filter((i) => labels.includes(i.label));

async function runTask(task: Task, onOpen?: (pty: Pseudoterminal) => void): Promise<{ code: number; text: string }> {
  const pty = await task.execution.callback(task.definition);
  let text = '';
  pty.onDidWrite((s) => { text += s; });
  const code = await new Promise<number>((resolve) => {
    pty.onDidClose!((c) => resolve(c));
    pty.open(undefined);
    onOpen?.(pty);
  });
  return { code, text };
}

async function waitFor(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('bake in VS Code (stub vscode, fake engine)', () => {
  const cleanups: Array<() => void> = [];
  const savedEnv = process.env.FAKE_ENGINE_DIR;
  afterEach(() => {
    while (cleanups.length) cleanups.pop()!();
    if (savedEnv === undefined) delete process.env.FAKE_ENGINE_DIR; else process.env.FAKE_ENGINE_DIR = savedEnv;
  });

  function engine(script: FakeScript, settings: Record<string, unknown> = {}): FakeEngine {
    const e = new FakeEngine(script);
    cleanups.push(() => e.dispose());
    process.env.FAKE_ENGINE_DIR = e.dir;
    stub.settings = { 'packerBake.bake.enginePath': e.path, 'packerBake.bake.image': 'packer-bake:test', 'packerBake.bake.stopTimeoutSeconds': 5, ...settings };
    return e;
  }

  /** An engine whose image has Packer 1.6.6 and OpenSSH 9.2p1 and whose bake produces an AMI. */
  function bakingEngine(imageId: string): FakeEngine {
    return engine({
      'image inspect': { stdout: [`sha256:${imageId}`] }, 'probe packer': { stdout: ['Packer v1.6.6'] }, 'probe ssh': { stderr: ['OpenSSH_9.2p1 Debian-2'] },
      run: { stdout: AMI_RUN },
    });
  }

  it('registers the command, the task provider and the template-paths context key', async () => {
    const f = fixture();
    cleanups.push(() => fs.rmSync(f.ws, { recursive: true, force: true }));
    const context = f.services.context as unknown as { subscriptions: Array<{ dispose(): void }> };
    bake.registerBake(f.services.context, f.services.client);
    assert.ok(stub.calls.some((c) => c.kind === 'registerCommand' && c.args[0] === 'packerBake.bakeAmi'));
    const provider = stub.calls.find((c) => c.kind === 'taskProvider')!;
    assert.equal(provider.args[0], 'packer-bake');
    const p = provider.args[1] as { provideTasks(): Promise<Task[]>; resolveTask(t: unknown): Task | undefined };
    const provided = await p.provideTasks();
    assert.deepStrictEqual(provided.map((t) => [t.name, t.definition]), [['bake images', { type: 'packer-bake', template: 'images' }]]);
    assert.equal(p.resolveTask({ definition: { type: 'packer-bake' }, scope: stub.folders[0] }), undefined);
    assert.equal(p.resolveTask({ definition: { type: 'packer-bake', template: 'x.json', only: ['a'] }, scope: stub.folders[0] })!.name, 'bake x.json (a)');
    // No engine was probed at activation: no request but the template list, later.
    await waitFor(() => bake.TEMPLATE_PATHS_KEY in stub.contexts, 'the context key', 5000);
    assert.deepStrictEqual(stub.contexts[bake.TEMPLATE_PATHS_KEY], { [path.dirname(f.template)]: true, [f.template]: true });
    for (const s of context.subscriptions) s.dispose();
  });

  it('asks for builds and var files, offers the fix, remembers the choice, and runs the task', async () => {
    const f = fixture({ diagnostics: [controlPathMissing()] });
    cleanups.push(() => fs.rmSync(f.ws, { recursive: true, force: true }));
    stub.quickPicks = [pick('null.a'), pick('prod.pkrvars.hcl')];
    stub.messageAnswers = ['Fix and bake'];
    await command.bakeAmi(f.services, Uri.file(f.template));

    const picks = stub.calls.filter((c) => c.kind === 'quickPick').map((c) => c.args[0]);
    assert.deepStrictEqual(picks, [
      [{ label: 'null.a', picked: true }, { label: 'null.b', picked: true }],
      [{ label: 'dev.pkrvars.hcl', picked: false }, { label: 'prod.pkrvars.hcl', picked: false }],
    ]);
    const modal = stub.calls.find((c) => c.kind === 'warning')!;
    assert.equal(modal.args[0], 'images/ has 1 Ansible SSH problem that can break the build in a container.');
    assert.deepStrictEqual(modal.args.slice(1), [{
      modal: true,
      detail: '• line 7: The control socket goes to ~/.ansible/cp (control-path-missing)\n\nBake AMI checks for control-path-missing, control-path-unescaped-percent, '
        + 'control-path-too-long, control-path-unsafe-dir, ssh-args-doubled-percent, and, for the versions that will run the build, proxy-host-key-rejected, scp-sftp-mismatch.',
    }, 'Fix and bake', 'Bake anyway']);
    assert.deepStrictEqual(f.requests.map((r) => r.method), ['packerBake/listTemplates', 'packerBake/templateInfo', 'packerBake/fixAll']);
    assert.deepStrictEqual(f.requests[2].params, { uri: f.info.uri });
    assert.equal(stub.executedTasks.length, 1);
    assert.deepStrictEqual(stub.executedTasks[0].definition, { type: 'packer-bake', template: 'images', only: ['null.a'], varFiles: ['prod.pkrvars.hcl'] });
    assert.equal(stub.executedTasks[0].source, 'packer-bake');

    // The next bake of the same template starts from the last choice.
    stub.calls = [];
    stub.quickPicks = [(items) => items.filter((i) => i.picked), (items) => items.filter((i) => i.picked)];
    stub.messageAnswers = ['Bake anyway'];
    await command.bakeAmi(f.services, Uri.file(f.template));
    assert.deepStrictEqual(stub.calls.filter((c) => c.kind === 'quickPick').map((c) => c.args[0]), [
      [{ label: 'null.a', picked: true }, { label: 'null.b', picked: false }],
      [{ label: 'dev.pkrvars.hcl', picked: false }, { label: 'prod.pkrvars.hcl', picked: true }],
    ]);
    assert.deepStrictEqual(stub.executedTasks[1].definition, stub.executedTasks[0].definition);
  });

  it('stops when the user cancels the preflight or backs out of a pick', async () => {
    const f = fixture({ diagnostics: [controlPathMissing()] });
    cleanups.push(() => fs.rmSync(f.ws, { recursive: true, force: true }));
    stub.quickPicks = [pick('null.a', 'null.b'), pick()];
    stub.messageAnswers = [undefined];
    await command.bakeAmi(f.services, Uri.file(f.template));
    stub.quickPicks = [() => undefined];
    await command.bakeAmi(f.services, Uri.file(f.template));
    assert.equal(stub.executedTasks.length, 0);
    assert.ok(!f.requests.some((r) => r.method === 'packerBake/fixAll'));
  });

  it('uses the active template, else offers the workspace\'s; refuses in an untrusted workspace', async () => {
    const f = fixture({ builds: ['null.a'] });
    cleanups.push(() => fs.rmSync(f.ws, { recursive: true, force: true }));
    stub.activeUri = Uri.file(path.join(f.ws, 'README.md'));
    stub.quickPicks = [pick('dev.pkrvars.hcl')];
    await command.bakeAmi(f.services);
    assert.deepStrictEqual(f.requests.map((r) => r.method), ['packerBake/listTemplates', 'packerBake/templateInfo']);
    assert.deepStrictEqual(stub.executedTasks[0].definition, { type: 'packer-bake', template: 'images', varFiles: ['dev.pkrvars.hcl'] });

    // Restricted Mode: the command is there, and says why it does not bake, with the way to trust.
    stub.trusted = false;
    f.requests.length = 0;
    stub.messageAnswers = ['Manage Workspace Trust'];
    await command.bakeAmi(f.services, Uri.file(f.template));
    assert.deepStrictEqual(f.requests, []);
    assert.deepStrictEqual(stub.calls.find((c) => c.kind === 'error')!.args, [command.UNTRUSTED_MESSAGE, 'Manage Workspace Trust']);
    await waitFor(() => stub.calls.some((c) => c.kind === 'executeCommand'), 'the trust editor');
    assert.deepStrictEqual(stub.calls.find((c) => c.kind === 'executeCommand')!.args, ['workbench.trust.manage']);
  });

  it('runs the task in a pseudoterminal: output, progress, AMI notification, Copy AMI ID, output channel', async () => {
    const f = fixture();
    cleanups.push(() => fs.rmSync(f.ws, { recursive: true, force: true }));
    const e = engine({ run: { stdout: AMI_RUN } });
    const task = createBakeTask({ type: 'packer-bake', template: 'images/base.pkr.hcl', varFiles: ['prod.pkrvars.hcl'] },
      stub.folders[0] as never, f.services) as unknown as Task;
    stub.messageAnswers = ['Copy AMI ID'];
    const { code, text } = await runTask(task);
    assert.equal(code, 0, text);
    assert.ok(!/[^\r]\n/.test(text), 'every newline is \\r\\n in the terminal');
    assert.match(text, /\$ .*fakeEngine\.cjs run --rm --init/);
    assert.match(text, /Baked ami-0123456789abcdef0 in us-east-1/);
    const run = e.calls().find((c) => c.argv[0] === 'run' && !c.argv.includes('--entrypoint'))!;
    assert.ok(run.argv.includes(`${f.ws}:/workspace`));
    assert.ok(run.argv.includes('-var-file=prod.pkrvars.hcl'));
    assert.ok(run.argv.includes('packer-bake:test'));
    // An HCL2 configuration is its folder: Packer builds `.` in it, never one file.
    assert.equal(run.argv[run.argv.length - 1], '.');
    assert.equal(run.argv[run.argv.indexOf('-w') + 1], '/workspace/images');
    assert.deepStrictEqual(stub.progress.slice(-1), ['Provisioning: amazon-ebs.a: Provisioning with Ansible...']);
    await waitFor(() => stub.clipboard !== '', 'the clipboard');
    assert.equal(stub.clipboard, 'ami-0123456789abcdef0');
    assert.deepStrictEqual(stub.calls.filter((c) => c.kind === 'info').map((c) => c.args), [['Baked ami-0123456789abcdef0 in us-east-1', 'Copy AMI ID']]);
    assert.match(stub.output.join('\n'), /images: succeeded \(exit code 0\)\n[^]*artifact amazon-ebs\.a: us-east-1:ami-0123456789abcdef0\n {4}us-east-1: ami-0123456789abcdef0/);
  });

  it('cancels from the notification: the container is stopped and the task ends with Packer\'s exit code', async () => {
    const f = fixture();
    cleanups.push(() => fs.rmSync(f.ws, { recursive: true, force: true }));
    const e = engine({
      run: {
        stdout: ['1795548567,,ui,say,==> null: Running local shell script: /tmp/packer-shell653314036'], waitForStop: true,
        onStop: { stdout: ['1795548569,,ui,error,Cancelling build after receiving terminated', '1795548569,,ui,say,Cleanly cancelled builds after being interrupted.'], exit: 1 },
      },
    });
    const task = createBakeTask({ type: 'packer-bake', template: 'images/base.pkr.hcl' }, stub.folders[0] as never, f.services) as unknown as Task;
    const { code, text } = await runTask(task, () => {
      void waitFor(() => stub.progressCancel !== undefined && stub.progress.some((p) => /Running local shell script/.test(p)), 'the build').then(() => stub.progressCancel!());
    });
    assert.equal(code, 1, text);
    assert.match(text, /Cleanly cancelled builds after being interrupted\./);
    assert.deepStrictEqual(e.calls().slice(-2).map((c) => c.argv.slice(0, 3)), [['stop', '-t', '5'], ['rm', '-f', e.calls().slice(-1)[0].argv[2]]]);
    assert.deepStrictEqual(e.containers(), []);
    await waitFor(() => stub.calls.some((c) => c.kind === 'warning'), 'the notification');
    assert.deepStrictEqual(stub.calls.find((c) => c.kind === 'warning')!.args, ['Bake of images cancelled: Cleanly cancelled builds after being interrupted.']);
  });

  it('closing the terminal cancels the bake', async () => {
    const f = fixture();
    cleanups.push(() => fs.rmSync(f.ws, { recursive: true, force: true }));
    const e = engine({ run: { stdout: ['1,,ui,say,==> null: waiting'], waitForStop: true, onStop: { exit: 1 } } });
    const task = createBakeTask({ type: 'packer-bake', template: 'images/base.pkr.hcl' }, stub.folders[0] as never, f.services) as unknown as Task;
    let text = '';
    const { code } = await runTask(task, (pty) => {
      pty.onDidWrite((s) => { text += s; });
      void waitFor(() => /waiting/.test(text), 'the build').then(() => pty.close());
    });
    assert.equal(code, 1);
    assert.ok(e.calls().some((c) => c.argv[0] === 'stop'));
    assert.deepStrictEqual(e.containers(), []);
  });

  it('puts Packer\'s error lines in the Problems panel and offers Go to Error', async () => {
    const f = fixture();
    cleanups.push(() => fs.rmSync(f.ws, { recursive: true, force: true }));
    engine({ run: { exit: 1, stdout: ['1795548453,,ui,error,Error: Unsupported argument\\n\\n  on base.pkr.hcl line 3:\\n  (source code not available)\\n\\nAn argument named "bogus" is not expected here.\\n\\n'] } });
    const task = createBakeTask({ type: 'packer-bake', template: 'images/base.pkr.hcl' }, stub.folders[0] as never, f.services) as unknown as Task;
    stub.messageAnswers = ['Go to Error'];
    const { code } = await runTask(task);
    assert.equal(code, 1);
    const diags = stub.diagnostics.get(f.template)!;
    assert.deepStrictEqual(diags.map((d) => [d.range.start.line, d.message, d.source]),
      [[2, 'Error: Unsupported argument\n  on base.pkr.hcl line 3:\n  (source code not available)\nAn argument named "bogus" is not expected here.', 'packer build']]);
    await waitFor(() => stub.calls.some((c) => c.kind === 'showTextDocument'), 'Go to Error');
    assert.deepStrictEqual(stub.calls.find((c) => c.kind === 'error')!.args, ['Bake of images failed: Packer reported errors (above)', 'Go to Error', 'Show Output']);
  });

  it('refuses to run a task in an untrusted workspace', async () => {
    const f = fixture();
    cleanups.push(() => fs.rmSync(f.ws, { recursive: true, force: true }));
    const e = engine({});
    stub.trusted = false;
    const task = createBakeTask({ type: 'packer-bake', template: 'images/base.pkr.hcl' }, stub.folders[0] as never, f.services) as unknown as Task;
    const { code, text } = await runTask(task);
    assert.equal(code, 1);
    assert.match(text, /unavailable in an untrusted workspace/);
    assert.deepStrictEqual(e.calls(), []);
  });

  it('groups an HCL2 folder into one pick item, lists its builds across files, and never offers variables.pkr.hcl alone', async () => {
    const f = fixture({ builds: ['null.a'] });
    cleanups.push(() => fs.rmSync(f.ws, { recursive: true, force: true }));
    const vars = path.join(f.ws, 'images', 'variables.pkr.hcl');
    fs.writeFileSync(vars, 'variable "x" {}\n');
    const other = path.join(f.ws, 'other', 'web.pkr.hcl');
    fs.mkdirSync(path.dirname(other));
    fs.writeFileSync(other, 'source "null" "w" {}\n');
    const summary = (file: string, builds: string[]) => ({ ...f.info, uri: Uri.file(file).toString(), builds, workingDirectory: path.dirname(file) });
    const list = [summary(f.template, ['null.a']), summary(vars, []), summary(path.join(f.ws, 'images', 'more.pkr.hcl'), ['null.b']), summary(other, ['null.w'])];
    (f.services.client as { sendRequest: unknown }).sendRequest = async (type: { method: string }, params: { uri?: string }) => {
      f.requests.push({ method: type.method, params });
      if (type.method === 'packerBake/listTemplates') return list;
      if (type.method === 'packerBake/templateInfo') return { ...list.find((t) => t.uri === params.uri), diagnostics: [] };
      return { applied: 0 };
    };
    stub.quickPicks = [(items) => items.find((i) => i.label.endsWith(' images/')), pick('null.b'), pick()];
    await command.bakeAmi(f.services);
    const [configs, builds] = stub.calls.filter((c) => c.kind === 'quickPick').map((c) => c.args[0] as Array<{ label: string }>);
    assert.deepStrictEqual(configs.map((i) => i.label), ['$(folder) images/', '$(folder) other/']);
    assert.deepStrictEqual(builds.map((i) => i.label), ['null.a', 'null.b']);
    // Every file of the folder was asked for its findings.
    assert.deepStrictEqual(f.requests.filter((r) => r.method === 'packerBake/templateInfo').map((r) => (r.params as { uri: string }).uri).sort(),
      list.slice(0, 3).map((t) => t.uri).sort());
    assert.deepStrictEqual(stub.executedTasks[0].definition, { type: 'packer-bake', template: 'images', only: ['null.b'] });
  });

  it('asks once per configuration before a bake that launches AWS instances, and remembers the answer', async () => {
    const f = fixture({ builds: ['amazon-ebs.web'] });
    cleanups.push(() => fs.rmSync(f.ws, { recursive: true, force: true }));
    stub.quickPicks = [pick()];
    stub.messageAnswers = [undefined];
    await command.bakeAmi(f.services, Uri.file(f.template));
    const ask = stub.calls.find((c) => c.kind === 'warning')!;
    assert.equal(ask.args[0], 'Bake images/?');
    assert.match((ask.args[1] as { detail: string }).detail, /^Baking launches an EC2 instance in your AWS account \(and creates an AMI\), which costs money\./);
    assert.deepStrictEqual(ask.args.slice(2), ['Bake']);
    assert.equal(stub.executedTasks.length, 0);

    stub.calls = [];
    stub.quickPicks = [pick()];
    stub.messageAnswers = ['Bake'];
    await command.bakeAmi(f.services, Uri.file(f.template));
    assert.equal(stub.executedTasks.length, 1);

    stub.calls = [];
    stub.quickPicks = [pick()];
    await command.bakeAmi(f.services, Uri.file(f.template));
    assert.equal(stub.executedTasks.length, 2);
    assert.deepStrictEqual(stub.calls.filter((c) => c.kind === 'warning'), []);
  });

  it('no longer offers toolchain findings that a real bake with the same versions answered', async () => {
    // As the server sends it: the versions the rule read (from packerBake.toolchain before any bake).
    const scp = scpFinding({ packer: '1.6.6', openssh: '9.2p1' });
    const f = fixture({ builds: ['null.a'], diagnostics: [scp] });
    cleanups.push(() => fs.rmSync(f.ws, { recursive: true, force: true }));
    bakingEngine('feed');
    // Before any bake, the finding stops the bake, saying which versions it assumes.
    stub.quickPicks = [pick()];
    stub.messageAnswers = [undefined];
    await command.bakeAmi(f.services, Uri.file(f.template));
    assert.match(String((stub.calls.find((c) => c.kind === 'warning')!.args[1] as { detail: string }).detail), /\(scp-sftp-mismatch; assumes Packer 1\.6\.6, OpenSSH 9\.2p1\)/);
    // A real bake with those versions succeeds...
    const task = createBakeTask({ type: 'packer-bake', template: 'images' }, stub.folders[0] as never, f.services) as unknown as Task;
    stub.messageAnswers = [undefined];
    assert.equal((await runTask(task)).code, 0);
    // ...so the next bake goes straight on, and the output channel says why.
    stub.calls = [];
    stub.quickPicks = [pick()];
    await command.bakeAmi(f.services, Uri.file(f.template));
    assert.deepStrictEqual(stub.calls.filter((c) => c.kind === 'warning'), []);
    assert.equal(stub.executedTasks.length, 1);
    assert.match(stub.output.join('\n'), /not asking about scp-sftp-mismatch \(line 7\): this configuration already baked with Packer 1\.6\.6, OpenSSH 9\.2p1/);
    // Once the template changes, the old bake proves nothing.
    fs.appendFileSync(f.template, '# changed\n');
    stub.calls = [];
    stub.quickPicks = [pick()];
    stub.messageAnswers = [undefined];
    await command.bakeAmi(f.services, Uri.file(f.template));
    assert.equal(stub.calls.filter((c) => c.kind === 'warning').length, 1);
  });

  it('tells the server again after a reload the versions its bake container had at the last bake, and only for that container', async () => {
    const f = fixture({ builds: ['null.a'] });
    cleanups.push(() => fs.rmSync(f.ws, { recursive: true, force: true }));
    bakingEngine('cafe');
    const toolchainSent = () => f.requests.filter((r) => r.method === 'packerBake/toolchain').map((r) => r.params);
    bake.registerBake(f.services.context, f.services.client);
    assert.deepStrictEqual(toolchainSent(), [], 'nothing is known before the first bake');
    const task = createBakeTask({ type: 'packer-bake', template: 'images' }, stub.folders[0] as never, f.services) as unknown as Task;
    stub.messageAnswers = [undefined];
    assert.equal((await runTask(task)).code, 0);
    const probed = toolchainSent();
    assert.equal(probed.length, 1, 'the bake tells the server what it found');
    assert.match(JSON.stringify(probed[0]), /"openssh":"9\.2p1"/);
    // A reload: the server has forgotten, the extension registers again with the same global state.
    f.requests.length = 0;
    bake.registerBake(f.services.context, f.services.client);
    assert.deepStrictEqual(toolchainSent(), probed);
    // Another container has not baked yet: nothing is claimed for it.
    f.requests.length = 0;
    stub.settings = { ...stub.settings, 'packerBake.bake.image': 'other-image:1' };
    bake.registerBake(f.services.context, f.services.client);
    assert.deepStrictEqual(toolchainSent(), []);
  });

  it('does not stop on a toolchain finding that assumed other versions than the bake container has', async () => {
    // The server still checks against packerBake.toolchain (OpenSSH 10); the bake image has OpenSSH 9.2.
    const scp = scpFinding({ ansible: '2.19.4', openssh: '10.0p2' });
    const f = fixture({ builds: ['null.a'], diagnostics: [scp] });
    cleanups.push(() => fs.rmSync(f.ws, { recursive: true, force: true }));
    bakingEngine('beef');
    // The container's versions are unknown before its first bake: the finding stops the bake.
    stub.quickPicks = [pick()];
    stub.messageAnswers = [undefined];
    await command.bakeAmi(f.services, Uri.file(f.template));
    assert.equal(stub.calls.filter((c) => c.kind === 'warning').length, 1);
    assert.equal(stub.executedTasks.length, 0);
    // A bake (of another configuration, with the same settings) finds the container's versions...
    const task = createBakeTask({ type: 'packer-bake', template: 'other' }, stub.folders[0] as never, f.services) as unknown as Task;
    stub.messageAnswers = [undefined];
    await runTask(task);
    // ...so the finding, about OpenSSH 10.0p2, no longer stops this one.
    stub.calls = [];
    stub.quickPicks = [pick()];
    await command.bakeAmi(f.services, Uri.file(f.template));
    assert.deepStrictEqual(stub.calls.filter((c) => c.kind === 'warning'), []);
    assert.equal(stub.executedTasks.length, 1);
    assert.match(stub.output.join('\n'), /not asking about scp-sftp-mismatch \(line 7\): it assumes ansible-core 2\.19\.4, OpenSSH 10\.0p2, the bake container has Packer 1\.6\.6, OpenSSH 9\.2p1/);
  });

  it('offers the right settings scope for an image failure: the Remote tab in a remote window', async () => {
    for (const remote of [undefined, 'ssh-remote']) {
      const f = fixture();
      cleanups.push(() => fs.rmSync(f.ws, { recursive: true, force: true }));
      engine({ 'image inspect': { exit: 1 }, pull: { exit: 1, stderr: ['Error: initializing source docker://team/packer:9: pinging container registry: no such host'] } },
        { 'packerBake.bake.image': 'team/packer:9' });
      stub.remoteName = remote;
      const button = remote ? 'Open Remote Settings' : 'Open Settings';
      stub.messageAnswers = [button];
      const task = createBakeTask({ type: 'packer-bake', template: 'images' }, stub.folders[0] as never, f.services) as unknown as Task;
      assert.equal((await runTask(task)).code, 1);
      await waitFor(() => stub.calls.some((c) => c.kind === 'executeCommand'), 'the settings editor');
      const error = stub.calls.find((c) => c.kind === 'error')!;
      const text = 'Bake of images failed: The image team/packer:9 (packerBake.bake.image) is not on this engine and could not be pulled: '
        + 'Error: initializing source docker://team/packer:9: pinging container registry: no such host';
      assert.deepStrictEqual(error.args, [
        remote ? `${text} packerBake.bake.image is a machine setting: in this remote window (ssh-remote) set it under the Remote tab of the Settings editor; a value under User does not apply here.` : text,
        button, 'Show Output',
      ]);
      assert.deepStrictEqual(stub.calls.find((c) => c.kind === 'executeCommand')!.args,
        remote ? ['workbench.action.openRemoteSettings', { query: 'packerBake.bake.image' }] : ['workbench.action.openSettings', 'packerBake.bake.image']);
    }
  });

  it('keeps a failed bake\'s terminal open past VS Code\'s launch window, so it is not called "failed to launch"', async () => {
    const f = fixture();
    cleanups.push(() => fs.rmSync(f.ws, { recursive: true, force: true }));
    engine({ version: { exit: 1, stderr: ['Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'] } });
    const task = createBakeTask({ type: 'packer-bake', template: 'images' }, stub.folders[0] as never, f.services) as unknown as Task;
    const pty = await task.execution.callback(task.definition);
    let text = '';
    pty.onDidWrite((t) => { text += t; });
    const opened = Date.now();
    const closed = await new Promise<number>((resolve) => { pty.onDidClose!(() => resolve(Date.now() - opened)); pty.open(undefined); });
    assert.ok(closed >= MIN_FAILED_TERMINAL_MS, `closed after ${closed} ms`);
    assert.match(text, /Bake failed: \S+ is installed but not usable: Cannot connect to the Docker daemon/);
  });

  it('warns in the terminal about settings it could not use as given', async () => {
    const f = fixture();
    cleanups.push(() => fs.rmSync(f.ws, { recursive: true, force: true }));
    const e = engine({ run: { stdout: [] } }, { 'packerBake.bake.stopTimeoutSeconds': 99_999_999 });
    const task = createBakeTask({ type: 'packer-bake', template: 'images' }, stub.folders[0] as never, f.services) as unknown as Task;
    stub.messageAnswers = [undefined];
    const { text } = await runTask(task);
    assert.match(text, /Warning: packerBake\.bake\.stopTimeoutSeconds is above the maximum of 3600 seconds; using 3600\./);
    void e;
  });
});
