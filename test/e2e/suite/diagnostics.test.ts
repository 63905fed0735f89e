import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXPECTED, expectedSummary, fileInWorkspace, open, ownDiagnostics, restoring, ruleId, summary, waitForActivation, waitForDiagnostics } from './helpers';

describe('diagnostics in the Problems panel', () => {
  before(() => waitForActivation());

  for (const e of EXPECTED) {
    it(`${e.file}: ${e.rule} at the right range`, async () => {
      const { document } = await open(e.file);
      const ds = await waitForDiagnostics(document.uri, (d) => d.some((x) => ruleId(x) === e.rule), e.rule);
      assert.deepEqual(ds.map(summary), [expectedSummary(document, e)]);
    });
  }

  for (const file of ['fixed/template.json', 'fixed/template.pkr.hcl']) {
    it(`${file}: nothing, and a problem typed into it appears and clears`, async () => {
      const uri = fileInWorkspace(file);
      await restoring(uri, async () => {
        const { document } = await open(file);
        const good = 'ansible-ssh-%%h-%%p-%%r';
        const range = new vscode.Range(document.positionAt(document.getText().indexOf(good)), document.positionAt(document.getText().indexOf(good) + good.length));
        assert.ok(document.getText().includes(good), 'the fixed template sets the control path');
        const edit = new vscode.WorkspaceEdit();
        edit.replace(uri, range, 'ansible-ssh-%h-%p-%r');
        assert.ok(await vscode.workspace.applyEdit(edit));
        await waitForDiagnostics(uri, (d) => d.some((x) => ruleId(x) === 'control-path-unescaped-percent'), 'control-path-unescaped-percent after the edit');
        await vscode.commands.executeCommand('undo');
        await waitForDiagnostics(uri, (d) => d.length === 0, 'no diagnostics after undo');
        assert.deepEqual(ownDiagnostics(uri), []);
      });
    });
  }
});
