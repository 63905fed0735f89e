/**
 * The workspace index in-process (no transport): the invariant the protocol
 * cannot show from outside, one analysis per document version shared by
 * every consumer.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Diagnostic, TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { codeActions } from '../../server/src/codeActions';
import { SettingsStore } from '../../server/src/settings';
import { templateInfo } from '../../server/src/templateRequests';
import { WorkspaceIndex } from '../../server/src/workspaceIndex';
import { ready } from '../support/analysis';
import { fileUri } from './lspClient';
import { LEGACY_CLEAN, LEGACY_MISSING } from './templates';

describe('WorkspaceIndex', () => {
  let dir: string;
  before(ready);
  beforeEach(() => (dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-index-')))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function setup(logs?: string[]) {
    const docs = new Map<string, TextDocument>();
    const published: { uri: string; diagnostics: Diagnostic[] }[] = [];
    // A client without workspace/configuration: the store answers with the defaults, no connection needed.
    const settings = new SettingsStore(undefined as never, false, () => undefined);
    const index = new WorkspaceIndex({
      documents: { get: (uri: string) => docs.get(uri) } as unknown as TextDocuments<TextDocument>,
      settings,
      publish: (uri, diagnostics) => published.push({ uri, diagnostics }),
      log: (m) => (logs ? logs.push(m) : assert.fail(m)),
    });
    let analyses = 0;
    const analyze = index.analyzer.analyze.bind(index.analyzer);
    index.analyzer.analyze = (file, text) => (analyses++, analyze(file, text));
    return { docs, published, index, analyses: () => analyses };
  }

  it('analyses a document version once for diagnostics, code actions and template info', async () => {
    const { docs, published, index, analyses } = setup();
    const file = path.join(dir, 't.json');
    const doc = TextDocument.create(fileUri(file), 'json', 1, LEGACY_MISSING);
    docs.set(doc.uri, doc);
    index.opened(doc);
    await index.refresh(file);
    assert.equal(analyses(), 1);
    const [diagnostic] = published.at(-1)!.diagnostics;
    assert.equal(diagnostic.code, 'control-path-missing');

    assert.equal((await codeActions(index, { textDocument: { uri: doc.uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } })).length, 3);
    assert.equal((await templateInfo(index, { uri: doc.uri }))!.diagnostics.length, 1);
    await index.refresh(file);
    assert.equal(analyses(), 1, 'every consumer read the same analysis');

    TextDocument.update(doc, [{ text: LEGACY_CLEAN }], 2);
    await index.refresh(file);
    assert.equal(analyses(), 2, 'a new version is analysed once more');
    assert.deepStrictEqual(published.at(-1), { uri: doc.uri, diagnostics: [] });
    index.dispose();
  });

  it('logs an analysis that throws as one line and keeps serving', async () => {
    const logs: string[] = [];
    const { docs, published, index } = setup(logs);
    const file = path.join(dir, 't.json');
    const doc = TextDocument.create(fileUri(file), 'json', 1, LEGACY_MISSING);
    docs.set(doc.uri, doc);
    const analyze = index.analyzer.analyze;
    index.analyzer.analyze = () => {
      throw new Error('boom\nsecond line');
    };
    index.opened(doc);
    await index.refresh(file);
    assert.equal(logs.length, 1);
    assert.match(logs[0], new RegExp(`^analysis of ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} failed: boom second line \\(at .+\\)$`));
    assert.equal(published.length, 0, 'nothing to say about a file that could not be analysed');

    index.analyzer.analyze = analyze;
    TextDocument.update(doc, [{ text: LEGACY_MISSING }], 2);
    await index.refresh(file);
    assert.deepStrictEqual(published.at(-1)!.diagnostics.map((d) => d.code), ['control-path-missing']);
    index.dispose();
  });
});
