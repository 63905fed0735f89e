// The README's picture, taken while checking what a user sees: the Problems
// panel lists the finding and the light bulb's menu offers the preferred fix.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { open, ruleId, screenshot, waitForActivation, waitForDiagnostics } from './helpers';

describe('what a user sees', () => {
  before(() => waitForActivation());

  it('the Problems panel lists the finding and the quick fix menu offers the fix (screenshot)', async () => {
    // A clean window: no other editors, notifications or expanded folders from earlier tests.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.files.action.collapseExplorerFolders');
    const editor = await open('control-path-unescaped-percent/template.pkr.hcl');
    const uri = editor.document.uri;
    const [d] = await waitForDiagnostics(uri, (ds) => ds.some((x) => ruleId(x) === 'control-path-unescaped-percent'), 'control-path-unescaped-percent');
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await vscode.window.showTextDocument(editor.document, { preserveFocus: false });
    editor.selection = new vscode.Selection(d!.range.start, d!.range.start);
    editor.revealRange(d!.range, vscode.TextEditorRevealType.InCenter);
    await vscode.commands.executeCommand('editor.action.quickFix');
    await screenshot('screenshot.png', '.action-widget');
    await vscode.commands.executeCommand('hideCodeActionWidget');
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString());
  });
});
