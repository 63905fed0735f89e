import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { FakeEngineDir } from '../fakeEngine';
import { fileInWorkspace, waitForActivation } from '../helpers';

describe('Restricted Mode: Packer: Bake AMI', () => {
  let engine: FakeEngineDir;

  before(async () => {
    await waitForActivation();
    engine = new FakeEngineDir();
    engine.script({ 'image inspect': { exit: 0 }, run: { stdout: [] } });
    await vscode.workspace.getConfiguration('packerBake.bake').update('enginePath', engine.executable, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('packerBake.bake').update('enginePath', undefined, vscode.ConfigurationTarget.Global);
    engine?.dispose();
  });

  it('refuses to run: no task starts and the container engine is never called', async () => {
    let started = 0;
    const sub = vscode.tasks.onDidStartTask(() => { started++; });
    try {
      await vscode.commands.executeCommand('packerBake.bakeAmi', fileInWorkspace('fixed/template.pkr.hcl'));
    } finally {
      sub.dispose();
    }
    assert.equal(started, 0);
    assert.deepEqual(vscode.tasks.taskExecutions.filter((t) => t.task.definition.type === 'packer-bake'), []);
    assert.deepEqual(engine.calls(), []);
  });
});
