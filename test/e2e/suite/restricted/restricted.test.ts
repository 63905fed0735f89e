import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitForActivation } from '../helpers';

describe('Restricted Mode (untrusted workspace)', () => {
  it('opens the workspace untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('still activates the extension (limited support)', async () => {
    const ext = await waitForActivation();
    assert.equal(ext.isActive, true);
  });
});
