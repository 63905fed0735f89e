/**
 * "Packer: Bake AMI": choose the template, the builds and the var files,
 * check the template's control-socket findings, then run a `packer-bake` task.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { FixAllRequest, ListTemplatesRequest, TemplateInfoRequest, type TemplateInfo } from '../../../server/src/shared/protocol';
import { controlSocketProblems, preflightMessage } from './preflight';
import { createBakeTask, type BakeServices } from './task';
import { definitionFor } from './taskDefinition';
import { listVarFiles } from './varFiles';

export const BAKE_COMMAND = 'packerBake.bakeAmi';

/** workspaceState key: template URI → the builds and var files chosen last time. */
const CHOICES_KEY = 'packerBake.bake.choices';

interface Choice {
  only: string[];
  varFiles: string[];
}

export async function bakeAmi(services: BakeServices, arg?: unknown): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage('Packer: Bake AMI is unavailable in an untrusted workspace: a bake runs the template\'s provisioners. Trust the workspace first.');
    return;
  }
  const info = await chooseTemplate(services, arg instanceof vscode.Uri ? arg : undefined);
  if (!info) return;
  const uri = vscode.Uri.parse(info.uri);
  const template = uri.fsPath;
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const state = services.context.workspaceState;
  const remembered = state.get<Record<string, Choice>>(CHOICES_KEY, {})[info.uri];

  const only = await chooseBuilds(info, remembered?.only ?? []);
  if (!only) return;
  const varFiles = await chooseVarFiles(template, info, remembered?.varFiles ?? []);
  if (!varFiles) return;
  await state.update(CHOICES_KEY, { ...state.get<Record<string, Choice>>(CHOICES_KEY, {}), [info.uri]: { only, varFiles } });

  if (!await preflight(services, info, path.basename(template))) return;

  const def = definitionFor(template, folder?.uri.fsPath, only, varFiles);
  await vscode.tasks.executeTask(createBakeTask(def, folder ?? vscode.TaskScope.Workspace, services));
}

async function templateInfo(services: BakeServices, uri: vscode.Uri): Promise<TemplateInfo | null> {
  return services.client.sendRequest(TemplateInfoRequest.type, { uri: uri.toString() });
}

/** The template given (explorer, editor title), else the active editor's, else one picked from the workspace's. */
async function chooseTemplate(services: BakeServices, given: vscode.Uri | undefined): Promise<TemplateInfo | undefined> {
  if (given) {
    const info = given.scheme === 'file' ? await templateInfo(services, given) : null;
    if (!info) void vscode.window.showErrorMessage(`${path.basename(given.fsPath)} is not a Packer template saved on disk.`);
    return info ?? undefined;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file') {
    const info = await templateInfo(services, active);
    if (info) return info;
  }
  const templates = (await services.client.sendRequest(ListTemplatesRequest.type, {}))
    .filter((t) => vscode.Uri.parse(t.uri).scheme === 'file');
  if (templates.length === 0) {
    void vscode.window.showInformationMessage('No Packer templates found in this workspace.');
    return undefined;
  }
  let picked = templates[0];
  if (templates.length > 1) {
    const items = templates.map((t) => {
      const uri = vscode.Uri.parse(t.uri);
      return { label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(path.dirname(uri.fsPath)), detail: t.builds.join(', '), template: t };
    }).sort((a, b) => `${a.description}/${a.label}`.localeCompare(`${b.description}/${b.label}`));
    const item = await vscode.window.showQuickPick(items, { title: 'Packer: Bake AMI (1/3)', placeHolder: 'Template to bake', matchOnDescription: true });
    if (!item) return undefined;
    picked = item.template;
  }
  return (await templateInfo(services, vscode.Uri.parse(picked.uri))) ?? undefined;
}

/** `-only` choice; [] = every build. Undefined when the user backs out. */
async function chooseBuilds(info: TemplateInfo, last: string[]): Promise<string[] | undefined> {
  if (info.builds.length <= 1) return [];
  const lastKnown = last.filter((b) => info.builds.includes(b));
  const items = info.builds.map((b) => ({ label: b, picked: lastKnown.length === 0 || lastKnown.includes(b) }));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Packer: Bake AMI (2/3)', placeHolder: 'Builds to run (-only); none picked = all', canPickMany: true,
  });
  if (!picked) return undefined;
  return picked.length === info.builds.length ? [] : picked.map((p) => p.label);
}

/** Var files next to the template. Undefined when the user backs out. */
async function chooseVarFiles(template: string, info: TemplateInfo, last: string[]): Promise<string[] | undefined> {
  const files = listVarFiles(template, info.format);
  if (files.length === 0) return [];
  const items = files.map((f) => ({ label: path.basename(f), picked: last.includes(f), file: f }));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Packer: Bake AMI (3/3)', placeHolder: 'Var files (-var-file), in this order', canPickMany: true,
  });
  if (!picked) return undefined;
  return picked.map((p) => p.file);
}

/** Offers to fix control-socket findings first. False when the user cancels. */
async function preflight(services: BakeServices, info: TemplateInfo, name: string): Promise<boolean> {
  const problems = controlSocketProblems(info.diagnostics);
  if (problems.length === 0) return true;
  const { message, detail } = preflightMessage(name, problems);
  const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, 'Fix and bake', 'Bake anyway');
  if (choice === 'Bake anyway') return true;
  if (choice !== 'Fix and bake') return false;
  const dirtyBefore = new Set(vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => d.uri.toString()));
  const { applied } = await services.client.sendRequest(FixAllRequest.type, { uri: info.uri });
  // Packer reads the files from disk: save what the fixes changed (and only that).
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.isDirty && !dirtyBefore.has(doc.uri.toString())) await doc.save();
  }
  const template = vscode.workspace.textDocuments.find((d) => d.uri.toString() === info.uri);
  if (template?.isDirty) await template.save();
  services.output.appendLine(`[${new Date().toISOString()}] ${vscode.Uri.parse(info.uri).fsPath}: applied ${applied} fix${applied === 1 ? '' : 'es'} before baking`);
  return true;
}
