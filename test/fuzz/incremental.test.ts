/**
 * Open documents edited through the language server's document update
 * (documentChanges.ts notes each change's span): after any sequence of
 * changes, with analyses after some of them, the analysis of the kept
 * document (HCL2: its tree edited with the noted spans and only the touched
 * top-level items walked again; legacy JSON: its tree patched when the edit
 * lies inside one string, and the untouched provisioners reused) gives the
 * model and the findings a fresh analysis of the same text gives; and the
 * HCL2 tree edited with the client's positions is the tree of a full parse.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analyzer } from '../../server/src/analysis';
import { dropTree, keepTree, parseTree } from '../../server/src/analysis/hclParser';
import { hclRewalks } from '../../server/src/analysis/parseHcl';
import { jsonPatches } from '../../server/src/analysis/parseJson';
import { updateNotingEdits } from '../../server/src/documentChanges';
import { memoryHost, ready } from '../support/analysis';
import { padHcl, padJson } from '../../bench/workspace';
import { long, params } from './support';
import { treeShape } from '../support/treeShape';

const ROOT = path.join(__dirname, '..', '..');
const seedOf = (f: string) => fs.readFileSync(path.join(ROOT, 'examples', 'control-path-missing', f), 'utf8');

/** Text a change writes: mostly what keeps a string a string, sometimes what does not. */
const insert = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom('7', 'x', 'é', '😀', ' ', '%h', '-o ControlPath=/tmp/c-%h', '') },
  { weight: 1, arbitrary: fc.constantFrom('"', '\\', '\\n', '{', '}', '[', ',', '\n', '\r\n', '\r', '\t', '"a": 1,', 'x = 1\n', '\nbuild {\n}\n', '#', '/*') },
);

/** A change near one of the template's strings (most edits are there), or anywhere; sometimes a reversed range. */
interface Change {
  shift: number;
  length: number;
  text: string;
  reversed: boolean;
}
const change: fc.Arbitrary<Change> = fc.record({
  shift: fc.integer({ min: -3, max: 3 }),
  length: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 6, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: fc.integer({ min: 4, max: 60 }) }),
  text: insert,
  reversed: fc.boolean(),
});
/** Change events of one to three changes near one place, each followed by an analysis or not (the debounce merges events). */
const session = fc.array(
  fc.record({ anchor: fc.nat({ max: 10_000 }), changes: fc.array(change, { minLength: 1, maxLength: 3 }), analyse: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }) }),
  { minLength: 1, maxLength: long ? 40 : 20 },
);

/** A range of `doc` for `c`, never splitting a surrogate pair (clients do not). */
function rangeOf(doc: TextDocument, anchor: number, c: Change, anchors: number[]) {
  const text = doc.getText();
  const clamp = (o: number) => {
    let x = Math.max(0, Math.min(text.length, o));
    if (x > 0 && x < text.length && /[\uDC00-\uDFFF]/.test(text[x])) x--;
    return x;
  };
  const start = clamp(anchors[anchor % anchors.length] + c.shift);
  const end = clamp(start + c.length);
  const r = { start: doc.positionAt(start), end: doc.positionAt(end) };
  return c.reversed ? { start: r.end, end: r.start } : r;
}

const model = (a: Analyzer, file: string, text: string, doc?: TextDocument) => {
  const r = a.analyze(file, text, doc);
  const t = JSON.stringify(r.template, (k, v: unknown) => (v instanceof Map ? [...v] : k === 'file' ? '' : v));
  const findings = JSON.stringify(r.findings, (k, v: unknown) => (k === 'file' ? '' : v));
  return { t, findings };
};

describe('fuzz: open documents edited change by change analyse as a fresh text does', function () {
  this.timeout(long ? 0 : 120000);
  before(ready);

  for (const format of ['json', 'hcl'] as const) {
    it(`${format === 'json' ? 'legacy JSON' : 'HCL2'}: model and findings of the kept document equal a fresh analysis after every analysed change`, () => {
      const name = format === 'json' ? 'template.json' : 'template.pkr.hcl';
      const initial = format === 'json' ? padJson(seedOf(name), 0, 6 * 1024) : padHcl(seedOf(name), 0, 6 * 1024);
      const anchors = [...initial.matchAll(/hardening step \d|ControlPath|playbook|"type"|provisioner/g)].map((m) => m.index! + 3);
      const fast = format === 'json' ? jsonPatches : () => hclRewalks().rewalks + hclRewalks().aloneBlocks;
      const aloneBefore = hclRewalks().aloneBlocks;
      const fastBefore = fast();
      let analyses = 0;
      fc.assert(
        fc.property(session, (events) => {
          const file = `/ws/open/${name}`;
          keepTree(file);
          const kept = new Analyzer(memoryHost({}));
          try {
            let doc = TextDocument.create(`file://${file}`, format, 1, initial);
            kept.analyze(file, doc.getText(), doc);
            for (const [i, e] of events.entries()) {
              for (const c of e.changes) doc = updateNotingEdits(doc, [{ range: rangeOf(doc, e.anchor, c, anchors), text: c.text }], doc.version + 1);
              if (!e.analyse && i < events.length - 1) continue;
              const text = doc.getText();
              analyses++;
              assert.deepEqual(model(kept, file, text, doc), model(new Analyzer(memoryHost({})), `/ws/fresh/${name}`, text), `after event ${i}`);
            }
            if (format === 'hcl') {
              // The kept tree, edited by blocks parsed on their own and not parsed since, re-parses to the tree of a full parse.
              const inc = parseTree(doc.getText(), file);
              const full = parseTree(doc.getText());
              try {
                assert.deepEqual(treeShape(inc), treeShape(full), 'the kept tree at the end');
              } finally {
                inc.delete();
                full.delete();
              }
            }
          } finally {
            dropTree(file);
          }
        }),
        params(`incremental ${format}`, 60),
      );
      // The fast paths ran, and not only on a few of the analyses.
      assert.ok(fast() - fastBefore > analyses / 8, `${fast() - fastBefore} of ${analyses} analyses took the fast path`);
      if (long) process.stderr.write(`${format}: ${fast() - fastBefore} of ${analyses} analyses on a fast path\n`);
      if (format === 'hcl') assert.ok(hclRewalks().aloneBlocks - aloneBefore > analyses / 16, 'some analyses parsed only the block the edit changed');
    });
  }

  it('HCL2: the tree edited with the positions of the client changes is the tree of a full parse (CRLF, lone CR, non-ASCII, several changes per event)', () => {
    const initial = padHcl(seedOf('template.pkr.hcl'), 0, 4 * 1024);
    const anchors = [...initial.matchAll(/hardening step \d|ControlPath|provisioner/g)].map((m) => m.index! + 3);
    fc.assert(
      fc.property(session, fc.boolean(), (events, crlf) => {
        const file = '/ws/open/tree.pkr.hcl';
        keepTree(file);
        try {
          let doc = TextDocument.create(`file://${file}`, 'packer-hcl', 1, crlf ? initial.replace(/\n/g, '\r\n') : initial);
          parseTree(doc.getText(), file).delete();
          for (const [i, e] of events.entries()) {
            doc = updateNotingEdits(doc, e.changes.map((c) => ({ range: rangeOf(doc, e.anchor, c, anchors), text: c.text })), doc.version + 1);
            if (!e.analyse && i < events.length - 1) continue;
            const inc = parseTree(doc.getText(), file);
            const full = parseTree(doc.getText());
            try {
              assert.deepEqual(treeShape(inc), treeShape(full), `after event ${i}`);
            } finally {
              inc.delete();
              full.delete();
            }
          }
        } finally {
          dropTree(file);
        }
      }),
      params('incremental hcl tree', 40),
    );
  });
});
