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

/** Where a finding is expected: the first occurrence of `covers` in the file is the diagnostic's range. */
export interface ExpectedFinding {
  file: string;
  rule: string;
  severity: vscode.DiagnosticSeverity;
  covers: string;
  /** Text the preferred quick fix puts into the document (absent: the rule has no automatic fix). */
  fixedText?: string;
}

const W = vscode.DiagnosticSeverity.Warning;
const E = vscode.DiagnosticSeverity.Error;

/** The findings the examples/ templates are written to produce, one per template. */
export const EXPECTED: ExpectedFinding[] = [
  { file: 'ansible-env-vars-invalid/template.json', rule: 'ansible-env-vars-invalid', severity: W, covers: '"ANSIBLE_HOST_KEY_CHECKING"' },
  { file: 'ansible-env-vars-invalid/template.pkr.hcl', rule: 'ansible-env-vars-invalid', severity: W, covers: '"ANSIBLE_NOCOLOR True"' },
  {
    file: 'control-path-missing/template.json', rule: 'control-path-missing', severity: W, covers: '"ansible"',
    fixedText: '"ansible_env_vars": ["ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r"]',
  },
  {
    file: 'control-path-missing/template.pkr.hcl', rule: 'control-path-missing', severity: W, covers: '"ansible"',
    fixedText: 'ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r"]',
  },
  {
    file: 'control-path-too-long/template.json', rule: 'control-path-too-long', severity: E,
    covers: '/tmp/packer-bake/builds/web-frontend/production/eu-central-1/%%h-%%p-%%C', fixedText: '"ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-%%C"',
  },
  {
    file: 'control-path-too-long/template.pkr.hcl', rule: 'control-path-too-long', severity: E,
    covers: '/tmp/packer-bake/builds/web-frontend/production/eu-central-1/%%h-%%p-%%C', fixedText: '"ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-%%C"',
  },
  {
    file: 'control-path-unescaped-percent/template.json', rule: 'control-path-unescaped-percent', severity: E,
    covers: '/tmp/ansible-ssh-%h-%p-%r', fixedText: '"ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r"',
  },
  {
    file: 'control-path-unescaped-percent/template.pkr.hcl', rule: 'control-path-unescaped-percent', severity: E,
    covers: '/tmp/ansible-ssh-%h-%p-%r', fixedText: '"ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r"',
  },
  {
    file: 'quoted-setting/template.json', rule: 'quoted-setting', severity: E,
    covers: "'-o ControlMaster=auto -o ControlPersist=60s -o ControlPath=/tmp/cm-%C'", fixedText: '"ANSIBLE_SSH_ARGS=-o ControlMaster=auto -o ControlPersist=60s -o ControlPath=/tmp/cm-%C"',
  },
  {
    file: 'quoted-setting/template.pkr.hcl', rule: 'quoted-setting', severity: E,
    covers: "'-o ControlPath=/tmp/cm-%C -o ServerAliveInterval=30'", fixedText: '"-o ControlPath=/tmp/cm-%C -o ServerAliveInterval=30"',
  },
  {
    file: 'control-path-unsafe-dir/template.json', rule: 'control-path-unsafe-dir', severity: W,
    covers: '~/.ssh/cm-%%r@%%h-%%p', fixedText: '"ANSIBLE_SSH_CONTROL_PATH=/tmp/cm-%%r@%%h-%%p"',
  },
  {
    file: 'control-path-unsafe-dir/template.pkr.hcl', rule: 'control-path-unsafe-dir', severity: W,
    covers: '/workspace/.ansible-cp', fixedText: '"ANSIBLE_SSH_CONTROL_PATH_DIR=/tmp/ansible-cp"',
  },
  {
    file: 'ssh-args-doubled-percent/template.json', rule: 'ssh-args-doubled-percent', severity: W,
    covers: '/tmp/cm-%%h-%%p-%%r', fixedText: '"-o ControlPath=/tmp/cm-%h-%p-%r"',
  },
  {
    file: 'ssh-args-doubled-percent/template.pkr.hcl', rule: 'ssh-args-doubled-percent', severity: W,
    covers: '/tmp/cm-%%C', fixedText: 'ControlPath=/tmp/cm-%C"',
  },
];

/** A diagnostic reduced to what the tests compare. */
export interface DiagnosticSummary { source: string | undefined; code: string | undefined; severity: vscode.DiagnosticSeverity; range: string }

export function summary(d: vscode.Diagnostic): DiagnosticSummary {
  return { source: d.source, code: ruleId(d), severity: d.severity, range: rangeText(d.range) };
}

export function rangeText(r: vscode.Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

/** The range of the first occurrence of `text` in `doc`. */
export function rangeOf(doc: vscode.TextDocument, text: string): vscode.Range {
  const at = doc.getText().indexOf(text);
  if (at < 0) throw new Error(`${JSON.stringify(text)} is not in ${vscode.workspace.asRelativePath(doc.uri)}`);
  return new vscode.Range(doc.positionAt(at), doc.positionAt(at + text.length));
}

/** What the extension should report for `e` in `doc`. */
export function expectedSummary(doc: vscode.TextDocument, e: ExpectedFinding): DiagnosticSummary {
  return { source: 'packer-bake', code: e.rule, severity: e.severity, range: rangeText(rangeOf(doc, e.covers)) };
}

/**
 * Runs `body`, then puts the file back as it was on disk (in the editor and
 * on disk), so the tests do not depend on each other's order.
 */
export async function restoring<T>(uri: vscode.Uri, body: () => Promise<T>): Promise<T> {
  const original = await vscode.workspace.fs.readFile(uri);
  try {
    return await body();
  } finally {
    const doc = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), Buffer.from(original).toString('utf8'));
    await vscode.workspace.applyEdit(edit);
    await doc.save();
  }
}

/** Sets a packerBake setting for the workspace; `undefined` removes it. Resolves when VS Code has it. */
export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('packerBake').update(key, value, vscode.ConfigurationTarget.Workspace);
}

/**
 * Asks the runner for a screenshot of the workbench once `selector` is
 * visible (code-server runner only; elsewhere it resolves at once).
 */
export function screenshot(name: string, selector?: string): Promise<void> {
  const host = (globalThis as { packerBakeE2E?: { screenshot(name: string, selector?: string): Promise<void> } }).packerBakeE2E;
  return host ? host.screenshot(name, selector) : Promise.resolve();
}

/**
 * A real click on the first element matching `selector` that shows `text`:
 * `clicked`, `unsupported` where the runner has no browser (test-electron),
 * or `not clicked: <why>`.
 */
export function click(selector: string, text: string): Promise<string> {
  const host = (globalThis as { packerBakeE2E?: { click?(selector: string, text: string): Promise<string> } }).packerBakeE2E;
  return host?.click ? host.click(selector, text) : Promise.resolve('unsupported');
}

/**
 * Answers the quick pick or input box titled `title` (once it is shown) as a
 * user would: types `text` (a pick filters its items by it) and presses Enter.
 * `answered`, `unsupported` where the runner has no browser, or `not answered: <why>`.
 */
export function answer(title: string, text: string): Promise<string> {
  const host = (globalThis as { packerBakeE2E?: { answer?(title: string, text: string): Promise<string> } }).packerBakeE2E;
  return host?.answer ? host.answer(title, text) : Promise.resolve('unsupported');
}

/** True when the runner can click in the workbench (code-server runner): a test may then open a modal dialog and answer it. */
export function canClick(): boolean {
  return (globalThis as { packerBakeE2E?: { canClick?: boolean } }).packerBakeE2E?.canClick === true;
}

/** The trivial extension installed beside packer-bake (test/e2e/stage.mjs): same activation events, an empty activate(). */
export const BASELINE_ID = 'packer-bake-test.e2e-baseline';

/** One extension's activation, in ms, as VS Code's extension service recorded it. */
export interface ActivationTimes {
  /** Loading the main file (`require` of the bundle). */
  loadCode: number;
  /** The synchronous part of `activate()`. */
  callActivate: number;
  /** Until the promise `activate()` returned resolved. */
  finishActivate: number;
  /** The activation event. */
  event: string;
}

/**
 * Activation times per extension id, from VS Code's own record: the
 * "Extension Activation Stats" table of Developer: Startup Performance
 * (`perfview.show`), which reads the same `activationTimes` as the Running
 * Extensions view, whose "Activation: N ms" is `loadCode + callActivate`.
 * Waits until every extension in `ids` has a row; closes the page again.
 */
export async function activationTimes(ids: string[]): Promise<Map<string, ActivationTimes>> {
  // The page's content provider is registered when the command first runs.
  await vscode.commands.executeCommand('perfview.show');
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'perf', path: 'Startup Performance' }));
  try {
    return await waitFor(`activation times of ${ids.join(', ')} on the Startup Performance page`, () => {
      const table = parseActivationTable(doc.getText());
      return ids.every((id) => table.has(id)) && table;
    }, { event: vscode.workspace.onDidChangeTextDocument });
  } finally {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === 'Startup Performance');
    await vscode.window.tabGroups.close(tabs);
  }
}

/** The rows of the Markdown table under "Extension Activation Stats", by the column names of its header. */
export function parseActivationTable(text: string): Map<string, ActivationTimes> {
  const rows = new Map<string, ActivationTimes>();
  const at = text.indexOf('Extension Activation Stats');
  if (at < 0) return rows;
  const lines = text.slice(at).split('\n').slice(1).map((l) => l.trim()).filter((l, i, all) => l.startsWith('|') || all.slice(0, i).every((x) => !x.startsWith('|')));
  const table = lines.filter((l) => l.startsWith('|'));
  const cells = (l: string) => l.split('|').slice(1, -1).map((c) => c.trim());
  const header = table[0] ? cells(table[0]) : [];
  const col = (name: string) => header.indexOf(name);
  if (['Extension', 'Load Code', 'Call Activate', 'Finish Activate', 'Event'].some((n) => col(n) < 0)) return rows;
  for (const line of table.slice(2)) {
    const c = cells(line);
    rows.set(c[col('Extension')]!, {
      loadCode: Number(c[col('Load Code')]), callActivate: Number(c[col('Call Activate')]),
      finishActivate: Number(c[col('Finish Activate')]), event: c[col('Event')]!,
    });
  }
  return rows;
}
