import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { fileInWorkspace, waitForActivation } from '../helpers';

describe('Restricted Mode: Packer: Create Dev Container for Packer', () => {
  before(() => waitForActivation());

  it('refuses: nothing is written to the workspace', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    await vscode.commands.executeCommand('packerBake.createDevContainer');
    for (const rel of ['.devcontainer/devcontainer.json', '.devcontainer/Dockerfile']) {
      await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(fileInWorkspace(rel))), `${rel} was not written`);
    }
    await vscode.commands.executeCommand('notifications.clearAll');
  });
});
