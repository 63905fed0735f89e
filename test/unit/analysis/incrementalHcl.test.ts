/**
 * Incremental HCL2 parsing of kept documents (issue #12 item 3): after any
 * sequence of edits, the tree parsed from the kept one is the tree a full
 * parse gives (node types, indices and positions), the parse really was
 * incremental, and a dropped document parses in full again.
 */
import assert from 'node:assert/strict';
import type { Tree } from 'web-tree-sitter';
import { dropTree, hclIncrementalParses, keepTree, parseTree } from '../../../server/src/analysis/hclParser';
import { Analyzer } from '../../../server/src/analysis';
import { memoryHost, ready } from '../../support/analysis';
import { hcl } from '../../support/templates';
import { rng } from '../../../bench/lib';

function shape(tree: Tree): string[] {
  const out: string[] = [];
  const c = tree.walk();
  for (;;) {
    const n = c.currentNode;
    out.push(`${n.type}@${n.startIndex}-${n.endIndex}:${n.startPosition.row}.${n.startPosition.column}-${n.endPosition.row}.${n.endPosition.column}`);
    if (c.gotoFirstChild()) continue;
    while (!c.gotoNextSibling()) {
      if (!c.gotoParent()) {
        c.delete();
        return out;
      }
    }
  }
}

const FILE = '/ws/open.pkr.hcl';

describe('incremental HCL2 parsing of kept documents', () => {
  before(ready);
  afterEach(() => dropTree(FILE));

  it('gives the tree of a full parse after random edits (insertions, deletions, multi-line, non-ASCII, broken syntax)', () => {
    keepTree(FILE);
    const random = rng(12);
    const pieces = ['a', '"', '{', '}', '\n', ' = ', 'é', '😀', '${var.x}', '\n  provisioner "shell" {\n inline = ["x"]\n}\n', '#', '', ''];
    let text = hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%h"]', 'variable "x" {\n  default = "ü"\n}\n');
    parseTree(text, FILE).delete();
    const before = hclIncrementalParses();
    for (let i = 0; i < 300; i++) {
      const at = Math.floor(random() * (text.length + 1));
      const del = Math.floor(random() * 4) === 0 ? Math.floor(random() * 30) : 0;
      let cut = Math.min(text.length, at + del);
      // Never split a surrogate pair: editors do not.
      const low = (k: number) => k > 0 && k < text.length && /[\uDC00-\uDFFF]/.test(text[k]);
      const start = low(at) ? at - 1 : at;
      if (low(cut)) cut++;
      text = text.slice(0, start) + pieces[Math.floor(random() * pieces.length)] + text.slice(cut);
      const inc = parseTree(text, FILE);
      const full = parseTree(text);
      try {
        assert.deepEqual(shape(inc), shape(full), `edit ${i}`);
      } finally {
        inc.delete();
        full.delete();
      }
    }
    assert.equal(hclIncrementalParses() - before, 300);
  });

  it('an analysis of a kept document after an edit finds what a fresh analyser finds; a dropped one parses in full', () => {
    keepTree(FILE);
    const a = new Analyzer(memoryHost({}));
    const first = hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%h"]');
    a.analyze(FILE, first);
    const second = first.replace('/tmp/a-%h', '/tmp/a-%%h');
    const n = hclIncrementalParses();
    const r = a.analyze(FILE, second);
    assert.equal(hclIncrementalParses(), n + 1);
    assert.deepEqual(r.findings, new Analyzer(memoryHost({})).analyze('/ws/other/open.pkr.hcl', second).findings.map((f) => ({ ...f, file: FILE })));
    dropTree(FILE);
    a.analyze(FILE, first);
    assert.equal(hclIncrementalParses(), n + 1);
  });
});
