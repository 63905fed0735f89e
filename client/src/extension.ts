/**
 * The packer-bake extension: starts the language server (diagnostics and
 * quick fixes for Packer templates) and registers the commands.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { FixAllRequest, ServerReadyNotification } from '../../server/src/shared/protocol';
import { registerBake } from './bake';

let client: LanguageClient | undefined;

/** What activate() returns: its timings, for the end-to-end tier and the benchmarks. */
export interface PackerBakeApi {
  /** Milliseconds of activate()'s own work, up to starting the language server. */
  activationMs: number;
  /** Resolves with the milliseconds from activation to the server's first workspace scan being done. */
  serverReady: Promise<number>;
}

export async function activate(context: vscode.ExtensionContext): Promise<PackerBakeApi> {
  const started = performance.now();
  const output = vscode.window.createOutputChannel('Packer Bake');
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      ...['json', 'jsonc', 'packer-hcl'].flatMap((language) => [
        { scheme: 'file', language },
        { scheme: 'untitled', language },
      ]),
      // Findings (and their quick fixes) can point into the ansible.cfg a template uses.
      { scheme: 'file', pattern: '**/ansible.cfg' },
      // The containers Packer runs in: CI files (devcontainer.json is jsonc, above).
      { scheme: 'file', pattern: '**/.github/workflows/*.{yml,yaml}' },
      { scheme: 'file', pattern: '**/{Jenkinsfile,Jenkinsfile.*,*.jenkinsfile,*.Jenkinsfile}' },
    ],
    outputChannel: output,
    synchronize: { configurationSection: 'packerBake' },
  };
  client = new LanguageClient('packerBake', 'Packer Bake', serverOptions, clientOptions);

  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('packerBake.fixAllInWorkspace', async () => {
      const { applied } = await client!.sendRequest(FixAllRequest.type, {});
      void vscode.window.showInformationMessage(applied === 0 ? 'Packer Bake: nothing to fix.' : `Packer Bake: applied ${applied} fix${applied === 1 ? '' : 'es'}.`);
    }),
  );
  registerBake(context, client);
  const activationMs = performance.now() - started;
  const serverReady = new Promise<number>((resolve) => {
    const subscription = client!.onNotification(ServerReadyNotification.type, () => {
      subscription.dispose();
      resolve(performance.now() - started);
    });
  });
  await client.start();
  return { activationMs, serverReady };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
