/**
 * Helpers for the end-to-end suite. Everything goes through the public
 * `vscode` API; waits are on VS Code's events (or, where VS Code has none,
 * on a condition), each with a timeout that says what was awaited.
 */
import * as vscode from 'vscode';

export const EXTENSION_ID = 'packer-bake.packer-bake';

/** The extension under test; fails when VS Code does not know it. */
export function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this VS Code`);
  return ext;
}

/** The manifest's contributions, read from the installed extension. */
export function contributes(): {
  commands?: { command: string; title: string }[];
  configuration?: { properties?: Record<string, unknown> } | { properties?: Record<string, unknown> }[];
} {
  return (extension().packageJSON as { contributes?: ReturnType<typeof contributes> }).contributes ?? {};
}

/** The first (only) workspace folder: a fresh copy of examples/ for this run. */
export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open');
  return folder.uri;
}

export function fileInWorkspace(relative: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...relative.split('/'));
}

/** Opens a workspace file in an editor. */
export async function open(relative: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(fileInWorkspace(relative));
  return vscode.window.showTextDocument(doc);
}

/**
 * Resolves once `check()` returns a value other than undefined/false,
 * re-checking on `event` (if given) and otherwise every 50 ms.
 */
export function waitFor<T>(
  what: string,
  check: () => T | undefined | false,
  { timeout = 30_000, event }: { timeout?: number; event?: vscode.Event<unknown> } = {},
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const subs: vscode.Disposable[] = [];
    let timer: ReturnType<typeof setInterval> | undefined;
    const done = () => { subs.forEach((d) => d.dispose()); clearTimeout(deadline); if (timer) clearInterval(timer); };
    const deadline = setTimeout(() => { done(); reject(new Error(`timed out after ${timeout} ms waiting for ${what}`)); }, timeout);
    const attempt = () => {
      let v: T | undefined | false;
      try { v = check(); } catch (err) { done(); reject(err); return; }
      if (v !== undefined && v !== false) { done(); resolve(v); }
    };
    if (event) subs.push(event(attempt));
    else timer = setInterval(attempt, 50);
    attempt();
  });
}

/** Waits until the extension is active (activation is triggered by VS Code, never by the test). */
export function waitForActivation(timeout = 60_000): Promise<vscode.Extension<unknown>> {
  return waitFor(`${EXTENSION_ID} to activate`, () => { const e = extension(); return e.isActive && e; }, { timeout });
}

/** The extension's own diagnostics on `uri` (source 'packer-bake'). */
export function ownDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'packer-bake');
}

/** The rule id a diagnostic carries as its code. */
export function ruleId(d: vscode.Diagnostic): string | undefined {
  const code = d.code;
  if (code === undefined) return undefined;
  return typeof code === 'object' ? String(code.value) : String(code);
}

/**
 * Waits, on onDidChangeDiagnostics, until the extension's diagnostics on
 * `uri` satisfy `predicate`; the timeout message lists what was there.
 */
export function waitForDiagnostics(
  uri: vscode.Uri,
  predicate: (diagnostics: vscode.Diagnostic[]) => boolean,
  what: string,
  timeout = 30_000,
): Promise<vscode.Diagnostic[]> {
  return waitFor(`${what} on ${vscode.workspace.asRelativePath(uri)}`, () => {
    const ds = ownDiagnostics(uri);
    return predicate(ds) && ds;
  }, { timeout, event: vscode.languages.onDidChangeDiagnostics }).catch((err: Error) => {
    const now = ownDiagnostics(uri).map((d) => `${ruleId(d)}@${d.range.start.line}:${d.range.start.character}`);
    throw new Error(`${err.message}; diagnostics now: [${now.join(', ')}]`);
  });
}
