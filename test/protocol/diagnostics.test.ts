import assert from 'node:assert/strict';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-protocol';
import { Analyzer, ruleDocs } from '../../server/src/analysis';
import { diskHost, ready } from '../support/analysis';
import { TestClient } from './lspClient';
import { HCL_MISSING, LEGACY_CLEAN, LEGACY_MISSING, LEGACY_UNESCAPED, NOT_A_TEMPLATE } from './templates';

/** The core's message for a rule on a template (tests compare everything else literally). */
function coreMessage(file: string, text: string, ruleId: string): string {
  const f = new Analyzer(diskHost).analyze(file, text).findings.find((x) => x.ruleId === ruleId);
  assert.ok(f, `the core finds ${ruleId} in ${file}`);
  return f.message;
}

describe('diagnostics', () => {
  let c: TestClient;
  before(ready);
  afterEach(async () => c?.stop());

  it('initialize announces incremental sync, the code action kinds and workspace folder support', async () => {
    c = await TestClient.start();
    assert.deepStrictEqual(c.initializeResult, {
      capabilities: {
        textDocumentSync: { openClose: true, change: 2 },
        codeActionProvider: { codeActionKinds: ['quickfix', 'source.fixAll.packer-bake'], resolveProvider: false },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'packer-bake' },
    });
  });

  it('registers file watchers for templates and the files they depend on, and for packerBake configuration changes', async () => {
    c = await TestClient.start();
    await c.ready;
    assert.deepStrictEqual(
      c.registrations.map(({ method, registerOptions }) => ({ method, registerOptions })),
      [
        {
          method: 'workspace/didChangeWatchedFiles',
          registerOptions: {
            watchers: [
              '**/*.json', '**/*.pkr.hcl', '**/*.pkr.json', '**/*.pkrvars.hcl', '**/ansible.cfg',
              // Container files (workflows, Jenkinsfiles, devcontainer.json) and the Dockerfiles and compose files they read.
              '**/*.{yml,yaml}', '**/{Jenkinsfile,Jenkinsfile.*,*.jenkinsfile,*.Jenkinsfile}', '**/.devcontainer/**', '**/{Dockerfile,*.Dockerfile,Containerfile}',
            ].map((globPattern) => ({ globPattern })),
          },
        },
        { method: 'workspace/didChangeConfiguration', registerOptions: { section: 'packerBake' } },
      ],
    );
  });

  it('publishes a legacy JSON finding on open: source, rule id as code, docs link, severity, the analysed version', async () => {
    c = await TestClient.start({ files: { 't.json': LEGACY_MISSING } });
    await c.ready;
    const diagnostics = await c.open('t.json');
    assert.deepStrictEqual(diagnostics, [
      {
        range: { start: { line: 11, character: 14 }, end: { line: 11, character: 23 } },
        severity: DiagnosticSeverity.Warning,
        code: 'control-path-missing',
        source: 'packer-bake',
        message: coreMessage(c.path('t.json'), LEGACY_MISSING, 'control-path-missing'),
        codeDescription: { href: ruleDocs('control-path-missing') },
        data: { version: 1 },
      },
    ]);
    assert.equal(c.document('t.json')!.getText(diagnostics[0].range), '"ansible"');
    assert.equal(ruleDocs('control-path-missing'), 'https://github.com/packer-bake/packer-bake/blob/main/docs/rules/control-path-missing.md');
  });

  it('links rule ids to the client\'s command when initializationOptions.ruleDocsCommand names one (VS Code: the bundled page)', async () => {
    for (const [options, href] of [
      [{ ruleDocsCommand: 'packerBake.showRuleDocs' }, 'command:packerBake.showRuleDocs?%5B%22control-path-missing%22%5D'],
      [{ ruleDocsCommand: 'bad command?x=' }, ruleDocs('control-path-missing')],
      [null, ruleDocs('control-path-missing')],
    ] as const) {
      c = await TestClient.start({ files: { 't.json': LEGACY_MISSING }, initializationOptions: options });
      const [d] = await c.open('t.json');
      assert.deepStrictEqual(d!.codeDescription, { href }, JSON.stringify(options));
      await c.stop();
    }
  });

  it('maps an error rule to an Error diagnostic', async () => {
    c = await TestClient.start({ files: { 't.json': LEGACY_UNESCAPED } });
    const diagnostics = await c.open('t.json');
    assert.deepStrictEqual(
      diagnostics.map((d) => [d.code, d.severity, c.document('t.json')!.getText(d.range)]),
      [['control-path-unescaped-percent', DiagnosticSeverity.Error, '/tmp/ansible-ssh-%h-%p-%r']],
    );
  });

  it('reads an ansible.cfg from disk with its byte-order mark: Ansible cannot read it, and the template and the cfg say so', async () => {
    c = await TestClient.start({ files: { 't.json': LEGACY_MISSING, 'ansible.cfg': '\ufeff[ssh_connection]\npipelining = True\n' } });
    await c.ready;
    const diagnostics = await c.open('t.json');
    assert.deepStrictEqual(diagnostics.map((d) => [d.code, d.severity]), [['ansible-cfg-unreadable', DiagnosticSeverity.Error]], 'no socket claim: the build stops before ssh');
    assert.deepStrictEqual(c.diagnostics(c.uri('ansible.cfg'))!.map((d) => [d.code, d.range.start]), [['ansible-cfg-unreadable', { line: 0, character: 0 }]]);
  });

  it('diagnoses an HCL2 template at the provisioner label', async () => {
    c = await TestClient.start({ files: { 'x.pkr.hcl': HCL_MISSING } });
    await c.ready;
    const diagnostics = await c.open('x.pkr.hcl');
    assert.deepStrictEqual(
      diagnostics.map((d) => ({ code: d.code, severity: d.severity, text: c.document('x.pkr.hcl')!.getText(d.range), href: d.codeDescription?.href })),
      [{ code: 'control-path-missing', severity: DiagnosticSeverity.Warning, text: '"ansible"', href: ruleDocs('control-path-missing') }],
    );
  });

  it('re-publishes on every change, analysing the latest version only', async () => {
    c = await TestClient.start({ files: { 't.json': LEGACY_MISSING } });
    await c.ready;
    await c.open('t.json');
    const versions: unknown[] = [];
    const done = c.nextDiagnostics(c.uri('t.json'), (d) => {
      versions.push(d.length ? (d[0].data as { version: number }).version : 'clean');
      return d.length === 1 && (d[0].data as { version: number }).version === 4;
    });
    c.changeBurst('t.json', [LEGACY_CLEAN, LEGACY_UNESCAPED, LEGACY_MISSING]);
    const last = await done;
    assert.deepStrictEqual(versions, [4], 'one publish, for version 4 (a burst of changes is analysed once)');
    assert.equal(last[0].code, 'control-path-missing');
    const clean = c.nextDiagnostics(c.uri('t.json'));
    await c.change('t.json', LEGACY_CLEAN);
    assert.deepStrictEqual(await clean, []);
  });

  it('applies incremental changes', async () => {
    c = await TestClient.start({ files: { 't.json': LEGACY_UNESCAPED } });
    await c.open('t.json');
    const doc = c.document('t.json')!;
    const next = c.nextDiagnostics(c.uri('t.json'));
    // Double the first % only: %%h-%p-%r still has single % tokens.
    const at = doc.positionAt(doc.getText().indexOf('%h'));
    await c.edit(doc, [{ range: { start: at, end: at }, newText: '%' }]);
    const after = await next;
    assert.deepStrictEqual(after.map((x) => [x.code, doc.getText(x.range)]), [['control-path-unescaped-percent', '/tmp/ansible-ssh-%%h-%p-%r']]);
  });

  it('reports a parse error once, at its place, without a docs link', async () => {
    const broken = LEGACY_MISSING.replace('"provisioners"', '"provisioners" "oops"');
    c = await TestClient.start({ files: { 't.json': broken } });
    const diagnostics = await c.open('t.json');
    const parse = diagnostics.filter((d) => d.code === 'parse-error');
    assert.equal(parse.length, 1, JSON.stringify(diagnostics));
    assert.deepStrictEqual({ ...parse[0], message: '' }, {
      range: parse[0].range,
      severity: DiagnosticSeverity.Error,
      code: 'parse-error',
      source: 'packer-bake',
      message: '',
      data: { version: 1 },
    });
    assert.equal(c.document('t.json')!.getText(parse[0].range), '"oops"');
  });

  it('publishes nothing for JSON that is not a template', async () => {
    c = await TestClient.start({ files: { 'package.json': NOT_A_TEMPLATE, 't.json': LEGACY_MISSING } });
    await c.ready;
    await c.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: c.uri('package.json'), languageId: 'json', version: 1, text: NOT_A_TEMPLATE } });
    // Documents opened together are analysed in order: once t.json is published, package.json was analysed too.
    await c.open('t.json');
    assert.equal(c.publishCount(c.uri('package.json')), 0);
  });

  it('analyses untitled documents by their language and clears them on close', async () => {
    c = await TestClient.start();
    await c.ready;
    const hcl = await c.open('untitled:Untitled-1', HCL_MISSING, 'packer-hcl');
    assert.deepStrictEqual(hcl.map((d) => d.code), ['control-path-missing']);
    const json = await c.open('untitled:Untitled-2', LEGACY_UNESCAPED, 'json');
    assert.deepStrictEqual(json.map((d) => d.code), ['control-path-unescaped-percent']);
    const cleared = c.nextDiagnostics('untitled:Untitled-1');
    await c.close('untitled:Untitled-1');
    assert.deepStrictEqual(await cleared, []);
  });

  it('on close, a workspace template is analysed from disk again; a file outside the folders is cleared', async () => {
    c = await TestClient.start({ files: { 'ws/t.json': LEGACY_MISSING, 'outside/o.json': LEGACY_MISSING }, folders: ['ws'] });
    await c.ready;
    await c.open('ws/t.json');
    const clean = c.nextDiagnostics(c.uri('ws/t.json'));
    await c.change('ws/t.json', LEGACY_CLEAN);
    assert.deepStrictEqual(await clean, []);
    const disk = c.nextDiagnostics(c.uri('ws/t.json'));
    await c.close('ws/t.json');
    assert.deepStrictEqual((await disk).map((d: Diagnostic) => [d.code, d.data]), [['control-path-missing', { version: null }]]);

    assert.deepStrictEqual((await c.open('outside/o.json')).map((d) => d.code), ['control-path-missing']);
    const gone = c.nextDiagnostics(c.uri('outside/o.json'));
    await c.close('outside/o.json');
    assert.deepStrictEqual(await gone, []);
  });
});
