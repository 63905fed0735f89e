/**
 * A small LSP client for the protocol tests: starts the bundled server
 * (dist/server.js) over stdio in a temporary workspace, answers the requests a
 * real client answers (configuration, registrations, applyEdit), and lets
 * tests wait on notifications instead of sleeping.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ApplyWorkspaceEditRequest,
  CodeActionRequest,
  ConfigurationRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidChangeWorkspaceFoldersNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  FileChangeType,
  InitializeRequest,
  InitializedNotification,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  UnregistrationRequest,
  StreamMessageReader,
  StreamMessageWriter,
  createProtocolConnection,
  type ApplyWorkspaceEditParams,
  type ClientCapabilities,
  type CodeAction,
  type Diagnostic,
  type InitializeResult,
  type LogMessageParams,
  type ProtocolConnection,
  type Registration,
  type FileSystemWatcher,
  type TextDocumentEdit,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { ServerReadyNotification } from '../../server/src/shared/protocol';

const ROOT = path.resolve(__dirname, '..', '..');
/** Where the bundle is taken from; PACKER_BAKE_DIST points elsewhere (a private build) when set. */
const DIST = process.env.PACKER_BAKE_DIST ?? path.join(ROOT, 'dist');
const WAIT_MS = 10000;

let bundleCopy: string | undefined;

/**
 * A private copy of the bundled server and its wasm files, made once per run,
 * so a concurrent `npm run build` (which empties dist/) cannot pull the files
 * from under a running test.
 */
function bundledServer(): string {
  if (bundleCopy) return path.join(bundleCopy, 'server.js');
  const files = ['server.js', 'tree-sitter.wasm', 'tree-sitter-hcl.wasm', 'tree-sitter.cjs'];
  for (const f of files) {
    if (!fs.existsSync(path.join(DIST, f))) throw new Error(`${path.join(DIST, f)} is missing: run \`npm run build\` first`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-server-'));
  for (const f of files) fs.copyFileSync(path.join(DIST, f), path.join(dir, f));
  // The command as `npm install -g` installs it: a link on PATH to the bin file (when this dist has it; the fuzz tier's has not).
  if (fs.existsSync(path.join(DIST, 'language-server.js'))) {
    fs.copyFileSync(path.join(DIST, 'language-server.js'), path.join(dir, 'language-server.js'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.chmodSync(path.join(dir, 'language-server.js'), 0o755);
    fs.symlinkSync(path.join(dir, 'language-server.js'), path.join(dir, 'bin', LANGUAGE_SERVER_COMMAND));
  }
  bundleCopy = dir;
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'server.js');
}

/** The standalone server's command name (package.json `bin`). */
export const LANGUAGE_SERVER_COMMAND = 'packer-bake-language-server';

/** PATH with the standalone server's command on it (a private copy of dist/). */
export function pathWithLanguageServer(): string {
  const bin = path.join(path.dirname(bundledServer()), 'bin');
  if (!fs.existsSync(bin)) throw new Error(`${path.join(DIST, 'language-server.js')} is missing: run \`npm run build\` first`);
  return `${bin}${path.delimiter}${process.env.PATH ?? ''}`;
}

/** The URI a path gets from VS Code (and from the server). */
export function fileUri(file: string): string {
  return URI.file(file).toString();
}

function norm(uri: string): string {
  return URI.parse(uri).toString();
}

export interface StartOptions {
  /** Files to write into the workspace, by relative path. */
  files?: Record<string, string>;
  /** The `packerBake` section the client answers `workspace/configuration` with, or a function of the scope URI. */
  settings?: unknown | ((scopeUri: string | undefined) => unknown);
  /** Workspace folders, relative to the temporary root (default: the root itself). */
  folders?: string[];
  /** Client capabilities (default: configuration, dynamic registrations, workspace folders). */
  capabilities?: ClientCapabilities;
  /**
   * Start `packer-bake-language-server --stdio` from PATH and initialize with
   * `rootUri` only (workspaceFolders null), as Neovim, Helix and Zed do,
   * instead of `node server.js --stdio` with workspace folders.
   */
  standalone?: boolean;
  /** `initializationOptions` of the initialize request (VS Code's client sends `{ ruleDocsCommand }`). */
  initializationOptions?: unknown;
  /** Prepares the workspace root (after `files` are written) before the server starts: special files, symlinks, many files. */
  prepare?: (root: string) => void;
  /** Start the bundle's `language-server.js --stdio` (the standalone command's file) with workspace folders, instead of `server.js`. */
  languageServer?: boolean;
}

interface Waiter {
  uri: string;
  accept: (d: Diagnostic[]) => boolean;
  resolve: (d: Diagnostic[]) => void;
}

/** What VS Code advertises, as far as the server looks. */
export const DEFAULT_CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    workspaceFolders: true,
    applyEdit: true,
    workspaceEdit: { documentChanges: true },
    didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
    didChangeConfiguration: { dynamicRegistration: true },
  },
  textDocument: {
    publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true, dataSupport: true },
    codeAction: { dynamicRegistration: false, isPreferredSupport: true, dataSupport: true, disabledSupport: true },
    synchronization: { dynamicRegistration: false },
  },
};

/** A glob as VS Code's file watcher reads it: `**` any folders, `*` any characters but `/`. */
function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (glob.startsWith('**/', i)) {
      re += '(?:.*/)?';
      i += 2;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export class TestClient {
  readonly root: string;
  readonly connection: ProtocolConnection;
  readonly registrations: Registration[] = [];
  readonly unregistrations: string[] = [];
  readonly appliedEdits: ApplyWorkspaceEditParams[] = [];
  readonly logs: LogMessageParams[] = [];
  readonly configurationRequests: (string | undefined)[] = [];
  /** Workspace folder paths. */
  readonly folders: string[] = [];
  /** The packerBake settings answered to `workspace/configuration`. */
  settings: unknown | ((scopeUri: string | undefined) => unknown);
  initializeResult: InitializeResult | undefined;
  /** Resolves with the ServerReadyNotification's payload. */
  readonly ready: Promise<{ templates: number }>;
  private readonly published = new Map<string, Diagnostic[]>();
  private readonly publishCounts = new Map<string, number>();
  private waiters: Waiter[] = [];
  private watchWaiters: { file: string; resolve: () => void }[] = [];
  private readonly docs = new Map<string, TextDocument>();
  private stderr = '';
  private exited = false;
  private readonly exit: Promise<number | null>;

  private constructor(
    readonly child: ChildProcessWithoutNullStreams,
    root: string,
    options: StartOptions,
  ) {
    this.root = root;
    this.settings = options.settings ?? {};
    child.stderr.on('data', (b: Buffer) => (this.stderr += b.toString()));
    this.exit = new Promise((resolve) => child.once('exit', (code) => ((this.exited = true), resolve(code))));
    this.connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      const uri = norm(p.uri);
      this.published.set(uri, p.diagnostics);
      this.publishCounts.set(uri, (this.publishCounts.get(uri) ?? 0) + 1);
      const keep: Waiter[] = [];
      for (const w of this.waiters) {
        if (w.uri === uri && w.accept(p.diagnostics)) w.resolve(p.diagnostics);
        else keep.push(w);
      }
      this.waiters = keep;
    });
    this.connection.onNotification(LogMessageNotification.type, (p) => this.logs.push(p));
    this.connection.onRequest(ConfigurationRequest.type, (p) =>
      p.items.map((item) => {
        this.configurationRequests.push(item.scopeUri);
        if (item.section !== 'packerBake') return null;
        return typeof this.settings === 'function' ? (this.settings as (s: string | undefined) => unknown)(item.scopeUri) : this.settings;
      }),
    );
    this.connection.onRequest(RegistrationRequest.type, (p) => {
      this.registrations.push(...p.registrations);
      this.watchWaiters = this.watchWaiters.filter((w) => !(this.watches(w.file) && (w.resolve(), true)));
    });
    this.connection.onRequest(UnregistrationRequest.type, (p) => {
      this.unregistrations.push(...p.unregisterations.map((u) => u.id));
    });
    this.connection.onRequest(ApplyWorkspaceEditRequest.type, (p) => {
      this.appliedEdits.push(p);
      const failure = this.applyEdit(p.edit);
      return failure ? { applied: false, failureReason: failure } : { applied: true };
    });
    let readyResolve: (v: { templates: number }) => void = () => undefined;
    this.ready = new Promise((resolve) => (readyResolve = resolve));
    this.connection.onNotification(ServerReadyNotification.type, (p) => readyResolve(p));
    this.connection.listen();
  }

  /** Writes the files, starts the server and initializes it. */
  static async start(options: StartOptions = {}): Promise<TestClient> {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-ws-')));
    for (const [rel, text] of Object.entries(options.files ?? {})) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    }
    options.prepare?.(root);
    const script = options.languageServer ? path.join(path.dirname(bundledServer()), 'language-server.js') : bundledServer();
    const child = options.standalone
      ? spawn(LANGUAGE_SERVER_COMMAND, ['--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PATH: pathWithLanguageServer() } })
      : spawn(process.execPath, [script, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const client = new TestClient(child, root, options);
    const folders = (options.folders ?? ['.']).map((f) => ({ uri: fileUri(path.join(root, f)), name: path.basename(path.join(root, f)) }));
    client.folders.push(...folders.map((f) => URI.parse(f.uri).fsPath));
    client.initializeResult = await client.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: folders[0]?.uri ?? null,
      workspaceFolders: options.standalone ? null : folders,
      capabilities: options.capabilities ?? DEFAULT_CAPABILITIES,
      ...(options.initializationOptions !== undefined ? { initializationOptions: options.initializationOptions } : {}),
    });
    await client.connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  path(rel: string): string {
    return path.join(this.root, rel);
  }

  uri(rel: string): string {
    return fileUri(this.path(rel));
  }

  /** The last diagnostics published for a URI. */
  diagnostics(uri: string): Diagnostic[] | undefined {
    return this.published.get(norm(uri));
  }

  /** How many times diagnostics were published for a URI. */
  publishCount(uri: string): number {
    return this.publishCounts.get(norm(uri)) ?? 0;
  }

  /** The next diagnostics published for `uri` that satisfy `accept` (register before triggering). */
  nextDiagnostics(uri: string, accept: (d: Diagnostic[]) => boolean = () => true): Promise<Diagnostic[]> {
    const target = norm(uri);
    const wait = new Promise<Diagnostic[]>((resolve) => this.waiters.push({ uri: target, accept, resolve }));
    return this.deadline(wait, `diagnostics for ${uri}`);
  }

  /** The latest diagnostics for `uri` if they satisfy `accept`, else the next ones that do. */
  diagnosticsWhere(uri: string, accept: (d: Diagnostic[]) => boolean): Promise<Diagnostic[]> {
    const now = this.diagnostics(uri);
    return now && accept(now) ? Promise.resolve(now) : this.nextDiagnostics(uri, accept);
  }

  async open(rel: string, text?: string, languageId?: string): Promise<Diagnostic[]> {
    const uri = rel.includes(':') ? rel : this.uri(rel);
    const content = text ?? fs.readFileSync(this.path(rel), 'utf8');
    const lang = languageId ?? (rel.endsWith('.hcl') ? 'packer' : 'json');
    const doc = TextDocument.create(uri, lang, 1, content);
    this.docs.set(norm(uri), doc);
    const next = this.nextDiagnostics(uri);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: lang, version: 1, text: content } });
    return next;
  }

  document(relOrUri: string): TextDocument | undefined {
    return this.docs.get(norm(relOrUri.includes(':') ? relOrUri : this.uri(relOrUri)));
  }

  /** Replaces an open document's text (a full-text change, version + 1). */
  async change(relOrUri: string, text: string): Promise<TextDocument> {
    const doc = this.document(relOrUri);
    if (!doc) throw new Error(`${relOrUri} is not open`);
    return this.sendChanges(doc, [{ text }]);
  }

  /**
   * Several full-text changes written to the server in one chunk, so they
   * arrive together as fast typing does (no pause in which a debounce could
   * expire).
   */
  changeBurst(relOrUri: string, texts: string[]): TextDocument {
    const doc = this.document(relOrUri);
    if (!doc) throw new Error(`${relOrUri} is not open`);
    let frames = '';
    for (const text of texts) {
      const version = doc.version + 1;
      TextDocument.update(doc, [{ text }], version);
      const body = JSON.stringify({ jsonrpc: '2.0', method: DidChangeTextDocumentNotification.method, params: { textDocument: { uri: doc.uri, version }, contentChanges: [{ text }] } });
      frames += `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    }
    this.child.stdin.write(frames);
    return doc;
  }

  /** Applies LSP text edits to an open document as incremental changes. */
  async edit(doc: TextDocument, edits: TextEdit[]): Promise<TextDocument> {
    // Later edits first, so earlier positions stay valid.
    const sorted = [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
    return this.sendChanges(doc, sorted.map((e) => ({ range: e.range, text: e.newText })));
  }

  private async sendChanges(doc: TextDocument, changes: ({ text: string } | { range: TextEdit['range']; text: string })[]): Promise<TextDocument> {
    const version = doc.version + 1;
    TextDocument.update(doc, changes, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: doc.uri, version }, contentChanges: changes });
    return doc;
  }

  async close(relOrUri: string): Promise<void> {
    const uri = relOrUri.includes(':') ? relOrUri : this.uri(relOrUri);
    this.docs.delete(norm(uri));
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** Writes a file on disk and reports it as the file watcher would. */
  async writeFile(rel: string, text: string): Promise<void> {
    const file = this.path(rel);
    const existed = fs.existsSync(file);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    await this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: fileUri(file), type: existed ? FileChangeType.Changed : FileChangeType.Created }] });
  }

  async deleteFile(rel: string): Promise<void> {
    const file = this.path(rel);
    fs.rmSync(file, { recursive: true, force: true });
    await this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: fileUri(file), type: FileChangeType.Deleted }] });
  }

  /** Changes the settings and tells the server, as VS Code does. */
  async configure(settings: unknown | ((scopeUri: string | undefined) => unknown)): Promise<void> {
    this.settings = settings;
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  async addFolder(rel: string): Promise<void> {
    const uri = this.uri(rel);
    this.folders.push(this.path(rel));
    await this.connection.sendNotification(DidChangeWorkspaceFoldersNotification.type, { event: { added: [{ uri, name: rel }], removed: [] } });
  }

  async removeFolder(rel: string): Promise<void> {
    const uri = this.uri(rel);
    this.folders.splice(this.folders.indexOf(this.path(rel)) >>> 0, 1);
    await this.connection.sendNotification(DidChangeWorkspaceFoldersNotification.type, { event: { added: [], removed: [{ uri, name: rel }] } });
  }

  codeActions(relOrUri: string, diagnostics: Diagnostic[], only?: string[], range = diagnostics[0]?.range): Promise<CodeAction[]> {
    const uri = relOrUri.includes(':') ? relOrUri : this.uri(relOrUri);
    const r = range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return this.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: r, context: only ? { diagnostics, only } : { diagnostics } }) as Promise<CodeAction[]>;
  }

  /**
   * Applies a workspace edit as VS Code would: to the open document when
   * there is one, else to the file on disk, reported to the server as a file
   * change only when a registered watcher covers the file (VS Code's file
   * watcher reports nothing else). With `documentChanges`, a document whose
   * version is not the one named fails the whole edit, and nothing is
   * applied. Returns the failure reason, if any.
   */
  applyEdit(edit: WorkspaceEdit): string | undefined {
    const parts: { uri: string; version: number | null | undefined; edits: TextEdit[] }[] = [];
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) parts.push({ uri, version: undefined, edits });
    for (const change of edit.documentChanges ?? []) {
      if (!('textDocument' in change)) return `unsupported document change ${JSON.stringify(change)}`;
      const e = change as TextDocumentEdit;
      parts.push({ uri: e.textDocument.uri, version: e.textDocument.version, edits: e.edits as TextEdit[] });
    }
    for (const p of parts) {
      const doc = this.docs.get(norm(p.uri));
      if (p.version !== undefined && p.version !== null && doc?.version !== p.version) return `${p.uri} is at version ${doc?.version ?? 'closed'}, not ${p.version}`;
    }
    for (const p of parts) {
      const doc = this.docs.get(norm(p.uri));
      if (doc) {
        void this.edit(doc, p.edits);
        continue;
      }
      const file = URI.parse(p.uri).fsPath;
      const text = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, TextDocument.applyEdits(TextDocument.create(p.uri, 'text', 0, text), p.edits));
      if (this.watches(file)) void this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: p.uri, type: FileChangeType.Changed }] });
    }
    return undefined;
  }

  /** The file watchers the server registered and did not unregister. */
  get watchers(): FileSystemWatcher[] {
    return this.registrations
      .filter((r) => r.method === DidChangeWatchedFilesNotification.method && !this.unregistrations.includes(r.id))
      .flatMap((r) => (r.registerOptions as { watchers: FileSystemWatcher[] }).watchers);
  }

  /** Resolves once a registered watcher covers `file`. */
  whenWatched(file: string): Promise<void> {
    if (this.watches(file)) return Promise.resolve();
    return this.deadline(new Promise<void>((resolve) => this.watchWaiters.push({ file, resolve })), `a watcher for ${file}`);
  }

  /** True when a registered watcher covers `file` (glob patterns are relative to the workspace folders). */
  watches(file: string): boolean {
    return this.watchers.some(({ globPattern }) => {
      if (typeof globPattern === 'string') {
        return this.folders.some((folder) => {
          const rel = path.relative(folder, file);
          return !rel.startsWith('..') && !path.isAbsolute(rel) && globRegExp(globPattern).test(rel.split(path.sep).join('/'));
        });
      }
      const base = URI.parse(typeof globPattern.baseUri === 'string' ? globPattern.baseUri : globPattern.baseUri.uri).fsPath;
      const rel = path.relative(base, file);
      return !rel.startsWith('..') && !path.isAbsolute(rel) && globRegExp(globPattern.pattern).test(rel.split(path.sep).join('/'));
    });
  }

  /** True while the server process runs. */
  get alive(): boolean {
    return !this.exited;
  }

  /** Shuts the server down politely, then cleans the workspace. */
  async stop(): Promise<void> {
    try {
      if (!this.exited) {
        await this.deadline(this.connection.sendRequest(ShutdownRequest.type), 'shutdown');
        await this.connection.sendNotification(ExitNotification.type);
        await this.deadline(this.exit, 'server exit');
      }
    } finally {
      if (!this.exited) this.child.kill();
      this.connection.dispose();
      fs.rmSync(this.root, { recursive: true, force: true });
    }
  }

  /** Server stderr and log messages, for failure reports. */
  get output(): string {
    return [this.stderr, ...this.logs.map((l) => l.message)].join('\n');
  }

  private deadline<T>(p: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const fail = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} within ${WAIT_MS} ms; server output:\n${this.output}`)), WAIT_MS);
    });
    return Promise.race([p, fail]).finally(() => clearTimeout(timer));
  }
}
