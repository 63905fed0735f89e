/**
 * Incremental HCL2 parsing of kept documents (issue #12 item 3): after any
 * sequence of edits, the tree parsed from the kept one is the tree a full
 * parse gives (node types, indices and positions), the parse really was
 * incremental, and a dropped document parses in full again.
 */
import assert from 'node:assert/strict';
import { dropTree, hclIncrementalParses, keepTree, parseTree } from '../../../server/src/analysis/hclParser';
import { Analyzer } from '../../../server/src/analysis';
import { memoryHost, ready } from '../../support/analysis';
import { hcl } from '../../support/templates';
import { treeShape } from '../../support/treeShape';
import { rng } from '../../../bench/lib';
import { padHcl } from '../../../bench/workspace';
import { parseHcl } from '../../../server/src/analysis/parseHcl';
import fs from 'node:fs';
import path from 'node:path';

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
        assert.deepEqual(treeShape(inc), treeShape(full), `edit ${i}`);
      } finally {
        inc.delete();
        full.delete();
      }
    }
    assert.equal(hclIncrementalParses() - before, 300);
  });

  it('the model of a kept document (build blocks reused from the last conversion) is the model of a fresh conversion after random edits', () => {
    keepTree(FILE);
    const seed = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'control-path-missing', 'template.pkr.hcl'), 'utf8');
    let text = padHcl(seed, 0, 6 * 1024);
    const random = rng(5);
    // No lone quote: runs of unbalanced strings make tree-sitter-hcl's error recovery slow (docs/BENCHMARKS.md).
    const pieces = ['a', '{', '}', '\n', 'x = 1\n', 'é', '😀', '\nprovisioner "ansible" {\n playbook_file = "p.yml"\n}\n', '\nbuild {\n sources = ["source.null.x"]\n}\n', '#', '', ''];
    const model = (f: string) => JSON.stringify(parseHcl(f, text), (k, v: unknown) => (v instanceof Map ? [...v] : k === 'file' ? '' : v));
    const other = '/ws/other/fresh.pkr.hcl';
    for (let i = 0; i < 150; i++) {
      const at = Math.floor(random() * (text.length + 1));
      const cut = Math.min(text.length, at + (random() < 0.3 ? Math.floor(random() * 40) : 0));
      const start = at > 0 && /[\uDC00-\uDFFF]/.test(text[at] ?? '') ? at - 1 : at;
      const end = cut < text.length && /[\uDC00-\uDFFF]/.test(text[cut]) ? cut + 1 : cut;
      text = text.slice(0, start) + pieces[Math.floor(random() * pieces.length)] + text.slice(end);
      assert.equal(model(FILE), model(other), `edit ${i}`);
    }
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
