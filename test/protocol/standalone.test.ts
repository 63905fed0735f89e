// packer-bake-language-server, started the way Neovim (vim.lsp), Helix and
// Zed start a language server: the command from PATH with --stdio, a small
// set of client capabilities, `rootUri` and no workspace folders, no
// configuration requests, no file watchers, no initialization options.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DiagnosticSeverity, type ClientCapabilities, type Diagnostic } from 'vscode-languageserver-protocol';
import { ruleDocs } from '../../server/src/analysis';
import { ready } from '../support/analysis';
import { LANGUAGE_SERVER_COMMAND, TestClient, pathWithLanguageServer } from './lspClient';
import { CFG_CLEAN, CFG_UNESCAPED, HCL_MISSING, LEGACY_MISSING } from './templates';

/** What an editor without VS Code's extras announces: no configuration, no dynamic registration, no workspace folders. */
const EDITOR_CAPABILITIES: ClientCapabilities = {
  workspace: { applyEdit: true },
  textDocument: {
    synchronization: { didSave: true },
    publishDiagnostics: { relatedInformation: true },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'source', 'source.fixAll'] } } },
  },
};

const rules = (ds: Diagnostic[]) => ds.map((d) => d.code);

describe(`${LANGUAGE_SERVER_COMMAND} --stdio (other editors)`, () => {
  let c: TestClient;
  before(ready);
  afterEach(async () => c?.stop());

  it('initializes, asks nothing of the client, and reports the workspace\'s templates with https rule links', async () => {
    c = await TestClient.start({ standalone: true, capabilities: EDITOR_CAPABILITIES, files: { 'images/web.json': LEGACY_MISSING } });
    assert.deepStrictEqual(c.initializeResult?.serverInfo, { name: 'packer-bake' });
    const uri = c.uri('images/web.json');
    const ds = await c.diagnosticsWhere(uri, (d) => d.length > 0);
    assert.deepStrictEqual(ds.map(({ code, severity, codeDescription }) => ({ code, severity, codeDescription })), [
      { code: 'control-path-missing', severity: DiagnosticSeverity.Warning, codeDescription: { href: ruleDocs('control-path-missing') } },
    ]);
    assert.match(ruleDocs('control-path-missing'), /^https:\/\/github\.com\/packer-bake\/packer-bake\/blob\/main\/docs\/rules\/control-path-missing\.md$/);
    await c.ready;
    assert.deepStrictEqual({ registrations: c.registrations, configurationRequests: c.configurationRequests }, { registrations: [], configurationRequests: [] });
  });

  it('follows a document with the language id "hcl" as it is edited, and offers the quick fix', async () => {
    c = await TestClient.start({ standalone: true, capabilities: EDITOR_CAPABILITIES, files: { 'x.pkr.hcl': HCL_MISSING } });
    await c.ready;
    const uri = c.uri('x.pkr.hcl');
    const opened = await c.open('x.pkr.hcl', HCL_MISSING, 'hcl');
    assert.deepStrictEqual(rules(opened), ['control-path-missing']);
    const doc = c.document('x.pkr.hcl')!;

    // An unsaved edit that trades the finding for another one.
    const next = c.nextDiagnostics(uri, (d) => rules(d).includes('control-path-unescaped-percent'));
    await c.change('x.pkr.hcl', HCL_MISSING.replace('playbook_file = "p.yml"', 'playbook_file = "p.yml"\n    ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/s-%h-%p"]'));
    const changed = await next;
    assert.deepStrictEqual(rules(changed), ['control-path-unescaped-percent']);
    assert.equal(doc.getText(changed[0]!.range), '/tmp/s-%h-%p');

    const actions = await c.codeActions('x.pkr.hcl', changed);
    const preferred = actions.filter((a) => a.kind === 'quickfix' && a.isPreferred);
    assert.equal(preferred.length, 1, JSON.stringify(actions.map((a) => a.title)));
    const cleared = c.nextDiagnostics(uri, (d) => d.length === 0);
    await c.edit(doc, preferred[0]!.edit!.changes![uri]!);
    await cleared;
    assert.match(doc.getText(), /ANSIBLE_SSH_CONTROL_PATH=\/tmp\/s-%%h-%%p/);
  });

  it('uses the default settings when the client answers workspace/configuration with null', async () => {
    c = await TestClient.start({
      standalone: true,
      capabilities: { ...EDITOR_CAPABILITIES, workspace: { ...EDITOR_CAPABILITIES.workspace, configuration: true } },
      settings: () => null,
      files: { 'images/web.json': LEGACY_MISSING },
    });
    const ds = await c.diagnosticsWhere(c.uri('images/web.json'), (d) => d.length > 0);
    assert.deepStrictEqual(ds.map(({ code, severity }) => ({ code, severity })), [{ code: 'control-path-missing', severity: DiagnosticSeverity.Warning }]);
    assert.ok(c.configurationRequests.length > 0, 'the server asked');
  });

  it('reads an ansible.cfg again from disk when the editor sends no file-change events', async () => {
    c = await TestClient.start({ standalone: true, capabilities: EDITOR_CAPABILITIES, files: { 'x.pkr.hcl': HCL_MISSING, 'ansible.cfg': CFG_CLEAN } });
    await c.ready;
    const uri = c.uri('x.pkr.hcl');
    assert.deepStrictEqual(await c.open('x.pkr.hcl', HCL_MISSING, 'hcl'), []);
    // Changed behind the server's back: no didChangeWatchedFiles.
    fs.writeFileSync(c.path('ansible.cfg'), CFG_UNESCAPED);
    const next = c.nextDiagnostics(c.uri('ansible.cfg'), (d) => d.length > 0);
    await c.change('x.pkr.hcl', `${HCL_MISSING}\n`);
    assert.deepStrictEqual(rules(await next), ['control-path-unescaped-percent']);
    assert.deepStrictEqual(c.diagnostics(uri) ?? [], []);
  });

  it('--version and --help answer without starting a server', () => {
    const env = { ...process.env, PATH: pathWithLanguageServer() };
    const version = spawnSync(LANGUAGE_SERVER_COMMAND, ['--version'], { encoding: 'utf8', env, timeout: 10_000 });
    const { version: expected } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    assert.deepStrictEqual({ status: version.status, out: version.stdout }, { status: 0, out: `${expected}\n` });
    const help = spawnSync(LANGUAGE_SERVER_COMMAND, ['--help'], { encoding: 'utf8', env, timeout: 10_000 });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: packer-bake-language-server \[--stdio/);
  });
});
