// A small stand-in for the `vscode` module: what client/src/commands/index.ts
// (and the configuration listing it borrows from the bake) uses, over the real
// file system, with every UI call recorded and answered by the test.
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export class Uri {
  private constructor(readonly scheme: string, readonly path: string) {}
  static file(p: string): Uri { return new Uri('file', path.resolve(p)); }
  static parse(s: string): Uri { return s.startsWith('file:') ? new Uri('file', fileURLToPath(s)) : new Uri(s.split(':')[0]!, s.slice(s.indexOf(':') + 1)); }
  static joinPath(base: Uri, ...parts: string[]): Uri { return new Uri(base.scheme, path.join(base.path, ...parts)); }
  get fsPath(): string { return this.path; }
  toString(): string { return this.scheme === 'file' ? pathToFileURL(this.path).href : `${this.scheme}:${this.path}`; }
}

export interface WorkspaceFolder { uri: Uri; name: string; index: number }

/** A UI call the command made, and what it was shown. */
export interface Call { kind: string; args: unknown[] }

export const stub = {
  trusted: true,
  folders: [] as WorkspaceFolder[],
  settings: {} as Record<string, unknown>,
  /** Answers to showQuickPick / showInputBox / showWorkspaceFolderPick, in order: a function of the items shown, or a value. */
  answers: [] as Array<(items: unknown) => unknown>,
  /** Answers to the show*Message calls, in order (undefined: dismissed). */
  messageAnswers: [] as Array<string | undefined>,
  calls: [] as Call[],
  /** Untitled documents opened, by content. */
  untitled: [] as Array<{ language?: string; content?: string }>,
  reset(): void {
    Object.assign(stub, { trusted: true, folders: [], settings: {}, answers: [], messageAnswers: [], calls: [], untitled: [] });
  },
};

const record = (kind: string, ...args: unknown[]) => { stub.calls.push({ kind, args }); };
const message = (kind: string) => async (...args: unknown[]) => { record(kind, ...args); return stub.messageAnswers.shift(); };
const ask = (kind: string) => async (...args: unknown[]) => {
  record(kind, ...args);
  const next = stub.answers.shift();
  if (!next) throw new Error(`unexpected ${kind}: ${JSON.stringify(args[0])}`);
  return next(args[0]);
};

export class WorkspaceEdit {
  readonly creates: Array<{ uri: Uri; options: { overwrite?: boolean; contents?: Uint8Array } }> = [];
  createFile(uri: Uri, options: { overwrite?: boolean; contents?: Uint8Array } = {}): void { this.creates.push({ uri, options }); }
}

export const workspace = {
  get isTrusted() { return stub.trusted; },
  get workspaceFolders() { return stub.folders; },
  getConfiguration: (section: string) => ({ get: <T>(key: string, d?: T) => (stub.settings[`${section}.${key}`] as T | undefined) ?? d }),
  getWorkspaceFolder: (uri: Uri) => stub.folders.find((f) => uri.fsPath === f.uri.fsPath || uri.fsPath.startsWith(f.uri.fsPath + path.sep)),
  fs: {
    stat: async (uri: Uri) => { fs.statSync(uri.fsPath); return {}; },
    readFile: async (uri: Uri) => fs.readFileSync(uri.fsPath),
  },
  /** A file that exists fails the edit unless `overwrite` (this stand-in then writes none of the edit's files). */
  applyEdit: async (edit: WorkspaceEdit) => {
    record('applyEdit', edit.creates.map((c) => c.uri.fsPath));
    if (edit.creates.some((c) => !c.options.overwrite && fs.existsSync(c.uri.fsPath))) return false;
    for (const c of edit.creates) {
      fs.mkdirSync(path.dirname(c.uri.fsPath), { recursive: true });
      fs.writeFileSync(c.uri.fsPath, c.options.contents ?? new Uint8Array());
    }
    return true;
  },
  openTextDocument: async (arg: Uri | { language?: string; content?: string }) => {
    if (arg instanceof Uri) { record('openTextDocument', arg.fsPath); return { uri: arg }; }
    stub.untitled.push(arg);
    return { uri: Uri.parse(`untitled:Untitled-${stub.untitled.length}`), ...arg };
  },
};

export const window = {
  showQuickPick: ask('quickPick'),
  showInputBox: ask('inputBox'),
  showWorkspaceFolderPick: ask('folderPick'),
  showInformationMessage: message('info'),
  showWarningMessage: message('warning'),
  showErrorMessage: message('error'),
  showTextDocument: async (doc: { uri: Uri }) => { record('showTextDocument', doc.uri.toString()); },
};

export const commands = {
  executeCommand: async (id: string, ...args: unknown[]) => { record('executeCommand', id, ...args); },
};

/** Makes `require('vscode')` return this module (once per process). */
export function installVscodeStub(): void {
  const M = Module as unknown as { _resolveFilename: ((request: string, ...rest: unknown[]) => string) & { vscodeStub?: true } };
  if (M._resolveFilename.vscodeStub) return;
  const resolve = M._resolveFilename;
  M._resolveFilename = Object.assign((request: string, ...rest: unknown[]) => (request === 'vscode' ? __filename : resolve.call(M, request, ...rest)), { vscodeStub: true as const });
}
