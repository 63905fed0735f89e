/**
 * The language client: its own bundle (dist/languageClient.js), loaded by
 * extension.ts only after activate() has returned, because
 * vscode-languageclient is nine tenths of the client's code and VS Code counts
 * the loading of the main bundle as activation time.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type DocumentSelector, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { CONTAINER_FILE_PATTERNS, TEMPLATE_FILE_PATTERNS, UNTITLED_TEMPLATE_LANGUAGES } from '../../server/src/shared/documents';
import { ServerReadyNotification, type InitializationOptions } from '../../server/src/shared/protocol';
import { RULE_DOCS_COMMAND } from './ruleDocs';

/**
 * Saved files by name, whatever their language id (`packer-hcl` from this
 * extension, `packer` from 4ops.packer or Packer Powertools, `hcl` from
 * HashiCorp's HCL extension, or what `files.associations` says): the server
 * decides the format by the file name. Unsaved documents have no name, so
 * there the language decides.
 */
export const DOCUMENT_SELECTOR: DocumentSelector = [
  ...TEMPLATE_FILE_PATTERNS.map((pattern) => ({ scheme: 'file', pattern })),
  ...CONTAINER_FILE_PATTERNS.map((pattern) => ({ scheme: 'file', pattern })),
  ...UNTITLED_TEMPLATE_LANGUAGES.map((language) => ({ scheme: 'untitled', language })),
];

/** Creates the client and starts it; `onReady` runs when the server has scanned the workspace. */
export async function startLanguageClient(context: vscode.ExtensionContext, output: vscode.OutputChannel, onReady: () => void): Promise<LanguageClient> {
  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const initializationOptions: InitializationOptions = { ruleDocsCommand: RULE_DOCS_COMMAND };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    synchronize: { configurationSection: 'packerBake' },
    initializationOptions,
  };
  const client = new LanguageClient('packerBake', 'Packer Bake', serverOptions, clientOptions);
  const subscription = client.onNotification(ServerReadyNotification.type, () => {
    subscription.dispose();
    onReady();
  });
  await client.start();
  return client;
}
