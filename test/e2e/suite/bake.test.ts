import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { requireThat } from '../../support/requireTool';
import { FakeEngineDir } from './fakeEngine';
import { canClick, click, fileInWorkspace, screenshot, waitFor, waitForActivation } from './helpers';

const BAKE = 'packerBake.bakeAmi';
const AMI_RUN = [
  '1700000000,,ui,say,==> amazon-ebs.web: Launching a source AWS instance...',
  '1700000001,,ui,say,==> amazon-ebs.web: Provisioning with Ansible...',
  '1700000004,amazon-ebs.web,artifact-count,1',
  '1700000004,amazon-ebs.web,artifact,0,builder-id,mitchellh.amazonebs',
  '1700000004,amazon-ebs.web,artifact,0,id,us-east-1:ami-0123456789abcdef0',
  '1700000004,amazon-ebs.web,artifact,0,end',
];
const RUNNING = ['1795548453,,ui,say,==> null.x: Running local shell script: /tmp/packer-shell123'];
const AFTER_SIGTERM = [
  '1795548569,,ui,error,Build \'null.x\' errored after 1 second: script interrupted',
  '1795548569,,ui,say,Cleanly cancelled builds after being interrupted.',
];

interface TaskEnd { execution: vscode.TaskExecution; exitCode: number | undefined }

/** The next packer-bake task to start, and a promise of its end with the exit code the task reported. */
function nextBakeTask(timeout = 60_000): { started: Promise<vscode.TaskExecution>; ended: Promise<TaskEnd> } {
  const subs: vscode.Disposable[] = [];
  let exitCode: number | undefined;
  let execution: vscode.TaskExecution | undefined;
  const started = new Promise<vscode.TaskExecution>((resolve) => {
    subs.push(vscode.tasks.onDidStartTask((e) => {
      if (e.execution.task.definition.type === 'packer-bake') { execution = e.execution; resolve(e.execution); }
    }));
  });
  const ended = new Promise<TaskEnd>((resolve, reject) => {
    const timer = setTimeout(() => { subs.forEach((s) => s.dispose()); reject(new Error(`no packer-bake task ended within ${timeout} ms`)); }, timeout);
    subs.push(vscode.tasks.onDidEndTaskProcess((e) => { if (e.execution === execution) exitCode = e.exitCode; }));
    subs.push(vscode.tasks.onDidEndTask((e) => {
      if (execution && e.execution === execution) {
        clearTimeout(timer);
        subs.forEach((s) => s.dispose());
        resolve({ execution: e.execution, exitCode });
      }
    }));
  });
  return { started, ended };
}

/** A button of the workbench's modal dialog (the web workbench draws it; the extension host cannot see it). */
const DIALOG_BUTTON = '.monaco-dialog-box .monaco-button';

/**
 * Answers the modal dialog that is up (or about to come up) with a real click
 * on `button`. Retries while the dialog is not there yet, which under load can
 * take a while (the command asks the language server before it asks the user);
 * stops once `settled` resolves, since then no dialog is waiting.
 */
async function answerDialog(button: 'Bake' | 'Cancel', settled: Promise<unknown>): Promise<void> {
  let done = false;
  void settled.then(() => { done = true; }, () => { done = true; });
  let last = '';
  for (let i = 0; i < 2 && !done; i++) {
    last = await click(DIALOG_BUTTON, button);
    if (last === 'clicked') return;
  }
  throw new Error(done ? `no dialog asked: the command ended before "${button}" was clicked` : `could not click "${button}" in the dialog: ${last}`);
}

/** Resolves with the command's end, or rejects when it has not ended within `ms` (a dialog nobody answers). */
function endsUnasked(command: Thenable<unknown>, ms = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Bake AMI did not go ahead within ${ms} ms: a dialog asked`)), ms);
    command.then(() => { clearTimeout(timer); resolve(); }, (err: unknown) => { clearTimeout(timer); reject(err); });
  });
}

/**
 * Runs Bake AMI on `uri`. A bake that launches AWS instances (the examples'
 * amazon-ebs builds) asks once per template and workspace: with `confirm`,
 * the dialog is expected and answered "Bake" (each test bakes a template no
 * other test baked before, in this run's fresh workspace state).
 */
async function bake(uri: vscode.Uri, confirm: boolean, screenshotOfDialog?: string): Promise<void> {
  const command = Promise.resolve(vscode.commands.executeCommand(BAKE, uri));
  if (confirm && screenshotOfDialog) await screenshot(screenshotOfDialog, '.monaco-dialog-box');
  if (confirm) await answerDialog('Bake', command);
  await endsUnasked(command);
}

describe('Packer: Bake AMI against a fake container engine', () => {
  let engine: FakeEngineDir;
  const bakeSettings = () => vscode.workspace.getConfiguration('packerBake.bake');

  before(async function () {
    // An AWS bake asks for a confirmation in a modal dialog, which only a browser can answer.
    requireThat(this, canClick(), 'the runner cannot click in the workbench (only the code-server runner, test/e2e/run.mjs, can)');
    await waitForActivation();
    engine = new FakeEngineDir();
    // Machine-scoped settings: user settings, never the workspace's.
    await bakeSettings().update('enginePath', engine.executable, vscode.ConfigurationTarget.Global);
    await bakeSettings().update('containerEngine', 'docker', vscode.ConfigurationTarget.Global);
    await bakeSettings().update('image', 'packer-bake-e2e:1', vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    // The bakes' result toasts would lie over other tests' clicks.
    await vscode.commands.executeCommand('notifications.clearAll');
    for (const key of ['enginePath', 'containerEngine', 'image']) await bakeSettings().update(key, undefined, vscode.ConfigurationTarget.Global);
    engine?.dispose();
  });

  it('is contributed and registered', async () => {
    assert.ok((await vscode.commands.getCommands(true)).includes(BAKE));
  });

  it('bakes a template in a container with /tmp on a tmpfs and ends the task with exit code 0', async () => {
    engine.script({ 'image inspect': { exit: 0 }, run: { stdout: AMI_RUN } });
    const task = nextBakeTask();
    // docs/bake.md shows these two screenshots (`node test/e2e/run.mjs --screenshots images` writes them there).
    await bake(fileInWorkspace('fixed/template.pkr.hcl'), true, 'bake-confirm.png');
    const { exitCode } = await task.ended;
    assert.equal(exitCode, 0);
    await screenshot('bake-terminal.png', '.terminal-wrapper .xterm-screen');
    // The bake's own container (the toolchain probes before it are `run --rm --network none --entrypoint ...`).
    const run = engine.calls().find((c) => c.argv[0] === 'run' && c.argv.includes('--init'));
    assert.ok(run, `a container ran: ${engine.subcommands().join(' ')}`);
    const argv = run.argv.join(' ');
    assert.ok(argv.includes('--tmpfs /tmp:rw,exec,mode=1777'), argv);
    assert.ok(run.argv.includes('packer-bake-e2e:1'), argv);
    assert.ok(run.argv.some((a) => a.startsWith('ANSIBLE_SSH_CONTROL_PATH=')), argv);
    assert.deepEqual(engine.running(), []);
  });

  it('cancels: terminating the task stops the container gracefully and leaves none behind', async () => {
    engine.script({ 'image inspect': { exit: 0 }, run: { stdout: RUNNING, waitForStop: true, onStop: { stdout: AFTER_SIGTERM, exit: 1 } } });
    const task = nextBakeTask();
    await bake(fileInWorkspace('fixed/template.json'), true);
    const execution = await task.started;
    await waitFor('the container to run', () => engine.running().length === 1, { timeout: 30_000 });
    execution.terminate();
    const { exitCode } = await task.ended;
    assert.notEqual(exitCode, 0);
    await waitFor('the container to be removed', () => engine.containers().length === 0, { timeout: 30_000 });
    const subs = engine.subcommands();
    assert.ok(subs.includes('stop'), subs.join(' '));
    assert.ok(subs.indexOf('stop') > subs.indexOf('run'), subs.join(' '));
  });

  it('asks once per template before a bake that launches AWS instances, and remembers only a "Bake"', async function () {
    this.timeout(180_000);
    const copies = ['confirm-once-a', 'confirm-once-b'];
    for (const dir of copies) {
      for (const file of ['template.pkr.hcl', 'playbook.yml']) {
        await vscode.workspace.fs.copy(fileInWorkspace(`fixed/${file}`), fileInWorkspace(`${dir}/${file}`), { overwrite: true });
      }
    }
    try {
      // The language server indexes new files from its watcher: wait until Bake AMI offers both.
      const offered = async () => (await vscode.tasks.fetchTasks({ type: 'packer-bake' })).map((t) => String(t.definition.template));
      const deadline = Date.now() + 30_000;
      for (let now = await offered(); !copies.every((c) => now.includes(c)); now = await offered()) {
        if (Date.now() > deadline) throw new Error(`the new templates were not offered: ${now.join(', ')}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      engine.script({ 'image inspect': { exit: 0 }, run: { stdout: AMI_RUN } });
      const a = fileInWorkspace('confirm-once-a/template.pkr.hcl');
      const started: string[] = [];
      const sub = vscode.tasks.onDidStartTask((e) => { if (e.execution.task.definition.type === 'packer-bake') started.push(String(e.execution.task.definition.template)); });
      try {
        // Asked; "Cancel" bakes nothing and is not remembered.
        let command = Promise.resolve(vscode.commands.executeCommand(BAKE, a));
        await answerDialog('Cancel', command);
        await endsUnasked(command);
        assert.deepEqual(started, []);

        // Asked again; "Bake" bakes and is remembered.
        let task = nextBakeTask();
        await bake(a, true);
        assert.equal((await task.ended).exitCode, 0);

        // Not asked again for the same template.
        task = nextBakeTask();
        await bake(a, false);
        assert.equal((await task.ended).exitCode, 0);
        assert.deepEqual(started, ['confirm-once-a', 'confirm-once-a']);

        // Another template is asked for.
        command = Promise.resolve(vscode.commands.executeCommand(BAKE, fileInWorkspace('confirm-once-b/template.pkr.hcl')));
        await answerDialog('Cancel', command);
        await endsUnasked(command);
        assert.deepEqual(started, ['confirm-once-a', 'confirm-once-a']);
      } finally {
        sub.dispose();
      }
    } finally {
      for (const dir of copies) await vscode.workspace.fs.delete(fileInWorkspace(dir), { recursive: true });
    }
  });
});
