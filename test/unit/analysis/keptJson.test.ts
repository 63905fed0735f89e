/**
 * An open legacy JSON document's kept tree: an edit inside one string
 * literal is patched into it (no parse), an edit that could end a string or
 * start an escape is parsed in full, and a closed document keeps nothing.
 */
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analyzer } from '../../../server/src/analysis';
import { dropTree, keepTree } from '../../../server/src/analysis/hclParser';
import { jsonPatches } from '../../../server/src/analysis/parseJson';
import { updateNotingEdits } from '../../../server/src/documentChanges';
import { memoryHost } from '../../support/analysis';

const FILE = '/ws/open/template.json';
const TEXT = `${JSON.stringify({ builders: [{ type: 'null', communicator: 'ssh' }], provisioners: [{ type: 'shell', inline: ['echo step 1'] }, { type: 'ansible', playbook_file: 'p.yml', extra_arguments: ['--ssh-extra-args', '-o ControlPath=/tmp/a-%h'] }] }, null, 2)}\n`;

describe('kept legacy JSON trees of open documents', () => {
  afterEach(() => dropTree(FILE));

  /** Replaces `what` with `by` in the document through the server's update, analyses, and compares with a fresh analysis. */
  function edit(a: Analyzer, doc: TextDocument, what: string, by: string): TextDocument {
    const at = doc.getText().indexOf(what);
    const next = updateNotingEdits(doc, [{ range: { start: doc.positionAt(at), end: doc.positionAt(at + what.length) }, text: by }], doc.version + 1);
    const fresh = new Analyzer(memoryHost({})).analyze('/ws/fresh/template.json', next.getText());
    assert.deepEqual(a.analyze(FILE, next.getText(), next).findings, fresh.findings.map((f) => ({ ...f, file: FILE, fixes: f.fixes.map((x) => ({ ...x, edits: x.edits.map((e) => ({ ...e, file: FILE })) })) })));
    return next;
  }

  it('patches an edit inside a string, parses one that writes a quote or a backslash, and keeps nothing once closed', () => {
    keepTree(FILE);
    const a = new Analyzer(memoryHost({}));
    let doc = TextDocument.create(`file://${FILE}`, 'json', 1, TEXT);
    a.analyze(FILE, doc.getText(), doc);
    const n = jsonPatches();
    doc = edit(a, doc, 'step 1', 'step 12');
    doc = edit(a, doc, '/tmp/a-%h', '/tmp/ab-%h');
    assert.equal(jsonPatches(), n + 2);
    doc = edit(a, doc, 'step 12', 'step \\" 12');
    doc = edit(a, doc, '" 12', '" 123');
    assert.equal(jsonPatches(), n + 2, 'an edit in a literal with an escape is parsed in full');
    doc = edit(a, doc, 'ab-%h', 'ab-%%h');
    assert.equal(jsonPatches(), n + 3);
    dropTree(FILE);
    keepTree(FILE);
    doc = edit(a, doc, 'p.yml', 'q.yml');
    assert.equal(jsonPatches(), n + 3, 'a document closed and opened again starts from a full parse');
    doc = edit(a, doc, 'q.yml', 'r.yml');
    assert.equal(jsonPatches(), n + 4);
  });
});
