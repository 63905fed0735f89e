import assert from 'node:assert/strict';
import { ErrorCodes, ResponseError, type Diagnostic } from 'vscode-languageserver-protocol';
import { ListTemplatesRequest, TemplateInfoRequest, FixAllRequest } from '../../server/src/shared/protocol';
import { TestClient } from './lspClient';
import { HCL_MISSING, LEGACY_MISSING } from './templates';

const codes = (d: Diagnostic[] | undefined) => d?.map((x) => x.code);

/** The server still answers and still diagnoses after whatever came before. */
async function stillServing(c: TestClient, rel: string, text: string): Promise<void> {
  assert.ok(c.alive, `server exited:\n${c.output}`);
  assert.ok(Array.isArray(await c.connection.sendRequest(ListTemplatesRequest.type, {})));
  assert.deepStrictEqual(codes(await c.open(rel, text)), ['control-path-missing']);
}

describe('robustness', () => {
  let c: TestClient;
  afterEach(async () => c?.stop());

  it('answers unknown methods with MethodNotFound and ignores unknown notifications', async () => {
    c = await TestClient.start();
    await c.ready;
    await assert.rejects(c.connection.sendRequest('packerBake/noSuchThing', { x: 1 }), (e: unknown) => e instanceof ResponseError && e.code === ErrorCodes.MethodNotFound);
    await c.connection.sendNotification('packerBake/noSuchNotification', { x: 1 });
    await c.connection.sendNotification('$/noSuchProtocolNotification');
    await stillServing(c, 't.json', LEGACY_MISSING);
  });

  it('answers requests about unknown documents, with missing or malformed parameters, emptily', async () => {
    c = await TestClient.start();
    await c.ready;
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    assert.deepStrictEqual(await c.codeActions(c.uri('never-opened.json'), [], ['source.fixAll']), []);
    assert.deepStrictEqual(await c.codeActions('untitled:nothing', [{ range, message: 'x', source: 'packer-bake', code: 'control-path-missing', data: { version: null } }]), []);
    assert.deepStrictEqual(await c.codeActions('::not a uri::', [], ['source.fixAll']), []);
    // Parameters that are not an object are refused by the JSON-RPC layer itself, as an error response.
    await assert.rejects(c.connection.sendRequest('textDocument/codeAction', null), ResponseError);
    assert.deepStrictEqual(await c.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: 42 }, range, context: null }), []);
    assert.equal(await c.connection.sendRequest(TemplateInfoRequest.type, {} as never), null);
    assert.equal(await c.connection.sendRequest(TemplateInfoRequest.type, { uri: 'http://example.com/t.json' }), null);
    assert.equal(await c.connection.sendRequest('packerBake/templateInfo', null), null);
    assert.deepStrictEqual(await c.connection.sendRequest(FixAllRequest.type, { uri: c.uri('never.json') }), { applied: 0 });
    assert.deepStrictEqual(await c.connection.sendRequest(FixAllRequest.type, { uri: 17 } as never), { applied: 0 });
    await stillServing(c, 't.json', LEGACY_MISSING);
  });

  it('handles out-of-range positions in code action requests and document changes', async () => {
    c = await TestClient.start({ files: { 't.json': LEGACY_MISSING } });
    const [d] = await c.open('t.json');
    const far = { start: { line: 9999, character: 9999 }, end: { line: 10000, character: 0 } };
    assert.deepStrictEqual(await c.codeActions('t.json', [{ ...d, range: far }], undefined, far), []);
    assert.deepStrictEqual(await c.codeActions('t.json', [{ ...d, range: { start: { line: -1, character: -5 }, end: { line: -1, character: 0 } } }]), []);
    // An incremental change past the end of the document is clamped by the document model.
    const republished = c.nextDiagnostics(c.uri('t.json'));
    await c.connection.sendNotification('textDocument/didChange', { textDocument: { uri: c.uri('t.json'), version: 2 }, contentChanges: [{ range: far, text: '\n' }] });
    assert.deepStrictEqual(codes(await republished), ['control-path-missing']);
    await stillServing(c, 'x.pkr.hcl', HCL_MISSING);
  });

  it('ignores changes to closed or unknown documents and file events with odd URIs', async () => {
    c = await TestClient.start();
    await c.ready;
    await c.connection.sendNotification('textDocument/didChange', { textDocument: { uri: c.uri('closed.json'), version: 5 }, contentChanges: [{ text: LEGACY_MISSING }] });
    await c.connection.sendNotification('textDocument/didClose', { textDocument: { uri: c.uri('never-opened.json') } });
    await c.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: 'not a uri', languageId: 'json', version: 1, text: '{' } });
    await c.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [
        { uri: 'not a uri', type: 1 },
        { uri: 'http://example.com/x.json', type: 2 },
        { uri: c.uri('does-not-exist.json'), type: 2 },
        { uri: c.uri('gone'), type: 3 },
        { uri: 42, type: 1 },
      ],
    });
    await c.connection.sendNotification('workspace/didChangeWatchedFiles', null);
    await c.connection.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: 'nonsense', name: 'x' }], removed: [{ uri: c.uri('not-a-folder'), name: 'y' }] } });
    await stillServing(c, 't.json', LEGACY_MISSING);
    assert.equal(c.publishCount(c.uri('closed.json')), 0);
  });

  it('survives garbage on the wire', async () => {
    c = await TestClient.start();
    await c.ready;
    const body = '{"jsonrpc": "2.0", "method": ';
    c.child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    const odd = JSON.stringify({ jsonrpc: '2.0', id: 'odd', method: 'textDocument/codeAction', params: { textDocument: null } });
    c.child.stdin.write(`Content-Length: ${Buffer.byteLength(odd)}\r\n\r\n${odd}`);
    await stillServing(c, 't.json', LEGACY_MISSING);
  });

  it('diagnoses templates in folders with spaces and non-ASCII names', async () => {
    c = await TestClient.start({ files: { 'dir with space/été #1/t.json': LEGACY_MISSING } });
    assert.deepStrictEqual(await c.ready, { templates: 1 });
    assert.deepStrictEqual(codes(c.diagnostics(c.uri('dir with space/été #1/t.json'))), ['control-path-missing']);
    assert.deepStrictEqual(codes(await c.open('dir with space/été #1/t.json')), ['control-path-missing']);
  });
});
