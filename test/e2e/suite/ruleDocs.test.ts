import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { requireThat } from '../../support/requireTool';
import { click, extension, open, ruleId, waitFor, waitForActivation, waitForDiagnostics } from './helpers';

/**
 * A diagnostic's rule link (the code shown in the hover and the Problems
 * panel) opens the rule's page shipped inside the extension, offline.
 */
describe('rule documentation links', () => {
  before(() => waitForActivation());

  it('the code links to a command that opens the bundled page in the Markdown preview', async () => {
    const { document } = await open('control-path-missing/template.pkr.hcl');
    const [d] = await waitForDiagnostics(document.uri, (ds) => ds.some((x) => ruleId(x) === 'control-path-missing'), 'control-path-missing');
    const code = d!.code as { value: string; target: vscode.Uri };
    assert.equal(typeof code, 'object', 'the code carries a link');
    assert.deepEqual(
      { value: code.value, scheme: code.target.scheme, command: code.target.path, args: JSON.parse(code.target.query) as unknown },
      { value: 'control-path-missing', scheme: 'command', command: 'packerBake.showRuleDocs', args: ['control-path-missing'] },
    );

    // What VS Code's opener does with a command link (allowCommands is set for diagnostic codes): run it with the query's arguments.
    const page = await vscode.commands.executeCommand<vscode.Uri | undefined>(code.target.path, ...(JSON.parse(code.target.query) as unknown[]));
    const expected = vscode.Uri.joinPath(extension().extensionUri, 'dist', 'docs', 'rules', 'control-path-missing.md');
    assert.equal(page?.toString(), expected.toString());
    const text = Buffer.from(await vscode.workspace.fs.readFile(expected)).toString('utf8');
    assert.match(text, /^# control-path-missing\b/);
    // Links to files the extension does not ship point into the repository.
    assert.doesNotMatch(text, /\]\(\.\.\/\.\.\//);
    const preview = await waitFor('the Markdown preview of the page', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Preview control-path-missing.md'), { event: vscode.window.tabGroups.onDidChangeTabs });
    assert.ok(preview.input instanceof vscode.TabInputWebview, 'the page is shown in a preview, not as text');
    await vscode.window.tabGroups.close(preview);
  });

  it('clicking the rule id in the Problems panel opens the bundled page (a real click in the workbench)', async function () {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // Toasts (a bake's result, say) sit over the bottom right of the panel and would take the click.
    await vscode.commands.executeCommand('notifications.clearAll');
    // Errors are listed first, so this file's rows are at the top of the panel (its list renders only the rows in view).
    const { document } = await open('control-path-too-long/template.json');
    await waitForDiagnostics(document.uri, (ds) => ds.some((x) => ruleId(x) === 'control-path-too-long'), 'control-path-too-long');
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await vscode.commands.executeCommand('workbench.panel.markers.view.focus');
    await vscode.commands.executeCommand('list.focusFirst');
    const clicked = await click('.markers-panel a.monaco-link', 'control-path-too-long');
    requireThat(this, clicked !== 'unsupported', 'the runner cannot click in the workbench (only the code-server runner, test/e2e/run.mjs, can)');
    assert.equal(clicked, 'clicked');
    const preview = await waitFor('the Markdown preview of the page after the click', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Preview control-path-too-long.md'), { event: vscode.window.tabGroups.onDidChangeTabs, timeout: 20_000 });
    assert.ok(preview.input instanceof vscode.TabInputWebview);
    // The tab object goes stale as the preview settles: close what is there now.
    await vscode.window.tabGroups.close(vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === 'Preview control-path-too-long.md'));
  });

  it('a link with anything but a rule id opens nothing', async () => {
    for (const arg of ['../../package', 'no-such-rule', 42]) {
      assert.equal(await vscode.commands.executeCommand('packerBake.showRuleDocs', arg), undefined, String(arg));
    }
  });
});
