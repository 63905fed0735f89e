/**
 * The packer-bake language server: a thin shell over the analysis core.
 * Transport from the command line (`--node-ipc` from the client, `--stdio`
 * for tests and other editors).
 */
import {
  type Disposable,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import * as path from 'path';
import { URI } from 'vscode-uri';
import { initHcl } from './analysis';
import { hclRuntime } from './wasmPaths';
import { CODE_ACTION_KINDS, codeActions, type EditCapabilities } from './codeActions';
import { useRuleDocsCommand } from './diagnostics';
import { forgetArrival, sinceChange, updateNotingEdits } from './documentChanges';
import { SettingsStore } from './settings';
import { SETTINGS_SECTION } from './shared/settings';
import { FixAllRequest, ListTemplatesRequest, ServerReadyNotification, TemplateInfoRequest, ToolchainNotification, type InitializationOptions } from './shared/protocol';
import { fixAllTemplates, listTemplates, templateInfo } from './templateRequests';
import { WorkspaceIndex, errorText } from './workspaceIndex';
import { WATCH_PATTERNS } from './workspaceScan';

const connection = createConnection(ProposedFeatures.all);
// Each change's span is noted for the parsers of the document (documentChanges.ts).
const documents = new TextDocuments<TextDocument>({ create: TextDocument.create, update: updateNotingEdits });

function logError(what: string, e: unknown): void {
  try {
    connection.console.error(`packer-bake: ${what} failed: ${errorText(e)}`);
  } catch {
    // The connection itself is gone; nothing left to tell.
  }
}

/** Wraps a handler so an exception is logged once and answered with `fallback`; the server keeps serving. */
function guard<P, R>(what: string, fallback: R, handler: (params: P) => R | Promise<R>): (params: P) => Promise<R> {
  return async (params: P) => {
    try {
      return await handler(params);
    } catch (e) {
      logError(what, e);
      return fallback;
    }
  };
}

/** The same for notifications. */
function guardNotification<P>(what: string, handler: (params: P) => void | Promise<void>): (params: P) => void {
  return (params: P) => {
    try {
      Promise.resolve(handler(params)).catch((e) => logError(what, e));
    } catch (e) {
      logError(what, e);
    }
  };
}

process.on('uncaughtException', (e) => logError('an uncaught exception', e));
process.on('unhandledRejection', (e) => logError('a promise', e));

let index: WorkspaceIndex | undefined;
let settings: SettingsStore | undefined;
let capabilities = { configuration: false, watchedFilesRegistration: false, relativePatterns: false, configurationRegistration: false, workspaceFolders: false };
let edits: EditCapabilities = { documentChanges: false, disabledActions: false };
/** The watchers registered for files analyses read that the static patterns miss. */
let extraWatchers: Disposable | undefined;

/**
 * Asks the client to watch exactly these files (one relative pattern per
 * file: its folder and its name, so files outside the workspace folders are
 * covered too). False when the client cannot.
 */
async function watchFiles(files: string[]): Promise<boolean> {
  if (!capabilities.watchedFilesRegistration || !capabilities.relativePatterns) return false;
  const previous = extraWatchers;
  extraWatchers = undefined;
  previous?.dispose();
  if (files.length === 0) return true;
  const watchers = files.map((f) => ({ globPattern: { baseUri: URI.file(path.dirname(f)).toString(), pattern: path.basename(f).replace(/[[\]{}*?]/g, '[$&]') } }));
  extraWatchers = await connection.client.register(DidChangeWatchedFilesNotification.type, { watchers });
  return true;
}
let initialFolders: string[] = [];

connection.onInitialize(async (params: InitializeParams): Promise<InitializeResult> => {
  const c = params.capabilities ?? {};
  capabilities = {
    configuration: !!c.workspace?.configuration,
    watchedFilesRegistration: !!c.workspace?.didChangeWatchedFiles?.dynamicRegistration,
    relativePatterns: !!c.workspace?.didChangeWatchedFiles?.relativePatternSupport,
    configurationRegistration: !!c.workspace?.didChangeConfiguration?.dynamicRegistration,
    workspaceFolders: !!c.workspace?.workspaceFolders,
  };
  useRuleDocsCommand((params.initializationOptions as InitializationOptions | null | undefined)?.ruleDocsCommand);
  edits = { documentChanges: !!c.workspace?.workspaceEdit?.documentChanges, disabledActions: !!c.textDocument?.codeAction?.disabledSupport };
  if (params.workspaceFolders) initialFolders = params.workspaceFolders.map((f) => f.uri);
  else if (params.rootUri) initialFolders = [params.rootUri];
  try {
    await initHcl(hclRuntime());
  } catch (e) {
    logError('loading the HCL parser (HCL2 templates will not be analysed)', e);
  }
  settings = new SettingsStore(connection, capabilities.configuration, (m) => connection.console.warn(`packer-bake: ${m}`));
  index = new WorkspaceIndex({
    documents,
    settings,
    publish: (uri, diagnostics) => void connection.sendDiagnostics({ uri, diagnostics }).catch((e) => logError('publishing diagnostics', e)),
    log: (m) => connection.console.error(`packer-bake: ${m}`),
    cacheDiskReads: capabilities.watchedFilesRegistration,
    watchFiles,
  });
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      codeActionProvider: { codeActionKinds: CODE_ACTION_KINDS, resolveProvider: false },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'packer-bake' },
  };
});

connection.onInitialized(
  guardNotification('initialization', async () => {
    if (capabilities.watchedFilesRegistration) {
      await connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: WATCH_PATTERNS.map((globPattern) => ({ globPattern })) });
    }
    if (capabilities.configurationRegistration) {
      await connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION });
    }
    if (capabilities.workspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders(
        guardNotification('a workspace folder change', (e) => {
          index?.removeFolders(e.removed.map((f) => f.uri));
          void index?.addFolders(e.added.map((f) => f.uri));
        }),
      );
    }
    if (!index) return;
    await index.addFolders(initialFolders);
    const templates = await listTemplates(index);
    await connection.sendNotification(ServerReadyNotification.type, { templates: templates.length });
  }),
);

connection.onDidChangeConfiguration(
  guardNotification('a configuration change', async (params) => {
    if (settings && (await settings.changed(params?.settings))) index?.revalidateAll();
  }),
);

connection.onNotification(
  ToolchainNotification.type,
  guardNotification('the toolchain versions', (params) => {
    if (settings?.setDetectedToolchain(params?.toolchain)) index?.revalidateAll();
  }),
);

connection.onDidChangeWatchedFiles(
  guardNotification('a file change', (params) => {
    for (const change of params?.changes ?? []) {
      index?.fileChanged(change.uri, change.type === FileChangeType.Deleted ? 'deleted' : change.type === FileChangeType.Created ? 'created' : 'changed');
    }
  }),
);

documents.onDidOpen(guardNotification('opening a document', (e) => index?.opened(e.document)));
documents.onDidChangeContent(guardNotification('a document change', (e) => index?.changed(e.document, sinceChange(e.document.uri))));
documents.onDidClose(
  guardNotification('closing a document', (e) => {
    forgetArrival(e.document.uri);
    index?.closed(e.document);
  }),
);

connection.onCodeAction(guard('code actions', [], (params) => (index && params?.textDocument ? codeActions(index, params, edits) : [])));

connection.onRequest(ListTemplatesRequest.type, guard('listing templates', [], () => (index ? listTemplates(index) : [])));
connection.onRequest(TemplateInfoRequest.type, guard('template info', null, (params) => (index ? templateInfo(index, params) : null)));
connection.onRequest(FixAllRequest.type, guard('fix all', { applied: 0 }, (params) => (index ? fixAllTemplates(index, connection, params, edits) : { applied: 0 })));

connection.onShutdown(() => index?.dispose());

documents.listen(connection);
connection.listen();
