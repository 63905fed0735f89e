/**
 * The `packer-bake` task type: a CustomExecution whose pseudoterminal runs a
 * BakeRunner, with a progress notification (Cancel stops Packer gracefully),
 * the result in the output channel, Packer's errors in the Problems panel and
 * the AMI id one click from the clipboard.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { ToolchainNotification } from '../../../server/src/shared/protocol';
import { configurationOf, type BakeConfiguration } from './configurations';
import { configurationTexts } from './files';
import { bakeProof, bakeSetupKey } from './preflight';
import { amisOf, progressText, resultMessage, resultRecord } from './report';
import { BakeRunner, type BakeResult } from './runner';
import { BAKE_SECTION, checkBakeSettings, type NormalizedBakeSettings } from './settings';
import {
  BAKE_TASK_TYPE, buildTarget, definitionProblem, formatFromName, requestFromDefinition, taskLabel, templatePath,
  type BakeTaskDefinition, type TemplateFacts,
} from './taskDefinition';
import type { ToolchainVersions } from './toolchain';
import { listConfigurations, openSetting, settingFor, settingScope, type BakeClient } from './workspace';

export type { BakeClient } from './workspace';

export interface BakeServices {
  context: vscode.ExtensionContext;
  client: BakeClient;
  output: vscode.OutputChannel;
  diagnostics: vscode.DiagnosticCollection;
  /** Bakes running now, so deactivation can cancel them. */
  running: Set<BakeRunner>;
}

/** globalState key: container key (image id) → the versions found in it. */
const TOOLCHAIN_KEY = 'packerBake.bake.toolchainByImage';
/** globalState key: `bakeSetupKey` of the settings → the versions found in that container at its last bake (the preflight's "will run"). */
export const SETUP_TOOLCHAIN_KEY = 'packerBake.bake.toolchainBySetup';
/** workspaceState key: configuration target → proofs (`bakeProof`) of successful bakes. */
export const PROOFS_KEY = 'packerBake.bake.bakedWith';

export function readBakeSettings(scope: vscode.Uri | undefined): NormalizedBakeSettings {
  const c = vscode.workspace.getConfiguration(BAKE_SECTION, scope);
  return checkBakeSettings({
    container: c.get('container'),
    containerEngine: c.get('containerEngine'),
    enginePath: c.get('enginePath'),
    image: c.get('image'),
    tmpMount: c.get('tmpMount'),
    injectControlPath: c.get('injectControlPath'),
    extraEngineArgs: c.get('extraEngineArgs'),
    stopTimeoutSeconds: c.get('stopTimeoutSeconds'),
    pluginVolume: c.get('pluginVolume'),
    devcontainerPath: c.get('devcontainerPath'),
  });
}

/** The extension's version, as the bundled image's tag uses it. */
export function extensionVersionOf(context: vscode.ExtensionContext): string {
  return String(context.extension.packageJSON.version ?? '0.0.0');
}

/** The versions found in the container these settings choose, at its last bake; undefined when it has not baked yet. */
export function toolchainThatWillRun(context: vscode.ExtensionContext, scope: vscode.Uri | undefined): ToolchainVersions | undefined {
  const key = bakeSetupKey(readBakeSettings(scope).settings, extensionVersionOf(context));
  return context.globalState.get<Record<string, ToolchainVersions>>(SETUP_TOOLCHAIN_KEY, {})[key];
}

/** A runnable `packer-bake` task for a definition. */
export function createBakeTask(def: BakeTaskDefinition, scope: vscode.WorkspaceFolder | vscode.TaskScope.Workspace,
  services: BakeServices): vscode.Task {
  const task = new vscode.Task(def, scope, taskLabel(def), BAKE_TASK_TYPE,
    new vscode.CustomExecution(async (resolved) => new BakeTerminal(resolved as BakeTaskDefinition, folderOf(scope), services)));
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  task.detail = 'Packer build in a container with /tmp mounted';
  return task;
}

function folderOf(scope: vscode.WorkspaceFolder | vscode.TaskScope | undefined): vscode.WorkspaceFolder | undefined {
  return typeof scope === 'object' ? scope : undefined;
}

/** Provides one task per configuration the server knows (an HCL2 folder, a legacy template), and resolves tasks written in tasks.json. */
export function registerTaskProvider(services: BakeServices): vscode.Disposable {
  return vscode.tasks.registerTaskProvider(BAKE_TASK_TYPE, {
    async provideTasks(): Promise<vscode.Task[]> {
      if (!vscode.workspace.isTrusted) return [];
      let configurations: BakeConfiguration[];
      try { configurations = await listConfigurations(services.client); } catch { return []; }
      return configurations.filter((c) => c.builds.length > 0).map((c) => {
        const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(c.target));
        const rel = folder ? path.relative(folder.uri.fsPath, c.target).split(path.sep).join('/') : c.target;
        return createBakeTask({ type: BAKE_TASK_TYPE, template: rel === '' ? '.' : rel }, folder ?? vscode.TaskScope.Workspace, services);
      });
    },
    resolveTask(task: vscode.Task): vscode.Task | undefined {
      const def = task.definition as BakeTaskDefinition;
      if (definitionProblem(def)) return undefined;
      const scope = folderOf(task.scope) ?? vscode.TaskScope.Workspace;
      return createBakeTask(def, scope, services);
    },
  });
}

/** Facts about the configuration a template path names, from the server, or from the files when the server cannot say. */
async function configurationFacts(template: string, client: BakeClient): Promise<TemplateFacts> {
  try {
    const c = configurationOf(await listConfigurations(client), template);
    if (c) return { format: c.format, requiresInit: c.requiresInit, workingDirectory: c.workingDirectory };
  } catch { /* fall back below */ }
  const format = formatFromName(template);
  if (format === 'json') return { format, requiresInit: false };
  const requiresInit = configurationTexts(buildTarget(template, format), 'hcl').some((t) => /required_plugins/.test(t));
  return { format, requiresInit };
}

/**
 * VS Code calls a terminal whose process ends within 500 ms of its launch one
 * that "failed to launch" (its terminal process manager's
 * LAUNCHING_DURATION), which misleads after a bake that failed early with its
 * own message. A failed bake's terminal therefore closes no sooner than this
 * after it opened.
 */
export const MIN_FAILED_TERMINAL_MS = 1000;

class BakeTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private runner: BakeRunner | undefined;
  private closed = false;
  private openedAt = 0;

  constructor(private readonly def: BakeTaskDefinition, private readonly folder: vscode.WorkspaceFolder | undefined,
    private readonly services: BakeServices) {}

  open(): void {
    this.openedAt = Date.now();
    void this.start().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      this.write(`\r\n\x1b[31mPacker: Bake AMI failed: ${this.runner ? this.runner.mask(message) : message}\x1b[0m\r\n`);
      this.finish(1);
    });
  }

  /** The user closed the terminal or terminated the task: stop Packer gracefully. */
  close(): void {
    this.closed = true;
    void this.runner?.cancel();
  }

  private write(text: string): void {
    this.writeEmitter.fire(text.replace(/\r?\n/g, '\r\n'));
  }

  private finish(code: number): void {
    const wait = code === 0 || this.closed ? 0 : this.openedAt + MIN_FAILED_TERMINAL_MS - Date.now();
    if (wait > 0) setTimeout(() => this.closeEmitter.fire(code), wait);
    else this.closeEmitter.fire(code);
  }

  private async start(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.write('Packer: Bake AMI is unavailable in an untrusted workspace: it runs the template\'s provisioners. Trust the workspace to bake.\n');
      return this.finish(1);
    }
    const problem = definitionProblem(this.def);
    if (problem) {
      this.write(`Invalid packer-bake task: ${problem}\n`);
      return this.finish(1);
    }
    const folderPath = this.folder?.uri.fsPath;
    const template = templatePath(this.def, folderPath);
    const facts = await configurationFacts(template, this.services.client);
    const request = requestFromDefinition(this.def, folderPath, facts);
    const { settings, problems } = readBakeSettings(vscode.Uri.file(template));
    const { context, output, diagnostics, running } = this.services;
    const toolchains = () => context.globalState.get<Record<string, ToolchainVersions>>(TOOLCHAIN_KEY, {});
    const extensionVersion = extensionVersionOf(context);
    const setup = bakeSetupKey(settings, extensionVersion);
    const runner = new BakeRunner({
      request,
      settings,
      settingProblems: problems,
      extensionVersion,
      dockerfile: context.asAbsolutePath(path.join('bake', 'Dockerfile')),
      ...(folderPath ? { devcontainer: { workspaceFolder: folderPath } } : {}),
      toolchainCache: {
        get: (id) => toolchains()[id],
        set: (id, versions) => void context.globalState.update(TOOLCHAIN_KEY, { ...toolchains(), [id]: versions }),
      },
    });
    let toolchain: ToolchainVersions | undefined;
    runner.onToolchain((t) => {
      toolchain = t;
      void context.globalState.update(SETUP_TOOLCHAIN_KEY, { ...context.globalState.get<Record<string, ToolchainVersions>>(SETUP_TOOLCHAIN_KEY, {}), [setup]: t });
      void this.services.client.sendNotification?.(ToolchainNotification.type, { toolchain: t });
    });
    this.runner = runner;
    running.add(runner);
    runner.onOutput((t) => this.write(t));
    diagnostics.clear();

    const name = path.basename(request.target);
    let result: BakeResult;
    try {
      result = await vscode.window.withProgress({
        location: vscode.ProgressLocation.Notification,
        title: `Baking ${name}`,
        cancellable: true,
      }, async (progress, token) => {
        token.onCancellationRequested(() => { void runner.cancel(); });
        runner.onProgress((p) => progress.report({ message: progressText(p) }));
        if (this.closed) void runner.cancel();
        return runner.run();
      });
    } finally {
      running.delete(runner);
    }

    output.appendLine(resultRecord(result, request.target, new Date()));
    if (result.status === 'succeeded') await this.rememberSuccess(request.target, request.format, toolchain);
    this.publishErrors(result);
    this.finish(result.exitCode ?? (result.status === 'succeeded' ? 0 : 1));
    void this.notify(result, name);
  }

  /**
   * Records that this configuration, as its files are now, baked with these
   * versions: the preflight then no longer offers the toolchain findings the
   * real build has answered.
   */
  private async rememberSuccess(target: string, format: BakeConfiguration['format'] | 'hcl-json', toolchain: ToolchainVersions | undefined): Promise<void> {
    const texts = configurationTexts(target, format === 'json' ? 'json' : 'hcl');
    const state = this.services.context.workspaceState;
    const all = state.get<Record<string, string[]>>(PROOFS_KEY, {});
    const proof = bakeProof(texts, toolchain);
    const kept = [...(all[target] ?? []).filter((p) => p !== proof), proof].slice(-5);
    await state.update(PROOFS_KEY, { ...all, [target]: kept });
  }

  private publishErrors(result: BakeResult): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const e of result.errors) {
      for (const l of e.locations) {
        const line = Math.max(0, l.line - 1);
        const col = Math.max(0, (l.column ?? 1) - 1);
        const d = new vscode.Diagnostic(new vscode.Range(line, col, line, l.column ? col + 1 : Number.MAX_SAFE_INTEGER),
          e.message.split('\n').filter((s) => s.trim()).slice(0, 4).join('\n'), vscode.DiagnosticSeverity.Error);
        d.source = 'packer build';
        byFile.set(l.file, [...(byFile.get(l.file) ?? []), d]);
      }
    }
    for (const [file, list] of byFile) this.services.diagnostics.set(vscode.Uri.file(file), list);
  }

  private async notify(result: BakeResult, name: string): Promise<void> {
    const { severity, text } = resultMessage(result, name);
    if (severity === 'info') {
      const amis = amisOf(result);
      const actions = amis.length === 0 ? [] : amis.length === 1 ? ['Copy AMI ID'] : ['Copy AMI ID', 'Copy All AMI IDs'];
      const choice = await vscode.window.showInformationMessage(text, ...actions);
      if (choice === 'Copy AMI ID') await vscode.env.clipboard.writeText(amis[0].ami);
      if (choice === 'Copy All AMI IDs') await vscode.env.clipboard.writeText(amis.map((a) => `${a.region}: ${a.ami}`).join('\n'));
      return;
    }
    if (severity === 'warning') {
      void vscode.window.showWarningMessage(text);
      return;
    }
    const location = result.errors.flatMap((e) => e.locations)[0];
    const setting = settingFor(result.failureKind);
    const scope = setting ? settingScope(setting, vscode.env.remoteName) : undefined;
    const actions = [...(location ? ['Go to Error'] : []), ...(setting ? [scope?.remote ? 'Open Remote Settings' : 'Open Settings'] : []), 'Show Output'];
    const choice = await vscode.window.showErrorMessage(scope?.hint ? `${text} ${scope.hint}` : text, ...actions);
    if (choice === 'Show Output') this.services.output.show(true);
    if ((choice === 'Open Settings' || choice === 'Open Remote Settings') && setting) await openSetting(setting);
    if (choice === 'Go to Error' && location) {
      const pos = new vscode.Position(Math.max(0, location.line - 1), Math.max(0, (location.column ?? 1) - 1));
      await vscode.window.showTextDocument(vscode.Uri.file(location.file), { selection: new vscode.Range(pos, pos) });
    }
  }
}
