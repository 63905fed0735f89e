/**
 * "Packer: Create Dev Container for Packer" and "Packer: Add CI Bake Job":
 * the VS Code side (pickers, messages, writing files). Loaded the first time
 * one of them runs (dist/commands.js), so activation does not pay for it. What
 * is written comes from plan.ts; nothing here overwrites a file.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { BakeConfiguration } from '../bake/configurations';
import { listConfigurations, type BakeClient } from '../bake/workspace';
import { DEFAULT_PACKER_VERSION, packerVersionOf } from './devcontainerFiles';
import {
  bakeTargetFor, checkImage, CI_SYSTEMS, ciSystem, defaultCiImage, planCiJob, planDevcontainer, type NewFile,
} from './plan';

export const CREATE_DEVCONTAINER_COMMAND = 'packerBake.createDevContainer';
export const ADD_CI_BAKE_JOB_COMMAND = 'packerBake.addCiBakeJob';

export const DEVCONTAINER_UNTRUSTED_MESSAGE = 'Packer: Create Dev Container for Packer writes a Dockerfile and a devcontainer.json that VS Code and the Dev Containers CLI build and run, '
  + 'so it needs a trusted workspace. This workspace is in Restricted Mode; the diagnostics and quick fixes work without trust.';

/** The workspace folder to write into: the only one, or the one the user picks. */
async function chooseFolder(title: string): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showErrorMessage(`${title}: open a folder first.`);
    return undefined;
  }
  if (folders.length === 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: `${title}: which workspace folder?` });
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

const at = (folder: vscode.WorkspaceFolder, rel: string) => vscode.Uri.joinPath(folder.uri, ...rel.split('/'));

/** Creates the files; the edit fails, overwriting nothing, if one of them appeared meanwhile. */
async function createFiles(folder: vscode.WorkspaceFolder, files: NewFile[]): Promise<boolean> {
  const edit = new vscode.WorkspaceEdit();
  for (const f of files) edit.createFile(at(folder, f.path), { overwrite: false, contents: Buffer.from(f.text, 'utf8') });
  return vscode.workspace.applyEdit(edit);
}

async function openFile(uri: vscode.Uri): Promise<void> {
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
}

/* ------------------------------------------------------------------ dev container */

export async function createDevContainer(context: vscode.ExtensionContext): Promise<void> {
  const title = 'Create Dev Container for Packer';
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage(DEVCONTAINER_UNTRUSTED_MESSAGE, 'Manage Workspace Trust').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return;
  }
  const folder = await chooseFolder(title);
  if (!folder) return;
  const taken = new Set<string>();
  for (const rel of ['.devcontainer/devcontainer.json', '.devcontainer.json', '.devcontainer/Dockerfile', '.devcontainer/packer.Dockerfile']) {
    if (await exists(at(folder, rel))) taken.add(rel);
  }
  const plan = planDevcontainer((rel) => taken.has(rel), await bundledPackerVersion(context));
  if (plan.kind === 'exists') {
    const choice = await vscode.window.showInformationMessage(
      `${folder.name} already has ${plan.existing}; nothing was written. Its /tmp needs a mount of its own (rule devcontainer-tmp-not-mounted offers the fix).`, `Open ${path.posix.basename(plan.existing)}`);
    if (choice) await openFile(at(folder, plan.existing));
    return;
  }
  if (!await createFiles(folder, plan.files)) {
    void vscode.window.showErrorMessage(`${title}: could not create ${plan.files.map((f) => f.path).join(' and ')} in ${folder.name} (one exists now, or the folder is read-only). Nothing was overwritten.`);
    return;
  }
  await openFile(at(folder, plan.open));
  void vscode.window.showInformationMessage(`Wrote ${plan.files.map((f) => f.path).join(' and ')}: Packer, ansible-core, the OpenSSH client and boto3, with a tmpfs on /tmp for Ansible's SSH control socket. `
    + 'Dev Containers: Reopen in Container builds it; packerBake.bake.container "devcontainer" bakes in it.');
}

/** The Packer version of the bundled bake image (its Dockerfile's ARG), so both containers run the same Packer. */
async function bundledPackerVersion(context: vscode.ExtensionContext): Promise<string> {
  try {
    const text = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(context.extensionUri, 'bake', 'Dockerfile'))).toString('utf8');
    return packerVersionOf(text) ?? DEFAULT_PACKER_VERSION;
  } catch {
    return DEFAULT_PACKER_VERSION;
  }
}

/* ------------------------------------------------------------------ CI job */

export async function addCiBakeJob(context: vscode.ExtensionContext, client: BakeClient): Promise<void> {
  const title = 'Add CI Bake Job';
  const folder = await chooseFolder(title);
  if (!folder) return;

  const systemItem = await vscode.window.showQuickPick(CI_SYSTEMS.map((s) => ({ label: s.label, description: s.file, detail: s.detail, id: s.id })), {
    title: `Packer: ${title} (1/3)`, placeHolder: 'The CI system that runs the job', matchOnDescription: true,
  });
  if (!systemItem) return;
  const system = ciSystem(systemItem.id);

  const config = await chooseConfiguration(folder, await listConfigurations(client));
  if (!config) return;
  const bake = bakeTargetFor(folder.uri.fsPath, config);
  if (!bake) {
    void vscode.window.showErrorMessage(`${title}: ${config.target} is not inside ${folder.name}.`);
    return;
  }

  const version = String((context.extension.packageJSON as { version?: string }).version ?? '0.0.0');
  const setting = vscode.workspace.getConfiguration('packerBake.bake', folder.uri).get<string>('image', '');
  const initial = defaultCiImage(setting, version);
  const owner = initial.indexOf('OWNER');
  const image = await vscode.window.showInputBox({
    title: `Packer: ${title} (3/3)`,
    prompt: 'The image the job bakes in: Packer Bake\'s bake/Dockerfile (or your own with Packer, ansible-core and an OpenSSH client), pushed where the CI can pull it',
    value: initial,
    valueSelection: owner >= 0 ? [owner, owner + 'OWNER'.length] : undefined,
    validateInput: checkImage,
    ignoreFocusOut: true,
  });
  if (image === undefined) return;

  const target = at(folder, system.file);
  const existing = await exists(target) ? Buffer.from(await vscode.workspace.fs.readFile(target)).toString('utf8') : undefined;
  const plan = planCiJob(system.id, { image: image.trim(), version, bake }, existing);
  if (plan.kind === 'create') {
    if (!await createFiles(folder, [plan.file])) {
      void vscode.window.showErrorMessage(`${title}: could not create ${plan.file.path} in ${folder.name}. Nothing was overwritten.`);
      return;
    }
    await openFile(target);
    const what = path.posix.normalize(path.posix.join(bake.dir, bake.target));
    void vscode.window.showInformationMessage(`Wrote ${plan.file.path}: it lints with packer-bake (SARIF), then bakes ${what === '.' ? 'the folder' : what} in ${image.trim()}, `
      + 'with Ansible\'s control socket on a tmpfs. The image must be where the CI can pull it.');
    return;
  }
  const doc = await vscode.workspace.openTextDocument({ language: plan.language, content: plan.snippet });
  await vscode.window.showTextDocument(doc, { preview: false });
  const choice = await vscode.window.showInformationMessage(`${plan.where} Nothing was changed.`, `Open ${plan.file}`);
  if (choice) await openFile(target);
}

/** The configuration to bake in CI: the folder's only one, or the one picked. */
async function chooseConfiguration(folder: vscode.WorkspaceFolder, all: BakeConfiguration[]): Promise<BakeConfiguration | undefined> {
  const inFolder = all.filter((c) => c.builds.length > 0 && vscode.workspace.getWorkspaceFolder(vscode.Uri.file(c.target))?.uri.toString() === folder.uri.toString());
  if (inFolder.length === 0) {
    void vscode.window.showErrorMessage(`No Packer configuration with a build found in ${folder.name} (a legacy JSON template, or a folder of .pkr.hcl files).`);
    return undefined;
  }
  if (inFolder.length === 1) return inFolder[0];
  const rel = (p: string) => path.relative(folder.uri.fsPath, p).split(path.sep).join('/') || '.';
  const items = inFolder.map((c) => ({
    label: `${c.format === 'hcl' ? '$(folder)' : '$(file)'} ${c.format === 'hcl' ? `${rel(c.target)}/` : rel(c.target)}`,
    description: c.format === 'hcl' ? `HCL2 · ${c.files.map((f) => path.basename(f.file)).join(', ')}${c.requiresInit ? ' · packer init' : ''}` : 'legacy JSON',
    detail: `${c.builds.join(', ')} · runs in ${rel(c.workingDirectory)}`,
    config: c,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Packer: Add CI Bake Job (2/3)', placeHolder: 'What the job bakes: an HCL2 folder or a legacy JSON template', matchOnDescription: true, matchOnDetail: true,
  });
  return picked?.config;
}
