import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { requireThat } from '../../support/requireTool';
import { fileInWorkspace, ownDiagnostics, restoring, ruleId, waitForActivation, waitForDiagnostics } from './helpers';

/**
 * A template whose file has another extension's language id: 4ops.packer and
 * Packer Powertools call `.pkr.hcl` files `packer`, HashiCorp's HCL extension
 * `hcl`. The harness extension registers both ids (without file extensions,
 * standing in for those extensions); `files.associations` maps one folder's
 * templates to each, as a user's setting would.
 */
const MISSING = `build {
  sources = ["source.null.x"]
  provisioner "ansible" {
    playbook_file = "playbook.yml"
  }
}
`;
/** A line that trades the finding for another one: only an analysis of the unsaved text can report it. */
const UNESCAPED_LINE = '    ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%h-%p-%r"]\n';
const FIX_ALL = 'source.fixAll.packer-bake';

for (const languageId of ['packer', 'hcl']) {
  describe(`a *.pkr.hcl file with the language id "${languageId}" (files.associations)`, () => {
    const folder = `e2e/lang-${languageId}`;
    let associations: unknown;

    before(async function () {
      requireThat(this, (await vscode.languages.getLanguages()).includes(languageId), `the language ${languageId} is not registered (the code-server runner's harness registers it)`);
      await waitForActivation();
      const files = vscode.workspace.getConfiguration('files');
      associations = files.inspect('associations')?.workspaceValue;
      await files.update('associations', { [`**/${folder}/*.pkr.hcl`]: languageId }, vscode.ConfigurationTarget.Workspace);
    });

    after(async () => {
      await vscode.workspace.getConfiguration('files').update('associations', associations, vscode.ConfigurationTarget.Workspace);
    });

    async function openTemplate(name: string): Promise<vscode.TextDocument> {
      const uri = fileInWorkspace(`${folder}/${name}`);
      await vscode.workspace.fs.writeFile(uri, Buffer.from(MISSING));
      const doc = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri)).then((e) => e.document);
      assert.equal(doc.languageId, languageId, 'the association gave the file the other language id');
      return doc;
    }

    it('gets diagnostics, and they follow unsaved edits', async () => {
      const doc = await openTemplate('edits.pkr.hcl');
      await restoring(doc.uri, async () => {
        const [d] = await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'control-path-missing');
        assert.equal(ruleId(d!), 'control-path-missing');
        assert.equal(doc.getText(d!.range), '"ansible"');
        const edit = new vscode.WorkspaceEdit();
        edit.insert(doc.uri, new vscode.Position(4, 0), UNESCAPED_LINE);
        assert.ok(await vscode.workspace.applyEdit(edit));
        assert.ok(doc.isDirty, 'the edit is not saved');
        const after = await waitForDiagnostics(doc.uri, (ds) => ds.length === 1 && ruleId(ds[0]!) === 'control-path-unescaped-percent', 'the unsaved text\'s finding');
        assert.equal(doc.getText(after[0]!.range), '/tmp/ansible-ssh-%h-%p-%r');
      });
    });

    it('offers the quick fixes in the light bulb', async () => {
      const doc = await openTemplate('fixes.pkr.hcl');
      const [d] = await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'control-path-missing');
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d!.range, vscode.CodeActionKind.QuickFix.value);
      const preferred = actions.filter((a) => a.kind?.value === 'quickfix' && a.isPreferred);
      assert.equal(preferred.length, 1, `actions: ${actions.map((a) => a.title).join(', ')}`);
      assert.ok(await vscode.workspace.applyEdit(preferred[0]!.edit!));
      assert.ok(doc.getText().includes('ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r'));
      await waitForDiagnostics(doc.uri, (ds) => ds.length === 0, 'the diagnostic to clear');
    });

    it('is fixed on save by editor.codeActionsOnSave', async () => {
      const editor = vscode.workspace.getConfiguration('editor', { languageId });
      const before = editor.inspect('codeActionsOnSave')?.workspaceLanguageValue;
      await editor.update('codeActionsOnSave', { [FIX_ALL]: 'explicit' }, vscode.ConfigurationTarget.Workspace, true);
      try {
        const doc = await openTemplate('save.pkr.hcl');
        await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, 'control-path-missing');
        const edit = new vscode.WorkspaceEdit();
        edit.insert(doc.uri, new vscode.Position(0, 0), '# saved\n');
        await vscode.workspace.applyEdit(edit);
        assert.ok(await doc.save());
        const onDisk = Buffer.from(await vscode.workspace.fs.readFile(doc.uri)).toString('utf8');
        assert.ok(onDisk.includes('ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r'), `saved text:\n${onDisk}`);
        await waitForDiagnostics(doc.uri, (ds) => ds.length === 0, 'the diagnostic to clear after the save');
        assert.deepEqual(ownDiagnostics(doc.uri), []);
      } finally {
        await editor.update('codeActionsOnSave', before, vscode.ConfigurationTarget.Workspace, true);
      }
    });
  });
}
