import path from 'node:path';
import assert from 'node:assert/strict';
import { DiagnosticSeverity, type Diagnostic, type TextDocumentEdit } from 'vscode-languageserver-protocol';
import { ruleDocs } from '../../server/src/analysis';
import { FixAllRequest, ListTemplatesRequest, TemplateInfoRequest } from '../../server/src/shared/protocol';
import { TestClient } from './lspClient';
import { CFG_UNESCAPED, HCL_MISSING, LEGACY_CLEAN, LEGACY_MISSING, NOT_A_TEMPLATE } from './templates';

const codes = (d: Diagnostic[] | undefined) => d?.map((x) => x.code);

const HCL_WITH_PLUGINS = `packer {
  required_plugins {
    ansible = {
      source  = "github.com/hashicorp/ansible"
      version = ">= 1.1.0"
    }
  }
}

${HCL_MISSING.replace('"null" "x"', '"null" "y"').replace('source.null.x', 'source.null.y')}`;

describe('custom requests', () => {
  let c: TestClient;
  afterEach(async () => c?.stop());

  it('packerBake/listTemplates lists every template in the workspace, open or not, with its builds', async () => {
    c = await TestClient.start({
      files: { 'a.json': LEGACY_MISSING, 'b/x.pkr.hcl': HCL_MISSING, 'b/y.pkr.hcl': HCL_WITH_PLUGINS, 'package.json': NOT_A_TEMPLATE, 'node_modules/t.json': LEGACY_MISSING },
    });
    await c.open('a.json');
    const list = await c.connection.sendRequest(ListTemplatesRequest.type, {});
    const assumed = "the template's folder (assumed: playbook_file p.yml exists from no directory nearby)";
    const b = path.join(c.root, 'b');
    assert.deepStrictEqual(list, [
      { uri: c.uri('a.json'), format: 'json', builds: ['null'], requiresInit: false, workingDirectory: c.root, workingDirectoryReason: assumed },
      // One HCL2 folder: each file lists the builds of the whole folder.
      { uri: c.uri('b/x.pkr.hcl'), format: 'hcl', builds: ['null.x', 'null.y'], requiresInit: false, workingDirectory: b, workingDirectoryReason: assumed },
      { uri: c.uri('b/y.pkr.hcl'), format: 'hcl', builds: ['null.y', 'null.x'], requiresInit: true, workingDirectory: b, workingDirectoryReason: assumed },
    ]);
  });

  it('packerBake/templateInfo gives the summary and the diagnostics, including those in the ansible.cfg it uses', async () => {
    c = await TestClient.start({ files: { 'a.json': LEGACY_MISSING, 'c/t.json': LEGACY_MISSING, 'c/ansible.cfg': CFG_UNESCAPED } });
    await c.ready;
    const a = await c.connection.sendRequest(TemplateInfoRequest.type, { uri: c.uri('a.json') });
    assert.deepStrictEqual(a, {
      uri: c.uri('a.json'), format: 'json', builds: ['null'], requiresInit: false, diagnostics: c.diagnostics(c.uri('a.json')),
      workingDirectory: c.root, workingDirectoryReason: "the template's folder (assumed: playbook_file p.yml exists from no directory nearby)",
    });
    assert.deepStrictEqual(codes(a!.diagnostics), ['control-path-missing']);

    const t = await c.connection.sendRequest(TemplateInfoRequest.type, { uri: c.uri('c/t.json') });
    const cfgDiagnostic = c.diagnostics(c.uri('c/ansible.cfg'))![0];
    assert.deepStrictEqual(t!.diagnostics, [
      {
        ...cfgDiagnostic,
        relatedInformation: [{ location: { uri: c.uri('c/ansible.cfg'), range: cfgDiagnostic.range }, message: 'set here' }],
      },
    ]);
    assert.equal(t!.diagnostics[0].severity, DiagnosticSeverity.Error);
    assert.equal(t!.diagnostics[0].codeDescription?.href, ruleDocs('control-path-unescaped-percent'));

    assert.equal(await c.connection.sendRequest(TemplateInfoRequest.type, { uri: c.uri('missing.json') }), null);
    assert.equal(await c.connection.sendRequest(TemplateInfoRequest.type, { uri: c.uri('c/ansible.cfg') }), null);
  });

  it('packerBake/templateInfo answers for a template outside the workspace without following it', async () => {
    c = await TestClient.start({ files: { 'ws/keep.json': NOT_A_TEMPLATE, 'elsewhere/t.json': LEGACY_MISSING }, folders: ['ws'] });
    await c.ready;
    const info = await c.connection.sendRequest(TemplateInfoRequest.type, { uri: c.uri('elsewhere/t.json') });
    assert.deepStrictEqual(codes(info!.diagnostics), ['control-path-missing']);
    assert.equal(c.publishCount(c.uri('elsewhere/t.json')), 0);
  });

  it('packerBake/fixAll applies the preferred fixes of every template through workspace/applyEdit, cfg files included', async () => {
    c = await TestClient.start({
      files: { 'a.json': LEGACY_MISSING, 'b/x.pkr.hcl': HCL_MISSING, 'c/t.json': LEGACY_MISSING, 'c/ansible.cfg': CFG_UNESCAPED, 'ok.json': LEGACY_CLEAN },
    });
    await c.ready;
    await c.open('a.json');
    const aClean = c.nextDiagnostics(c.uri('a.json'), (d) => d.length === 0);
    const bClean = c.nextDiagnostics(c.uri('b/x.pkr.hcl'), (d) => d.length === 0);
    const cfgClean = c.nextDiagnostics(c.uri('c/ansible.cfg'), (d) => d.length === 0);
    const result = await c.connection.sendRequest(FixAllRequest.type, {});
    assert.deepStrictEqual(result, { applied: 3 });
    assert.equal(c.appliedEdits.length, 1);
    const changes = c.appliedEdits[0].edit.documentChanges! as TextDocumentEdit[];
    assert.deepStrictEqual(changes.map((e) => e.textDocument).sort((x, y) => x.uri.localeCompare(y.uri)), [
      { uri: c.uri('a.json'), version: 1 },
      { uri: c.uri('b/x.pkr.hcl'), version: null },
      { uri: c.uri('c/ansible.cfg'), version: null },
    ]);
    for (const e of changes) assert.equal(e.edits.length, 1);
    assert.deepStrictEqual(await aClean, []);
    assert.deepStrictEqual(await bClean, []);
    assert.deepStrictEqual(await cfgClean, []);

    assert.deepStrictEqual(await c.connection.sendRequest(FixAllRequest.type, {}), { applied: 0 }, 'nothing left');
    assert.equal(c.appliedEdits.length, 1, 'no empty edit is sent');
  });

  it('packerBake/fixAll with a URI fixes that template only', async () => {
    c = await TestClient.start({ files: { 'a.json': LEGACY_MISSING, 'b.json': LEGACY_MISSING } });
    await c.ready;
    const aClean = c.nextDiagnostics(c.uri('a.json'), (d) => d.length === 0);
    assert.deepStrictEqual(await c.connection.sendRequest(FixAllRequest.type, { uri: c.uri('a.json') }), { applied: 1 });
    assert.deepStrictEqual((c.appliedEdits[0].edit.documentChanges! as TextDocumentEdit[]).map((e) => e.textDocument.uri), [c.uri('a.json')]);
    assert.deepStrictEqual(await aClean, []);
    assert.deepStrictEqual(codes(c.diagnostics(c.uri('b.json'))), ['control-path-missing']);
    assert.deepStrictEqual(await c.connection.sendRequest(FixAllRequest.type, { uri: 'not a uri' }), { applied: 0 });
  });
});
