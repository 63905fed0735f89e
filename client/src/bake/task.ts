/**
 * The `packer-bake` task type: a CustomExecution whose pseudoterminal runs a
 * BakeRunner, with a progress notification (Cancel stops the container
 * gracefully), the result in the output channel, Packer's errors in the
 * Problems panel and the AMI id one click from the clipboard.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import { ListTemplatesRequest, TemplateInfoRequest, ToolchainNotification } from '../../../server/src/shared/protocol';
import type { ToolchainVersions } from './toolchain';
import { BakeRunner, type BakeResult } from './runner';
import { BAKE_SECTION, normalizeBakeSettings, type BakeSettings } from './settings';
import { amisOf, progressText, resultMessage, resultRecord } from './report';
import {
  BAKE_TASK_TYPE, definitionProblem, formatFromName, requestFromDefinition, taskLabel, templatePath,
  type BakeTaskDefinition, type TemplateFacts,
} from './taskDefinition';

export interface BakeServices {
  context: vscode.ExtensionContext;
  client: BakeClient;
  output: vscode.OutputChannel;
  diagnostics: vscode.DiagnosticCollection;
  /** Bakes running now, so deactivation can cancel them. */
  running: Set<BakeRunner>;
}

/** The part of the language client the bake uses. */
export interface BakeClient {
  sendRequest<P, R, E>(type: RequestType<P, R, E>, params: P): Promise<R>;
  /** Tells the server the bake image's tool versions (the toolchain rules use them). */
  sendNotification?<P>(type: NotificationType<P>, params?: P): Promise<void>;
}

/** globalState key: bake image id → the versions found in it. */
const TOOLCHAIN_KEY = 'packerBake.bake.toolchainByImage';

export function readBakeSettings(scope: vscode.Uri | undefined): BakeSettings {
  const c = vscode.workspace.getConfiguration(BAKE_SECTION, scope);
  return normalizeBakeSettings({
    containerEngine: c.get('containerEngine'),
    enginePath: c.get('enginePath'),
    image: c.get('image'),
    tmpMount: c.get('tmpMount'),
    injectControlPath: c.get('injectControlPath'),
    extraEngineArgs: c.get('extraEngineArgs'),
    stopTimeoutSeconds: c.get('stopTimeoutSeconds'),
  });
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

/** Provides one task per template the server knows, and resolves tasks written in tasks.json. */
export function registerTaskProvider(services: BakeServices): vscode.Disposable {
  return vscode.tasks.registerTaskProvider(BAKE_TASK_TYPE, {
    async provideTasks(): Promise<vscode.Task[]> {
      if (!vscode.workspace.isTrusted) return [];
      let templates: Array<{ uri: string }> = [];
      try { templates = await services.client.sendRequest(ListTemplatesRequest.type, {}); } catch { return []; }
      return templates.flatMap((t) => {
        const uri = vscode.Uri.parse(t.uri);
        if (uri.scheme !== 'file') return [];
        const folder = vscode.workspace.getWorkspaceFolder(uri);
        const template = folder ? path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join('/') : uri.fsPath;
        return [createBakeTask({ type: BAKE_TASK_TYPE, template }, folder ?? vscode.TaskScope.Workspace, services)];
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

/** Template facts from the server, or from the file when the server cannot say. */
async function templateFacts(file: string, client: BakeClient): Promise<TemplateFacts> {
  try {
    const info = await client.sendRequest(TemplateInfoRequest.type, { uri: vscode.Uri.file(file).toString() });
    if (info) return { format: info.format, requiresInit: info.requiresInit };
  } catch { /* fall back below */ }
  let text = '';
  try { text = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(file))).toString('utf8'); } catch { /* missing: Packer says so */ }
  const format = formatFromName(file);
  return { format, requiresInit: format !== 'json' && /required_plugins/.test(text) };
}

class BakeTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private runner: BakeRunner | undefined;
  private closed = false;

  constructor(private readonly def: BakeTaskDefinition, private readonly folder: vscode.WorkspaceFolder | undefined,
    private readonly services: BakeServices) {}

  open(): void {
    void this.start().catch((error: unknown) => {
      this.write(`\r\n\x1b[31mPacker: Bake AMI failed: ${error instanceof Error ? error.message : String(error)}\x1b[0m\r\n`);
      this.finish(1);
    });
  }

  /** The user closed the terminal or terminated the task: stop the container gracefully. */
  close(): void {
    this.closed = true;
    void this.runner?.cancel();
  }

  private write(text: string): void {
    this.writeEmitter.fire(text.replace(/\r?\n/g, '\r\n'));
  }

  private finish(code: number): void {
    this.closeEmitter.fire(code);
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
    const facts = await templateFacts(template, this.services.client);
    const request = requestFromDefinition(this.def, folderPath, facts);
    const templateUri = vscode.Uri.file(template);
    const { context, output, diagnostics, running } = this.services;
    const runner = new BakeRunner({
      request,
      settings: readBakeSettings(templateUri),
      extensionVersion: String(context.extension.packageJSON.version ?? '0.0.0'),
      dockerfile: context.asAbsolutePath(path.join('bake', 'Dockerfile')),
      toolchainCache: {
        get: (id) => context.globalState.get<Record<string, ToolchainVersions>>(TOOLCHAIN_KEY, {})[id],
        set: (id, versions) => void context.globalState.update(TOOLCHAIN_KEY, { ...context.globalState.get<Record<string, ToolchainVersions>>(TOOLCHAIN_KEY, {}), [id]: versions }),
      },
    });
    runner.onToolchain((toolchain) => { void this.services.client.sendNotification?.(ToolchainNotification.type, { toolchain }); });
    this.runner = runner;
    running.add(runner);
    runner.onOutput((t) => this.write(t));
    diagnostics.clear();

    const name = path.basename(template);
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

    output.appendLine(resultRecord(result, template, new Date()));
    this.publishErrors(result);
    this.finish(result.exitCode ?? (result.status === 'succeeded' ? 0 : 1));
    void this.notify(result, name);
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
    const actions = [...(location ? ['Go to Error'] : []), 'Show Output'];
    const choice = await vscode.window.showErrorMessage(text, ...actions);
    if (choice === 'Show Output') this.services.output.show(true);
    if (choice === 'Go to Error' && location) {
      const pos = new vscode.Position(Math.max(0, location.line - 1), Math.max(0, (location.column ?? 1) - 1));
      await vscode.window.showTextDocument(vscode.Uri.file(location.file), { selection: new vscode.Range(pos, pos) });
    }
  }
}
