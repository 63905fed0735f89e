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
import { DEBOUNCE_MS, WorkspaceIndex } from '../../server/src/workspaceIndex';
import { forgetArrival, sinceChange, updateNotingEdits } from '../../server/src/documentChanges';
import { ready } from '../support/analysis';
import { fileUri } from './lspClient';
import { LEGACY_CLEAN, LEGACY_MISSING } from './templates';
import { hcl } from '../support/templates';

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
    const byFile = new Map<string, number>();
    const analyze = index.analyzer.analyze.bind(index.analyzer);
    index.analyzer.analyze = (file, text, doc) => (analyses++, byFile.set(file, (byFile.get(file) ?? 0) + 1), analyze(file, text, doc));
    return { docs, published, index, analyses: () => analyses, byFile };
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

    assert.equal((await codeActions(index, { textDocument: { uri: doc.uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } }, { documentChanges: true, disabledActions: true })).length, 3);
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

  it("counts the debounce from the change's arrival: a change whose update took the whole wait is analysed at once", async () => {
    const { docs, index, analyses } = setup();
    const file = path.join(dir, 't.json');
    const doc = TextDocument.create(fileUri(file), 'json', 1, LEGACY_MISSING);
    docs.set(doc.uri, doc);
    index.opened(doc);
    index.changed(doc); // the change event that follows an open
    await index.idle();
    const before = analyses();
    // Timers fire in the order they expire, whatever the load: a marker at a third of the debounce.
    const marker = () => new Promise<number>((resolve) => setTimeout(() => resolve(analyses()), DEBOUNCE_MS / 3));
    const arrivedNow = updateNotingEdits(doc, [{ text: LEGACY_CLEAN }], 2);
    assert.ok(sinceChange(doc.uri) < DEBOUNCE_MS / 3, 'the arrival is noted at the update');
    index.changed(arrivedNow, sinceChange(doc.uri));
    assert.equal(await marker(), before, 'a change that just arrived waits for the debounce');
    await index.idle();
    assert.equal(analyses(), before + 1);
    updateNotingEdits(doc, [{ text: LEGACY_MISSING }], 3);
    index.changed(doc, DEBOUNCE_MS);
    const seen = marker();
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(await seen, before + 2, 'a change that arrived a debounce ago is analysed before the marker');
    forgetArrival(doc.uri);
    assert.equal(sinceChange(doc.uri), 0, 'a closed document has no arrival');
    index.dispose();
  });

  describe('a keystroke costs its own document and its real dependants', () => {
    const N = 30;
    const template = (i: number) => hcl('ansible_env_vars = [var.cp]').replace('"x"', `"x${i}"`).replace('source.null.x', `source.null.x${i}`);
    const vars = (cp: string) => `variable "cp" {\n  default = "ANSIBLE_SSH_CONTROL_PATH=${cp}"\n}\n`;

    async function folderOfTemplates() {
      fs.writeFileSync(path.join(dir, 'vars.pkr.hcl'), vars('/tmp/a-%%h'));
      for (let i = 0; i < N; i++) fs.writeFileSync(path.join(dir, `t${i}.pkr.hcl`), template(i));
      const s = setup();
      await s.index.addFolders([fileUri(dir)]);
      await s.index.idle();
      return s;
    }

    /** Opens a file of the workspace as a document, and waits until the index has settled. */
    async function open(s: ReturnType<typeof setup>, file: string, languageId: string): Promise<TextDocument> {
      const doc = TextDocument.create(fileUri(file), languageId, 1, fs.readFileSync(file, 'utf8'));
      s.docs.set(doc.uri, doc);
      s.index.opened(doc);
      await s.index.idle();
      s.byFile.clear();
      return doc;
    }

    function type(s: ReturnType<typeof setup>, doc: TextDocument, at: string, text: string, times: number) {
      for (let i = 0; i < times; i++) {
        const offset = doc.getText().indexOf(at);
        TextDocument.update(doc, [{ range: { start: doc.positionAt(offset), end: doc.positionAt(offset) }, text }], doc.version + 1);
        s.index.changed(doc);
      }
    }

    it('typing inside a provisioner of one of 30 HCL2 templates in a folder analyses that template only', async () => {
      const s = await folderOfTemplates();
      const file = path.join(dir, 't0.pkr.hcl');
      const doc = await open(s, file, 'packer-hcl');
      type(s, doc, 'playbook.yml', 'x', 20);
      await s.index.idle();
      assert.deepStrictEqual([...s.byFile], [[file, 1]], 'one analysis of the typed document, none of its siblings');
      s.index.dispose();
    });

    it('changing a variable analyses the templates that read it, once each', async () => {
      const s = await folderOfTemplates();
      const doc = await open(s, path.join(dir, 'vars.pkr.hcl'), 'packer-hcl');
      type(s, doc, '%%h', 'x', 3);
      await s.index.idle();
      assert.deepStrictEqual(new Set(s.byFile.values()), new Set([1]));
      assert.equal(s.byFile.size, N + 1);
      assert.ok(s.published.slice(-N).every((p) => p.diagnostics.length === 0 || p.uri === doc.uri));
      s.index.dispose();
    });

    it('typing in an ansible.cfg analyses the templates that read it, and no other', async () => {
      fs.writeFileSync(path.join(dir, 'ansible.cfg'), '[ssh_connection]\ncontrol_path = /tmp/a-%%h\n');
      fs.mkdirSync(path.join(dir, 'other'));
      fs.writeFileSync(path.join(dir, 'a.json'), LEGACY_MISSING);
      fs.writeFileSync(path.join(dir, 'other', 'b.json'), LEGACY_MISSING);
      const s = setup();
      await s.index.addFolders([fileUri(dir)]);
      await s.index.idle();
      const cfg = path.join(dir, 'ansible.cfg');
      const doc = await open(s, cfg, 'ini');
      type(s, doc, '%%h', 'x', 5);
      await s.index.idle();
      // The open ansible.cfg is looked at too (it is no template: nothing to parse).
      assert.deepStrictEqual(new Map(s.byFile), new Map([[cfg, 1], [path.join(dir, 'a.json'), 1]]));
      s.index.dispose();
    });
  });
});
