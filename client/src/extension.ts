/**
 * The packer-bake extension. This bundle (dist/client.js) is what VS Code
 * loads on activation, and the Running Extensions view counts its loading
 * plus the activate() call as the extension's activation time, so it holds
 * only what must be registered at once. The rest is loaded right after
 * activate() returns: the Bake AMI registration (dist/bake.js) before
 * activation completes, so its command and task provider exist when VS Code
 * runs them, then the language client (dist/languageClient.js, with
 * vscode-languageclient). Commands that need the server wait for it.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { FixAllRequest } from '../../server/src/shared/protocol';
import type * as BakeModule from './bake';
import type * as CommandsModule from './commands';
import type { BakeClient } from './bake/task';
import type * as LanguageClientModule from './languageClient';
import { fixAllReport } from './commands/fixAllReport';
import { RULE_DOCS_COMMAND, showRuleDocs } from './ruleDocs';

const SHOW_OUTPUT = 'Show Details';

let started: Promise<LanguageClient | undefined> | undefined;

/** Bundles beside this one, by a path esbuild leaves alone (they are not bundled into this file). */
const load = <T>(bundle: string): T => require(path.join(__dirname, bundle)) as T;

/** What activate() returns: its timings, for the end-to-end tier and the benchmarks. */
export interface PackerBakeApi {
  /** Milliseconds of activate()'s own work. */
  activationMs: number;
  /** Resolves with the milliseconds from activation to the server's first workspace scan being done. */
  serverReady: Promise<number>;
}

export function activate(context: vscode.ExtensionContext): Promise<PackerBakeApi> {
  const t0 = performance.now();
  const output = vscode.window.createOutputChannel('Packer Bake');
  let ready: (ms: number) => void = () => undefined;
  const serverReady = new Promise<number>((resolve) => (ready = resolve));
  let clientStarted: (c: LanguageClient | undefined) => void = () => undefined;
  started = new Promise((resolve) => (clientStarted = resolve));
  const client = lazyClient(started);

  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('packerBake.fixAllInWorkspace', async () => {
      const report = fixAllReport(await client.sendRequest(FixAllRequest.type, {}), (uri) => vscode.workspace.asRelativePath(vscode.Uri.parse(uri)));
      if (report.level === 'info') return void vscode.window.showInformationMessage(report.message);
      for (const line of report.details) output.appendLine(`packer-bake: ${line}`);
      if ((await vscode.window.showWarningMessage(report.message, SHOW_OUTPUT)) === SHOW_OUTPUT) output.show(true);
    }),
    vscode.commands.registerCommand(RULE_DOCS_COMMAND, (ruleId: unknown) => showRuleDocs(context.extensionUri, ruleId)),
    // The two file-writing commands live in dist/commands.js, loaded when one first runs.
    vscode.commands.registerCommand('packerBake.createDevContainer', () => load<typeof CommandsModule>('commands.js').createDevContainer(context)),
    vscode.commands.registerCommand('packerBake.addCiBakeJob', () => load<typeof CommandsModule>('commands.js').addCiBakeJob(context, client)),
  );
  const activationMs = performance.now() - t0;
  return new Promise((resolve) => {
    setImmediate(() => {
      try {
        load<typeof BakeModule>('bake.js').registerBake(context, client);
      } catch (e) {
        output.appendLine(`packer-bake: Bake AMI could not be registered: ${errorText(e)}`);
      }
      resolve({ activationMs, serverReady });
      // After activation has completed: loading vscode-languageclient is most of the start-up work.
      setImmediate(() => {
        try {
          load<typeof LanguageClientModule>('languageClient.js').startLanguageClient(context, output, () => ready(performance.now() - t0)).then(clientStarted, (e: unknown) => {
            output.appendLine(`packer-bake: the language server did not start: ${errorText(e)}`);
            clientStarted(undefined);
          });
        } catch (e) {
          output.appendLine(`packer-bake: the language client could not be loaded: ${errorText(e)}`);
          clientStarted(undefined);
        }
      });
    });
  });
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The client's requests, waiting until it has started (for commands run while
 * it starts). By method name: the request types here come from this bundle's
 * copy of vscode-jsonrpc, whose parameter-structure objects the language
 * client's copy does not recognise.
 */
function lazyClient(client: Promise<LanguageClient | undefined>): BakeClient {
  const get = async () => {
    const c = await client;
    if (!c) throw new Error('the Packer Bake language server is not running; see the Packer Bake output');
    return c;
  };
  return {
    sendRequest: async (type, params) => (await get()).sendRequest(type.method, params),
    sendNotification: async (type, params) => (await get()).sendNotification(type.method, params),
  };
}

export async function deactivate(): Promise<void> {
  const client = await started;
  started = undefined;
  await client?.stop();
}
