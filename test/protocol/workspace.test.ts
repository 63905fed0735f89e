import assert from 'node:assert/strict';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-protocol';
import { TestClient } from './lspClient';
import { CFG_CLEAN, CFG_UNESCAPED, HCL_MISSING, LEGACY_MISSING, NOT_A_TEMPLATE } from './templates';

const codes = (d: Diagnostic[] | undefined) => d?.map((x) => x.code);

/** An HCL2 template whose control path comes from a variable declared in a sibling file. */
const HCL_WITH_VAR = HCL_MISSING.replace('playbook_file = "p.yml"', 'playbook_file = "p.yml"\n    ansible_env_vars = [var.cp]');
const varsFile = (controlPath: string) => `variable "cp" {\n  default = "ANSIBLE_SSH_CONTROL_PATH=${controlPath}"\n}\n`;

describe('workspace', () => {
  let c: TestClient;
  afterEach(async () => c?.stop());

  it('diagnoses templates that are not open after the initial scan, skipping node_modules, dist, hidden folders and other JSON', async () => {
    const files = {
      't.json': LEGACY_MISSING,
      'sub/deeper/x.pkr.hcl': HCL_MISSING,
      'package.json': NOT_A_TEMPLATE,
      'node_modules/m/t.json': LEGACY_MISSING,
      'dist/t.json': LEGACY_MISSING,
      '.hidden/t.json': LEGACY_MISSING,
      'sub/.cache/x.pkr.hcl': HCL_MISSING,
    };
    c = await TestClient.start({ files });
    assert.deepStrictEqual(await c.ready, { templates: 2 });
    assert.deepStrictEqual(codes(c.diagnostics(c.uri('t.json'))), ['control-path-missing']);
    assert.deepStrictEqual(codes(c.diagnostics(c.uri('sub/deeper/x.pkr.hcl'))), ['control-path-missing']);
    for (const rel of ['package.json', 'node_modules/m/t.json', 'dist/t.json', '.hidden/t.json', 'sub/.cache/x.pkr.hcl']) {
      assert.equal(c.publishCount(c.uri(rel)), 0, rel);
    }
    assert.deepStrictEqual(c.diagnostics(c.uri('t.json'))![0].data, { version: null });
  });

  it('follows templates created, changed and deleted on disk', async () => {
    c = await TestClient.start({ files: { 'keep.json': NOT_A_TEMPLATE } });
    assert.deepStrictEqual(await c.ready, { templates: 0 });
    const created = c.nextDiagnostics(c.uri('new/t.json'));
    await c.writeFile('new/t.json', LEGACY_MISSING);
    assert.deepStrictEqual(codes(await created), ['control-path-missing']);
    const changed = c.nextDiagnostics(c.uri('new/t.json'));
    await c.writeFile('new/t.json', NOT_A_TEMPLATE);
    assert.deepStrictEqual(await changed, [], 'no longer a template: its diagnostics are withdrawn');
    await c.writeFile('new/t.json', LEGACY_MISSING);
    await c.diagnosticsWhere(c.uri('new/t.json'), (d) => d.length === 1);
    const deleted = c.nextDiagnostics(c.uri('new/t.json'));
    await c.deleteFile('new');
    assert.deepStrictEqual(await deleted, [], 'deleting the folder withdraws the diagnostics of the files in it');
  });

  it('re-diagnoses a template that is not open when its ansible.cfg changes, and publishes the cfg finding on the cfg', async () => {
    c = await TestClient.start({ files: { 'p/t.json': LEGACY_MISSING } });
    await c.ready;
    assert.deepStrictEqual(codes(c.diagnostics(c.uri('p/t.json'))), ['control-path-missing']);

    const clean = c.nextDiagnostics(c.uri('p/t.json'));
    await c.writeFile('p/ansible.cfg', CFG_CLEAN);
    assert.deepStrictEqual(await clean, [], 'the new ansible.cfg moves the socket to /tmp');

    const onCfg = c.nextDiagnostics(c.uri('p/ansible.cfg'));
    await c.writeFile('p/ansible.cfg', CFG_UNESCAPED);
    const cfgDiagnostics = await onCfg;
    assert.deepStrictEqual(
      cfgDiagnostics.map((d) => ({ code: d.code, severity: d.severity, range: d.range, href: d.codeDescription?.href })),
      [{
        code: 'control-path-unescaped-percent',
        severity: DiagnosticSeverity.Error,
        range: { start: { line: 1, character: 15 }, end: { line: 1, character: 40 } },
        href: 'https://github.com/packer-bake/packer-bake/blob/main/docs/rules/control-path-unescaped-percent.md',
      }],
    );
    assert.deepStrictEqual(c.diagnostics(c.uri('p/t.json')), []);

    const withdrawn = c.nextDiagnostics(c.uri('p/ansible.cfg'));
    const back = c.nextDiagnostics(c.uri('p/t.json'), (d) => d.length === 1);
    await c.deleteFile('p/ansible.cfg');
    assert.deepStrictEqual(await withdrawn, []);
    assert.deepStrictEqual(codes(await back), ['control-path-missing']);
  });

  it('re-diagnoses an open template when its ansible.cfg changes', async () => {
    c = await TestClient.start({ files: { 't.json': LEGACY_MISSING, 'ansible.cfg': CFG_CLEAN } });
    await c.ready;
    assert.deepStrictEqual(await c.open('t.json'), []);
    const cfg = c.nextDiagnostics(c.uri('ansible.cfg'));
    await c.writeFile('ansible.cfg', CFG_UNESCAPED);
    assert.deepStrictEqual(codes(await cfg), ['control-path-unescaped-percent']);
    assert.deepStrictEqual((await cfg)[0].data, { version: null });
  });

  it('reports an ansible.cfg problem once when several templates use the cfg, until the last one is gone', async () => {
    c = await TestClient.start({ files: { 'a.json': LEGACY_MISSING, 'b.json': LEGACY_MISSING, 'ansible.cfg': CFG_UNESCAPED } });
    await c.ready;
    assert.deepStrictEqual(codes(c.diagnostics(c.uri('ansible.cfg'))), ['control-path-unescaped-percent']);
    const stillOne = c.nextDiagnostics(c.uri('ansible.cfg'));
    await c.deleteFile('a.json');
    assert.deepStrictEqual(codes(await stillOne), ['control-path-unescaped-percent']);
    const none = c.nextDiagnostics(c.uri('ansible.cfg'));
    await c.deleteFile('b.json');
    assert.deepStrictEqual(await none, []);
  });

  it('re-diagnoses an HCL2 template when a sibling file it reads variables from changes or appears', async () => {
    c = await TestClient.start({ files: { 'x.pkr.hcl': HCL_WITH_VAR } });
    await c.ready;
    assert.ok(c.diagnostics(c.uri('x.pkr.hcl')));
    const percent = c.nextDiagnostics(c.uri('x.pkr.hcl'), (d) => d.some((x) => x.code === 'control-path-unescaped-percent'));
    await c.writeFile('variables.pkr.hcl', varsFile('/tmp/cp-%h-%p'));
    assert.deepStrictEqual(codes(await percent), ['control-path-unescaped-percent']);
    const fixed = c.nextDiagnostics(c.uri('x.pkr.hcl'));
    await c.writeFile('variables.pkr.hcl', varsFile('/tmp/cp-%%h-%%p'));
    assert.deepStrictEqual(await fixed, []);
  });

  it('re-diagnoses a template when an open sibling is edited, before it is saved', async () => {
    c = await TestClient.start({ files: { 'x.pkr.hcl': HCL_WITH_VAR, 'variables.pkr.hcl': varsFile('/tmp/cp-%%h') } });
    await c.ready;
    assert.deepStrictEqual(c.diagnostics(c.uri('x.pkr.hcl')), []);
    await c.open('variables.pkr.hcl');
    const percent = c.nextDiagnostics(c.uri('x.pkr.hcl'), (d) => d.length > 0);
    await c.change('variables.pkr.hcl', varsFile('/tmp/cp-%h'));
    assert.deepStrictEqual(codes(await percent), ['control-path-unescaped-percent']);
  });

  it('skips a template file above packerBake.maxFileSize with one informational diagnostic; large other JSON stays silent', async () => {
    const padding = `\n# ${'x'.repeat(2000)}\n`;
    c = await TestClient.start({
      files: { 'big.pkr.hcl': HCL_MISSING + padding, 'big.json': LEGACY_MISSING.replace('{', `{"pad": "${'x'.repeat(2000)}",`), 'small.json': LEGACY_MISSING },
      settings: { maxFileSize: 1024 },
    });
    assert.deepStrictEqual(await c.ready, { templates: 1 });
    assert.deepStrictEqual(c.diagnostics(c.uri('big.pkr.hcl')), [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: DiagnosticSeverity.Information,
        code: 'file-skipped',
        source: 'packer-bake',
        message: 'packer-bake skipped this file: it is larger than 1 KB (setting packerBake.maxFileSize).',
        data: { version: null },
      },
    ]);
    assert.equal(c.publishCount(c.uri('big.json')), 0);
    assert.deepStrictEqual(codes(c.diagnostics(c.uri('small.json'))), ['control-path-missing']);
  });

  it('skips a binary file named like a template with one informational diagnostic', async () => {
    c = await TestClient.start({ files: { 'bin.pkr.hcl': 'build {\0\0\0\u0001\u0002 }' } });
    await c.ready;
    assert.deepStrictEqual(
      c.diagnostics(c.uri('bin.pkr.hcl'))!.map((d) => [d.code, d.severity, d.codeDescription]),
      [['file-skipped', DiagnosticSeverity.Information, undefined]],
    );
  });

  it('scans workspace folders added later and withdraws the diagnostics of removed ones', async () => {
    c = await TestClient.start({ files: { 'a/t.json': LEGACY_MISSING, 'b/t.json': LEGACY_MISSING }, folders: ['a'] });
    assert.deepStrictEqual(await c.ready, { templates: 1 });
    assert.equal(c.publishCount(c.uri('b/t.json')), 0);
    const added = c.nextDiagnostics(c.uri('b/t.json'));
    await c.addFolder('b');
    assert.deepStrictEqual(codes(await added), ['control-path-missing']);
    const removed = c.nextDiagnostics(c.uri('b/t.json'));
    await c.removeFolder('b');
    assert.deepStrictEqual(await removed, []);
  });

  it('asks for the settings of each workspace folder (multi-root) and applies them per folder', async () => {
    c = await TestClient.start({
      files: { 'a/t.json': LEGACY_MISSING, 'b/t.json': LEGACY_MISSING },
      folders: ['a', 'b'],
      settings: (scope: string | undefined) => (scope?.endsWith('/a') ? { rules: { 'control-path-missing': 'off' } } : {}),
    });
    assert.deepStrictEqual(await c.ready, { templates: 2 });
    assert.deepStrictEqual(c.diagnostics(c.uri('a/t.json')), []);
    assert.deepStrictEqual(codes(c.diagnostics(c.uri('b/t.json'))), ['control-path-missing']);
    assert.deepStrictEqual([...new Set(c.configurationRequests)].sort(), [c.uri('a'), c.uri('b')].sort());
  });
});
