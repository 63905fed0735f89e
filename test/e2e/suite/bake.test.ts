import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { FakeEngineDir } from './fakeEngine';
import { fileInWorkspace, waitFor, waitForActivation } from './helpers';

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

describe('Packer: Bake AMI against a fake container engine', () => {
  let engine: FakeEngineDir;
  const bakeSettings = () => vscode.workspace.getConfiguration('packerBake.bake');

  before(async () => {
    await waitForActivation();
    engine = new FakeEngineDir();
    // Machine-scoped settings: user settings, never the workspace's.
    await bakeSettings().update('enginePath', engine.executable, vscode.ConfigurationTarget.Global);
    await bakeSettings().update('containerEngine', 'docker', vscode.ConfigurationTarget.Global);
    await bakeSettings().update('image', 'packer-bake-e2e:1', vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    for (const key of ['enginePath', 'containerEngine', 'image']) await bakeSettings().update(key, undefined, vscode.ConfigurationTarget.Global);
    engine?.dispose();
  });

  it('is contributed and registered', async () => {
    assert.ok((await vscode.commands.getCommands(true)).includes(BAKE));
  });

  it('bakes a template in a container with /tmp on a tmpfs and ends the task with exit code 0', async () => {
    engine.script({ 'image inspect': { exit: 0 }, run: { stdout: AMI_RUN } });
    const task = nextBakeTask();
    await vscode.commands.executeCommand(BAKE, fileInWorkspace('fixed/template.pkr.hcl'));
    const { exitCode } = await task.ended;
    assert.equal(exitCode, 0);
    const run = engine.calls().find((c) => c.argv[0] === 'run');
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
    await vscode.commands.executeCommand(BAKE, fileInWorkspace('fixed/template.pkr.hcl'));
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
});
