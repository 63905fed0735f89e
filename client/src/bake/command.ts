/**
 * "Packer: Bake AMI": choose the configuration (a legacy JSON template, or an
 * HCL2 folder), the builds and the var files, check the configuration's
 * findings (and confirm once before a bake that launches AWS instances), then
 * run a `packer-bake` task.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { FixAllRequest, TemplateInfoRequest } from '../../../server/src/shared/protocol';
import { configurationOf, launchesAwsInstances, type BakeConfiguration } from './configurations';
import { configurationTexts } from './files';
import { assumedToolchain, bakeProof, preflightMessage, preflightProblems, toolchainLabel } from './preflight';
import { createBakeTask, PROOFS_KEY, toolchainThatWillRun, type BakeServices } from './task';
import { definitionFor } from './taskDefinition';
import { listVarFiles } from './varFiles';
import { listConfigurations } from './workspace';

export const BAKE_COMMAND = 'packerBake.bakeAmi';

/** workspaceState key: configuration target → the builds and var files chosen last time. */
const CHOICES_KEY = 'packerBake.bake.choices';
/** workspaceState key: configuration target → true once the user confirmed a bake that launches AWS instances. */
export const CONFIRMED_LAUNCH_KEY = 'packerBake.bake.confirmedLaunch';

export const UNTRUSTED_MESSAGE = 'Packer: Bake AMI runs the template\'s provisioners and a container engine, so it needs a trusted workspace. '
  + 'This workspace is in Restricted Mode; the diagnostics and quick fixes work without trust.';

interface Choice {
  only: string[];
  varFiles: string[];
}

export async function bakeAmi(services: BakeServices, arg?: unknown): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return;
  }
  const configurations = await listConfigurations(services.client);
  const config = await chooseConfiguration(configurations, arg instanceof vscode.Uri ? arg : undefined);
  if (!config) return;
  const name = displayName(config);
  if (config.builds.length === 0) {
    void vscode.window.showErrorMessage(`${name} has no build to bake (no source block in ${config.format === 'hcl' ? 'the folder\'s files' : 'the template'}).`);
    return;
  }
  const state = services.context.workspaceState;
  const remembered = state.get<Record<string, Choice>>(CHOICES_KEY, {})[config.target];

  const only = await chooseBuilds(config, remembered?.only ?? []);
  if (!only) return;
  const varFiles = await chooseVarFiles(config, remembered?.varFiles ?? []);
  if (!varFiles) return;
  await state.update(CHOICES_KEY, { ...state.get<Record<string, Choice>>(CHOICES_KEY, {}), [config.target]: { only, varFiles } });

  const texts = configurationTexts(config.target, config.format);
  const launches = launchesAwsInstances(config, only, texts);
  if (!await preflight(services, config, name, texts, launches)) return;

  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(config.target));
  const def = definitionFor(config.target, config.format, folder?.uri.fsPath, only, varFiles, config.workingDirectory);
  await vscode.tasks.executeTask(createBakeTask(def, folder ?? vscode.TaskScope.Workspace, services));
}

/** `images/web/ (HCL2)` or `images/base.json`, relative to the workspace. */
function displayName(config: BakeConfiguration): string {
  const rel = vscode.workspace.asRelativePath(config.target, false);
  return config.format === 'hcl' ? `${rel === config.target ? path.basename(rel) : rel}/` : rel;
}

/** The configuration given (explorer, editor title), else the active editor's, else one picked from the workspace's. */
async function chooseConfiguration(configurations: BakeConfiguration[], given: vscode.Uri | undefined): Promise<BakeConfiguration | undefined> {
  if (given) {
    const config = given.scheme === 'file' ? configurationOf(configurations, given.fsPath) : undefined;
    if (!config) void vscode.window.showErrorMessage(`${path.basename(given.fsPath)} is not a Packer template saved on disk.`);
    return config;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file') {
    const config = configurationOf(configurations, active.fsPath);
    if (config) return config;
  }
  const bakeable = configurations.filter((c) => c.builds.length > 0);
  if (bakeable.length === 0) {
    void vscode.window.showInformationMessage('No Packer configuration with a build found in this workspace.');
    return undefined;
  }
  if (bakeable.length === 1) return bakeable[0];
  const items = bakeable.map((c) => ({
    label: `${c.format === 'hcl' ? '$(folder)' : '$(file)'} ${displayName(c)}`,
    description: c.format === 'hcl' ? `HCL2 · ${c.files.map((f) => path.basename(f.file)).join(', ')}` : 'legacy JSON',
    detail: c.builds.join(', '),
    config: c,
  }));
  const item = await vscode.window.showQuickPick(items, {
    title: 'Packer: Bake AMI (1/3)', placeHolder: 'Configuration to bake: an HCL2 folder or a legacy JSON template', matchOnDescription: true, matchOnDetail: true,
  });
  return item?.config;
}

/** `-only` choice; [] = every build. Undefined when the user backs out. */
async function chooseBuilds(config: BakeConfiguration, last: string[]): Promise<string[] | undefined> {
  if (config.builds.length <= 1) return [];
  const lastKnown = last.filter((b) => config.builds.includes(b));
  const items = config.builds.map((b) => ({ label: b, picked: lastKnown.length === 0 || lastKnown.includes(b) }));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Packer: Bake AMI (2/3)', placeHolder: 'Builds to run (-only); none picked = all', canPickMany: true,
  });
  if (!picked) return undefined;
  return picked.length === config.builds.length ? [] : picked.map((p) => p.label);
}

/** Var files for the configuration (its folder, its sub-folders, Packer's working directory). Undefined when the user backs out. */
async function chooseVarFiles(config: BakeConfiguration, last: string[]): Promise<string[] | undefined> {
  const files = listVarFiles(config.target, config.format, config.workingDirectory);
  if (files.length === 0) return [];
  const base = config.format === 'json' ? path.dirname(config.target) : config.target;
  const items = files.map((f) => ({ label: path.relative(base, f).split(path.sep).join('/'), picked: last.includes(f), file: f }));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Packer: Bake AMI (3/3)',
    placeHolder: `Var files (-var-file), in this order${config.format === 'hcl' ? '; *.auto.pkrvars.hcl are loaded by Packer itself' : ''}`,
    canPickMany: true,
  });
  if (!picked) return undefined;
  return picked.map((p) => p.file);
}

/** The findings of every file of the configuration, each once. */
async function configurationDiagnostics(services: BakeServices, config: BakeConfiguration): Promise<Diagnostic[]> {
  const infos = await Promise.all(config.files.map((f) => services.client.sendRequest(TemplateInfoRequest.type, { uri: f.uri })));
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const info of infos) {
    for (const d of info?.diagnostics ?? []) {
      const where = d.relatedInformation?.[0]?.location.uri ?? info!.uri;
      const key = JSON.stringify([where, d.range, d.code, d.message]);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(d);
    }
  }
  return out;
}

const LAUNCH_WARNING = 'Baking launches an EC2 instance in your AWS account (and creates an AMI), which costs money.';

/**
 * Offers to fix the configuration's control-socket findings first, and asks
 * once per configuration before a bake that launches AWS instances. False
 * when the user cancels.
 */
async function preflight(services: BakeServices, config: BakeConfiguration, name: string, texts: string[], launches: boolean): Promise<boolean> {
  const { workspaceState: state } = services.context;
  const confirmed = state.get<Record<string, boolean>>(CONFIRMED_LAUNCH_KEY, {});
  const mustConfirm = launches && !confirmed[config.target];
  // The versions of the container these settings run, found at its last bake (unknown before the first).
  const known = toolchainThatWillRun(services.context, vscode.Uri.file(config.target));
  const proofs = state.get<Record<string, string[]>>(PROOFS_KEY, {})[config.target] ?? [];
  const { problems, answeredByBake, otherToolchain } = preflightProblems(await configurationDiagnostics(services, config), known,
    (t) => proofs.includes(bakeProof(texts, t)));
  const now = new Date().toISOString();
  for (const d of answeredByBake) {
    services.output.appendLine(`[${now}] ${name}: not asking about ${String(d.code)} (line ${d.range.start.line + 1}): `
      + `this configuration already baked with ${toolchainLabel(known)}`);
  }
  for (const d of otherToolchain) {
    services.output.appendLine(`[${now}] ${name}: not asking about ${String(d.code)} (line ${d.range.start.line + 1}): `
      + `it assumes ${toolchainLabel(assumedToolchain(d, known))}, the bake container has ${toolchainLabel(known)}`);
  }
  const remember = async () => {
    if (mustConfirm) await state.update(CONFIRMED_LAUNCH_KEY, { ...state.get<Record<string, boolean>>(CONFIRMED_LAUNCH_KEY, {}), [config.target]: true });
  };

  if (problems.length === 0) {
    if (!mustConfirm) return true;
    const choice = await vscode.window.showWarningMessage(`Bake ${name}?`, {
      modal: true,
      detail: `${LAUNCH_WARNING}\nBuilds: ${config.builds.join(', ')}.\nAWS credentials come from VS Code's environment (AWS_* variables) and ~/.aws.\nYou are asked once for this configuration.`,
    }, 'Bake');
    if (choice !== 'Bake') return false;
    await remember();
    return true;
  }

  const { message, detail } = preflightMessage(name, problems, known);
  const choice = await vscode.window.showWarningMessage(message, { modal: true, detail: mustConfirm ? `${detail}\n\n${LAUNCH_WARNING}` : detail },
    'Fix and bake', 'Bake anyway');
  if (choice !== 'Bake anyway' && choice !== 'Fix and bake') return false;
  await remember();
  if (choice === 'Bake anyway') return true;
  const dirtyBefore = new Set(vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => d.uri.toString()));
  let applied = 0;
  for (const f of config.files) applied += (await services.client.sendRequest(FixAllRequest.type, { uri: f.uri })).applied;
  // Packer reads the files from disk: save what the fixes changed (and only that).
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.isDirty && !dirtyBefore.has(doc.uri.toString())) await doc.save();
  }
  for (const f of config.files) {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === f.uri);
    if (doc?.isDirty) await doc.save();
  }
  services.output.appendLine(`[${new Date().toISOString()}] ${config.target}: applied ${applied} fix${applied === 1 ? '' : 'es'} before baking`);
  return true;
}
