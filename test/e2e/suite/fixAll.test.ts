import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXPECTED, fileInWorkspace, open, ownDiagnostics, restoring, ruleId, waitForActivation, waitForDiagnostics } from './helpers';

const FIX_ALL = 'source.fixAll.packer-bake';

/** Two provisioners, two problems with automatic fixes. */
const TWO_PROBLEMS = `build {
  sources = ["source.null.x"]
  provisioner "ansible" {
    playbook_file    = "a.yml"
    ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%h-%p-%r"]
  }
  provisioner "ansible" {
    playbook_file    = "b.yml"
    ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH_DIR=/workspace/.cp"]
  }
}
`;

describe(`fix all (${FIX_ALL})`, () => {
  before(() => waitForActivation());

  it('offers one source action that fixes every problem in the template', async () => {
    const uri = fileInWorkspace('e2e/fix-all/two-problems.pkr.hcl');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(TWO_PROBLEMS));
    await restoring(uri, async () => {
      const { document } = await open('e2e/fix-all/two-problems.pkr.hcl');
      const ds = await waitForDiagnostics(uri, (d) => d.length === 2, 'two diagnostics');
      assert.deepEqual(ds.map(ruleId).sort(), ['control-path-unescaped-percent', 'control-path-unsafe-dir']);
      const whole = new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, whole, FIX_ALL);
      const fixAll = actions.filter((a) => a.kind?.value === FIX_ALL);
      assert.equal(fixAll.length, 1, `actions: ${actions.map((a) => `${a.kind?.value}:${a.title}`).join(', ')}`);
      assert.ok(await vscode.workspace.applyEdit(fixAll[0]!.edit!));
      await waitForDiagnostics(uri, (d) => d.length === 0, 'all diagnostics to clear');
      assert.ok(document.getText().includes('ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r'));
      assert.ok(!document.getText().includes('/workspace/.cp'));
    });
  });

  it('runs on save through editor.codeActionsOnSave', async () => {
    const uri = fileInWorkspace('e2e/fix-all/on-save.pkr.hcl');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(TWO_PROBLEMS));
    const editor = vscode.workspace.getConfiguration('editor', { uri, languageId: 'packer-hcl' });
    await editor.update('codeActionsOnSave', { [FIX_ALL]: 'explicit' }, vscode.ConfigurationTarget.Workspace);
    try {
      const { document } = await open('e2e/fix-all/on-save.pkr.hcl');
      await waitForDiagnostics(uri, (d) => d.length === 2, 'two diagnostics');
      // A change makes the save real (VS Code skips code actions when nothing is dirty).
      const edit = new vscode.WorkspaceEdit();
      edit.insert(uri, new vscode.Position(0, 0), '# saved\n');
      await vscode.workspace.applyEdit(edit);
      assert.ok(await document.save());
      await waitForDiagnostics(uri, (d) => d.length === 0, 'all diagnostics to clear after save');
      const onDisk = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
      assert.ok(onDisk.includes('%%h-%%p-%%r'), 'the fixed text was saved');
      assert.deepEqual(ownDiagnostics(uri), []);
    } finally {
      await editor.update('codeActionsOnSave', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});

describe('Packer: Fix All Control-Socket Problems in Workspace (packerBake.fixAllInWorkspace)', () => {
  before(() => waitForActivation());

  it('fixes every template in the workspace, open or not, leaving only findings without a fix', async () => {
    const templates = (await vscode.workspace.findFiles('*/template.{json,pkr.hcl}')).sort((a, b) => a.path.localeCompare(b.path));
    assert.ok(templates.length >= 10, `${templates.length} example templates`);
    const fixable = EXPECTED.filter((e) => e.fixedText);
    await open(fixable[0]!.file);
    // Nested restoring(): every template is put back afterwards, whatever happens.
    const run = templates.reduceRight<() => Promise<void>>((inner, uri) => () => restoring(uri, inner), async () => {
      await vscode.commands.executeCommand('packerBake.fixAllInWorkspace');
      for (const e of fixable) {
        await waitForDiagnostics(fileInWorkspace(e.file), (d) => d.length === 0, `${e.rule} fixed in ${e.file}`);
        const doc = await vscode.workspace.openTextDocument(fileInWorkspace(e.file));
        assert.ok(doc.getText().includes(e.fixedText!), `${e.file} holds ${e.fixedText}`);
      }
      for (const e of EXPECTED.filter((x) => !x.fixedText)) {
        assert.deepEqual(ownDiagnostics(fileInWorkspace(e.file)).map(ruleId), [e.rule], `${e.file} keeps its finding`);
      }
    });
    await run();
  });
});
