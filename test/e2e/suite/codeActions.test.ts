import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXPECTED, fileInWorkspace, open, restoring, ruleId, waitForActivation, waitForDiagnostics } from './helpers';

/**
 * The quick fixes VS Code offers at the diagnostic's range (what the light bulb
 * lists). The actions that command returns carry no `diagnostics`, so they are
 * matched by range: each example template has one finding.
 */
async function quickFixesAt(uri: vscode.Uri, d: vscode.Diagnostic): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d.range, vscode.CodeActionKind.QuickFix.value);
  return actions.filter((a) => a.kind?.value === vscode.CodeActionKind.QuickFix.value);
}

describe('quick fixes (the light bulb)', () => {
  before(() => waitForActivation());

  for (const e of EXPECTED.filter((x) => x.fixedText)) {
    it(`${e.file}: the preferred fix for ${e.rule} edits the template and the diagnostic clears`, async () => {
      const uri = fileInWorkspace(e.file);
      await restoring(uri, async () => {
        const { document } = await open(e.file);
        const [d] = await waitForDiagnostics(uri, (ds) => ds.some((x) => ruleId(x) === e.rule), e.rule);
        const fixes = await quickFixesAt(uri, d!);
        const preferred = fixes.filter((a) => a.isPreferred);
        assert.equal(preferred.length, 1, `one preferred fix among: ${fixes.map((a) => a.title).join(', ')}`);
        assert.equal(preferred[0]!.kind?.value, 'quickfix');
        assert.ok(!document.getText().includes(e.fixedText!), 'not fixed before');
        assert.ok(await vscode.workspace.applyEdit(preferred[0]!.edit!), 'the edit applies');
        assert.ok(document.getText().includes(e.fixedText!), `the document now holds ${e.fixedText}`);
        if (e.file.endsWith('.json')) JSON.parse(document.getText());
        await waitForDiagnostics(uri, (ds) => !ds.some((x) => ruleId(x) === e.rule), `${e.rule} to clear`);
      });
    });
  }
});
