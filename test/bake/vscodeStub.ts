// A small stand-in for the `vscode` module: just what client/src/bake uses,
// with every UI call recorded and answered by the test. Installed with
// `installVscodeStub()` before the bake's UI modules are loaded.
import Module from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export class Uri {
  private constructor(readonly scheme: string, readonly path: string) {}
  static file(p: string): Uri { return new Uri('file', path.resolve(p)); }
  static parse(s: string): Uri {
    if (s.startsWith('file:')) return new Uri('file', fileURLToPath(s));
    const m = /^([a-z-]+):(.*)$/.exec(s);
    return new Uri(m ? m[1] : 'file', m ? m[2] : s);
  }
  get fsPath(): string { return this.path; }
  toString(): string { return this.scheme === 'file' ? pathToFileURL(this.path).href : `${this.scheme}:${this.path}`; }
}

export class EventEmitter<T> {
  private listeners: Array<(e: T) => void> = [];
  event = (l: (e: T) => void) => { this.listeners.push(l); return { dispose: () => { this.listeners = this.listeners.filter((x) => x !== l); } }; };
  fire(e: T): void { for (const l of [...this.listeners]) l(e); }
  dispose(): void { this.listeners = []; }
}

export class Position { constructor(readonly line: number, readonly character: number) {} }
export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: number | Position, b: number | Position, c?: number, d?: number) {
    this.start = typeof a === 'number' ? new Position(a, b as number) : a;
    this.end = typeof a === 'number' ? new Position(c!, d!) : (b as Position);
  }
}
export enum DiagnosticSeverity { Error = 0, Warning = 1, Information = 2, Hint = 3 }
export class Diagnostic {
  source?: string;
  constructor(readonly range: Range, readonly message: string, readonly severity: DiagnosticSeverity) {}
}
export enum TaskScope { Global = 1, Workspace = 2 }
export enum FileType { Unknown = 0, File = 1, Directory = 2, SymbolicLink = 64 }
export enum TaskRevealKind { Always = 1, Silent = 2, Never = 3 }
export enum TaskPanelKind { Shared = 1, Dedicated = 2, New = 3 }
export enum ProgressLocation { SourceControl = 1, Window = 10, Notification = 15 }
export class CustomExecution {
  constructor(readonly callback: (resolved: Record<string, unknown>) => Promise<Pseudoterminal>) {}
}
export interface Pseudoterminal {
  onDidWrite: (l: (s: string) => void) => unknown;
  onDidClose?: (l: (code: number) => void) => unknown;
  open(dims: unknown): void;
  close(): void;
}
export class Task {
  presentationOptions: unknown;
  detail?: string;
  constructor(readonly definition: Record<string, unknown>, readonly scope: unknown, readonly name: string,
    readonly source: string, readonly execution: CustomExecution) {}
}

export interface WorkspaceFolder { uri: Uri; name: string; index: number }

/** What the test controls and observes. */
export const stub = {
  trusted: true,
  folders: [] as WorkspaceFolder[],
  settings: {} as Record<string, unknown>,
  activeUri: undefined as Uri | undefined,
  /** Answers for showQuickPick, in call order: a function picking items (or undefined = Escape). */
  quickPicks: [] as Array<(items: Array<{ label: string; picked?: boolean }>) => unknown>,
  /** Answer for the next warning/information/error message (button label or undefined). */
  messageAnswers: [] as Array<string | undefined>,
  calls: [] as Array<{ kind: string; args: unknown[] }>,
  executedTasks: [] as Task[],
  clipboard: '',
  output: [] as string[],
  contexts: {} as Record<string, unknown>,
  diagnostics: new Map<string, Diagnostic[]>(),
  /** The Cancel button of the current progress notification. */
  progressCancel: undefined as (() => void) | undefined,
  progress: [] as string[],
  /** `vscode.env.remoteName`: undefined in a local window, e.g. `ssh-remote` in a remote one. */
  remoteName: undefined as string | undefined,
  reset(): void {
    Object.assign(stub, {
      trusted: true, folders: [], settings: {}, activeUri: undefined, quickPicks: [], messageAnswers: [], calls: [],
      executedTasks: [], clipboard: '', output: [], contexts: {}, diagnostics: new Map(), progressCancel: undefined, progress: [],
      remoteName: undefined,
    });
  },
};

const record = (kind: string, ...args: unknown[]) => { stub.calls.push({ kind, args }); };
const answer = async (kind: string, ...args: unknown[]) => { record(kind, ...args); return stub.messageAnswers.shift(); };

export const workspace = {
  get isTrusted() { return stub.trusted; },
  get workspaceFolders() { return stub.folders; },
  textDocuments: [] as unknown[],
  getConfiguration: (section: string) => ({ get: (key: string) => stub.settings[`${section}.${key}`] }),
  getWorkspaceFolder: (uri: Uri) => stub.folders.find((f) => uri.fsPath === f.uri.fsPath || uri.fsPath.startsWith(f.uri.fsPath + path.sep)),
  asRelativePath: (p: string) => p,
  fs: { readFile: async (uri: Uri) => (await import('node:fs')).readFileSync(uri.fsPath) },
  onDidSaveTextDocument: () => ({ dispose() {} }),
  onDidCreateFiles: () => ({ dispose() {} }),
  onDidDeleteFiles: () => ({ dispose() {} }),
  onDidRenameFiles: () => ({ dispose() {} }),
};

export const window = {
  get activeTextEditor() { return stub.activeUri ? { document: { uri: stub.activeUri } } : undefined; },
  showQuickPick: async (items: Array<{ label: string; picked?: boolean }>, options: unknown) => {
    record('quickPick', items.map((i) => ({ label: i.label, picked: !!i.picked })), options);
    const next = stub.quickPicks.shift();
    if (!next) throw new Error('unexpected quick pick');
    return next(items);
  },
  showInformationMessage: (...a: unknown[]) => answer('info', ...a),
  showWarningMessage: (...a: unknown[]) => answer('warning', ...a),
  showErrorMessage: (...a: unknown[]) => answer('error', ...a),
  showTextDocument: async (...a: unknown[]) => record('showTextDocument', ...a),
  createOutputChannel: (name: string) => ({ name, appendLine: (s: string) => stub.output.push(s), show: () => record('showOutput'), dispose() {} }),
  withProgress: async <R>(options: unknown, task: (p: { report: (v: { message?: string }) => void }, token: { onCancellationRequested: (l: () => void) => void }) => Promise<R>) => {
    record('progress', options);
    const listeners: Array<() => void> = [];
    stub.progressCancel = () => { for (const l of listeners) l(); };
    try {
      return await task({ report: (v) => { if (v.message) stub.progress.push(v.message); } }, { onCancellationRequested: (l) => { listeners.push(l); } });
    } finally {
      stub.progressCancel = undefined;
    }
  },
};

export const tasks = {
  executeTask: async (t: Task) => { stub.executedTasks.push(t); return { task: t }; },
  registerTaskProvider: (type: string, provider: unknown) => { record('taskProvider', type, provider); return { dispose() {} }; },
};

export const commands = {
  registerCommand: (id: string, fn: unknown) => { record('registerCommand', id, fn); return { dispose() {} }; },
  executeCommand: async (id: string, ...args: unknown[]) => {
    if (id === 'setContext') stub.contexts[args[0] as string] = args[1];
    else record('executeCommand', id, ...args);
  },
};

export const languages = {
  createDiagnosticCollection: (name: string) => ({
    name,
    set: (uri: Uri, list: Diagnostic[]) => { stub.diagnostics.set(uri.fsPath, list); },
    clear: () => { stub.diagnostics.clear(); },
    dispose() {},
  }),
};

export const env = {
  clipboard: { writeText: async (s: string) => { stub.clipboard = s; } },
  get remoteName() { return stub.remoteName; },
};

let installed = false;
/** Makes `require('vscode')` return this module. */
export function installVscodeStub(): void {
  if (installed) return;
  installed = true;
  const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = M._resolveFilename;
  M._resolveFilename = function (request: string, ...rest: unknown[]) {
    if (request === 'vscode') return __filename;
    return original.call(this, request, ...rest);
  };
}
