/**
 * "Packer: Bake AMI": registration. Cheap by design: nothing here probes the
 * container engine or builds anything; that happens when a bake starts.
 */
import * as vscode from 'vscode';
import { bakeAmi, BAKE_COMMAND } from './command';
import type { BakeRunner } from './runner';
import { ToolchainNotification } from '../../../server/src/shared/protocol';
import { registerTaskProvider, toolchainThatWillRun, type BakeClient, type BakeServices } from './task';
import { listConfigurations } from './workspace';

export { BAKE_COMMAND } from './command';
export { BAKE_TASK_TYPE, type BakeTaskDefinition } from './taskDefinition';

/**
 * Context key: path (as `resourcePath` has it) → true, for every template the
 * server knows and every HCL2 configuration folder (menus use `resourcePath in …`).
 */
export const TEMPLATE_PATHS_KEY = 'packerBake.templatePaths';

/**
 * Registers the Bake AMI command, the `packer-bake` task provider, the bake
 * output channel and build-error diagnostics. Call from `activate()`; the
 * client may still be starting (requests wait for it).
 */
export function registerBake(context: vscode.ExtensionContext, client: BakeClient): void {
  const output = vscode.window.createOutputChannel('Packer Bake AMI');
  const diagnostics = vscode.languages.createDiagnosticCollection('packer-bake-build');
  const running = new Set<BakeRunner>();
  const services: BakeServices = { context, client, output, diagnostics, running };
  context.subscriptions.push(
    output,
    diagnostics,
    registerTaskProvider(services),
    vscode.commands.registerCommand(BAKE_COMMAND, (arg?: unknown) => bakeAmi(services, arg)),
    // Best effort on shutdown: ask running bakes to stop their containers.
    { dispose: () => { for (const r of running) void r.cancel(); } },
    templatePathsContext(client),
  );
  resendToolchain(context, client);
}

/**
 * The versions the bake container had at its last bake live in globalState;
 * the server keeps them only in memory. Sent again once the client has
 * started, so a reload does not make the toolchain rules forget them until
 * the next bake.
 */
export function resendToolchain(context: vscode.ExtensionContext, client: BakeClient): void {
  let toolchain;
  try {
    toolchain = toolchainThatWillRun(context, vscode.workspace.workspaceFolders?.[0]?.uri);
  } catch {
    return; // unreadable bake settings: the next bake probes again
  }
  if (toolchain) void client.sendNotification?.(ToolchainNotification.type, { toolchain })?.catch(() => undefined);
}

/** Keeps TEMPLATE_PATHS_KEY current, so legacy `.json` templates and HCL2 folders get the menu items too. */
function templatePathsContext(client: BakeClient): vscode.Disposable {
  let timer: NodeJS.Timeout | undefined;
  let disposed = false;
  const refresh = async (): Promise<void> => {
    try {
      const configurations = await listConfigurations(client);
      if (disposed) return;
      const paths: Record<string, true> = {};
      for (const c of configurations) {
        if (c.builds.length === 0) continue;
        // The key `resourcePath` holds: the fsPath for file URIs.
        paths[c.target] = true;
        for (const f of c.files) paths[f.file] = true;
      }
      await vscode.commands.executeCommand('setContext', TEMPLATE_PATHS_KEY, paths);
    } catch { /* the server is not up (yet); the next change retries */ }
  };
  const schedule = (ms: number) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => { timer = undefined; void refresh(); }, ms);
  };
  const isCandidate = (uri: vscode.Uri) => /\.json$/i.test(uri.path) || /\.pkr\.hcl$/i.test(uri.path);
  // After activation returns (the client is started by then), not during it.
  schedule(1000);
  const subs = [
    vscode.workspace.onDidSaveTextDocument((d) => { if (isCandidate(d.uri)) schedule(1000); }),
    vscode.workspace.onDidCreateFiles((e) => { if (e.files.some(isCandidate)) schedule(1000); }),
    vscode.workspace.onDidDeleteFiles((e) => { if (e.files.some(isCandidate)) schedule(1000); }),
    vscode.workspace.onDidRenameFiles((e) => { if (e.files.some((f) => isCandidate(f.newUri))) schedule(1000); }),
  ];
  return { dispose: () => { disposed = true; if (timer) clearTimeout(timer); for (const s of subs) s.dispose(); } };
}
