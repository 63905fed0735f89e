/**
 * The lint's pruned HCL2 parse (hclPrune.ts): the blocks it leaves out are
 * exactly blocks tree-sitter sees in a full parse, and the findings (with
 * their fixes) are those of a full analysis, on every HCL2 template of the
 * corpora and the examples and on texts written to mislead the scan.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Node as TsNode } from 'web-tree-sitter';
import { Analyzer } from '../../../server/src/analysis';
import { prunedRanges, type IncludedRange } from '../../../server/src/analysis/hclPrune';
import { parseTree } from '../../../server/src/analysis/hclParser';
import { diskHost, memoryHost, ready } from '../../support/analysis';
import { corpusAvailable, corpusDir, realWorldAvailable, realWorldDir } from '../../support/corpus';
import { inCI } from '../../support/requireTool';

const root = path.resolve(__dirname, '..', '..', '..');

function hclFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p);
      else if (e.isFile() && e.name.endsWith('.pkr.hcl')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** The spans left out: the gaps between the included ranges. */
function cutsOf(text: string, ranges: IncludedRange[]): { start: number; end: number }[] {
  const cuts: { start: number; end: number }[] = [];
  let at = 0;
  for (const r of ranges) {
    if (r.startIndex > at) cuts.push({ start: at, end: r.startIndex });
    at = r.endIndex;
  }
  if (at < text.length) cuts.push({ start: at, end: text.length });
  return cuts;
}

/** The blocks a cut may be: top-level `build` blocks and the provisioner/post-processor blocks inside them, from a full parse. */
function cuttableBlocks(text: string): Map<number, { end: number; type: string }> {
  const tree = parseTree(text);
  const out = new Map<number, { end: number; type: string }>();
  try {
    const body = tree.rootNode.namedChildren.find((c) => c?.type === 'body');
    const blocks = (n: TsNode | null | undefined) => (n?.namedChildren ?? []).filter((c): c is TsNode => c?.type === 'block');
    for (const b of blocks(body)) {
      const type = b.namedChildren[0]?.text;
      if (type !== 'build') continue;
      out.set(b.startIndex, { end: b.endIndex, type });
      for (const inner of blocks(b.namedChildren.find((c) => c?.type === 'body'))) out.set(inner.startIndex, { end: inner.endIndex, type: inner.namedChildren[0]?.text ?? '' });
    }
  } finally {
    tree.delete();
  }
  return out;
}

function assertCutsAreBlocks(text: string, label: string): number {
  const ranges = prunedRanges(text);
  if (!ranges) return 0;
  const blocks = cuttableBlocks(text);
  let cut = 0;
  for (const c of cutsOf(text, ranges)) {
    const b = blocks.get(c.start);
    assert.ok(b, `${label}: a cut at ${c.start} starts no build, provisioner or post-processor block: ${JSON.stringify(text.slice(c.start, c.start + 60))}`);
    assert.equal(c.end, b.end, `${label}: the cut at ${c.start} ends at ${c.end}, its block at ${b.end}`);
    assert.ok(['build', 'provisioner', 'post-processor', 'post-processors', 'error-cleanup-provisioner'].includes(b.type), `${label}: cut a ${b.type} block`);
    const slice = text.slice(c.start, c.end);
    assert.ok(!slice.includes('ansible'), `${label}: cut a block naming ansible`);
    cut += c.end - c.start;
  }
  return cut;
}

function findings(a: Analyzer, file: string, text: string): unknown {
  return a.analyze(file, text).findings;
}

describe('the pruned HCL2 parse of the lint', () => {
  before(ready);

  for (const [name, dir, available] of [
    ['corpus', corpusDir, corpusAvailable],
    ['corpus-realworld', realWorldDir, realWorldAvailable],
    ['examples', path.join(root, 'examples'), () => true],
  ] as const) {
    it(`${name}: every cut is a whole build or provisioner block, and the findings are those of a full parse`, function () {
      this.timeout(120000);
      if (!available()) {
        if (inCI) throw new Error(`CI=true but ${dir} is missing`);
        console.warn(`    skipped: ${dir} is not beside this clone`);
        this.skip();
      }
      const files = hclFiles(dir);
      assert.ok(files.length > 0);
      let cut = 0;
      for (const file of files) {
        const text = fs.readFileSync(file, 'utf8');
        cut += assertCutsAreBlocks(text, path.relative(dir, file));
        const full = new Analyzer(diskHost, { roots: [dir] });
        const pruned = new Analyzer(diskHost, { roots: [dir] }, { findingsOnly: true });
        assert.deepEqual(findings(pruned, file, text), findings(full, file, text), path.relative(dir, file));
      }
      if (name !== 'examples') assert.ok(cut > 0, 'the real templates have blocks to leave out');
    });
  }

  const shell = (k: number) => `  provisioner "shell" {\n    inline = [\n${Array.from({ length: 6 }, (_, j) => `      "echo step ${k}.${j} && sudo apt-get install -y curl",`).join('\n')}\n    ]\n  }\n`;
  const ansible = `  provisioner "ansible" {\n    playbook_file = "./playbook.yml"\n    ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%h-%p-%r"]\n  }\n`;
  const head = `source "amazon-ebs" "x" {\n  ssh_username = "ubuntu"\n}\n`;
  const misleading: Record<string, string> = {
    'braces and a fake build in strings, templates and comments': `${head}# build { }\n/* } build {\n} */\nbuild {\n  sources = ["source.amazon-ebs.x"]\n${shell(1)}  provisioner "shell" {\n    inline = ["echo '}' \${jsonencode({ a = "}" })} \\" } build {", "$\${ not a template }", "%%{ nor this }"]\n  }\n${ansible}}\nbuild {\n  sources = ["source.amazon-ebs.x"]\n${shell(2)}${shell(3)}}\n`,
    'heredocs holding braces and block heads': `${head}build {\n  sources = ["source.amazon-ebs.x"]\n  provisioner "shell" {\n    inline = [<<EOF\n}\nbuild {\n  provisioner "shell" {\nEOF\n    ]\n${'    # padding so that the block is worth a cut\n'.repeat(6)}  }\n${shell(4)}${ansible}}\nbuild {\n  sources = ["source.amazon-ebs.x"]\n  provisioner "shell" {\n    inline = [<<-EOT\n      }}}\n      EOT\n    ]\n  }\n${shell(5)}}\n`,
    'CRLF line ends and text before the cuts outside ASCII': `${head}variable "ü" {\n  default = "ß→✓"\n}\nbuild {\n  sources = ["source.amazon-ebs.x"]\n${shell(6)}${ansible}}\nbuild {\n  name = "é"\n${shell(7)}${shell(8)}}\n`.replace(/\n/g, '\r\n'),
    'a provisioner that names a file is kept': `${head}build {\n  sources = ["source.amazon-ebs.x"]\n  provisioner "shell" {\n    script = "scripts/setup.sh"\n${'    # padding\n'.repeat(30)}  }\n${shell(11)}${ansible}}\n`,
    'an unterminated string: nothing is left out': `${head}build {\n${shell(9)}  provisioner "shell" {\n    inline = ["oops]\n  }\n${ansible}}\nbuild {\n${shell(10)}}\n`,
  };
  for (const [what, text] of Object.entries(misleading)) {
    it(`${what}: the cuts are whole blocks and the findings those of a full parse`, () => {
      const cut = assertCutsAreBlocks(text, what);
      if (what.startsWith('an unterminated')) assert.equal(prunedRanges(text), undefined);
      else if (what.startsWith('a provisioner that names')) assert.ok(cutsOf(text, prunedRanges(text)!).every((c) => !text.slice(c.start, c.end).includes('setup.sh')), 'the script provisioner stays');
      if (!what.startsWith('an unterminated')) assert.ok(cut > 0, 'something is left out');
      const file = '/ws/image.pkr.hcl';
      const files = { [file]: text, '/ws/playbook.yml': '- hosts: all\n', '/ws/scripts/setup.sh': 'true\n' };
      assert.deepEqual(findings(new Analyzer(memoryHost(files), {}, { findingsOnly: true }), file, text), findings(new Analyzer(memoryHost(files)), file, text));
    });
  }

  it('leaves out a large template\'s shell provisioners, and keeps what the findings read', () => {
    const text = `${head}variable "dir" {\n  default = "/tmp"\n}\nbuild {\n  sources = ["source.amazon-ebs.x"]\n${shell(0)}${ansible}${shell(1)}}\n${Array.from({ length: 200 }, (_, k) => `build {\n  name = "pad-${k}"\n  sources = ["source.amazon-ebs.x"]\n${shell(k)}}\n`).join('')}`;
    const ranges = prunedRanges(text)!;
    assert.ok(ranges, 'something is left out');
    const kept = ranges.reduce((n, r) => n + r.endIndex - r.startIndex, 0);
    assert.ok(kept < text.length / 20, `kept ${kept} of ${text.length} characters`);
    const included = ranges.map((r) => text.slice(r.startIndex, r.endIndex)).join('');
    for (const needed of ['source "amazon-ebs" "x"', 'variable "dir"', 'provisioner "ansible"', 'ANSIBLE_SSH_CONTROL_PATH']) assert.ok(included.includes(needed), needed);
    assert.equal(assertCutsAreBlocks(text, 'padded'), text.length - kept);
  });

  it('a syntax error inside a left-out block is not reported by the lint; one in a kept block is, as by a full parse', () => {
    const file = '/ws/image.pkr.hcl';
    const inCut = `${head}build {\n  sources = ["source.amazon-ebs.x"]\n${ansible}}\nbuild {\n${shell(1)}  provisioner "shell" {\n    inline = ["a" "b"]\n${'    # padding\n'.repeat(20)}  }\n}\n`;
    const inKept = `${head}build {\n  sources = ["source.amazon-ebs.x"]\n  provisioner "ansible" {\n    playbook_file = "./playbook.yml" extra\n  }\n}\nbuild {\n${shell(1)}${shell(2)}}\n`;
    const ids = (a: Analyzer, text: string) => a.analyze(file, text).findings.map((f) => f.ruleId);
    assert.ok(ids(new Analyzer(memoryHost({ [file]: inCut })), inCut).includes('parse-error'), 'a full parse reports it');
    assert.ok(!ids(new Analyzer(memoryHost({ [file]: inCut }), {}, { findingsOnly: true }), inCut).includes('parse-error'), 'the lint leaves it to packer validate');
    const full = new Analyzer(memoryHost({ [file]: inKept })).analyze(file, inKept).findings;
    assert.ok(full.some((f) => f.ruleId === 'parse-error'));
    assert.deepEqual(new Analyzer(memoryHost({ [file]: inKept }), {}, { findingsOnly: true }).analyze(file, inKept).findings, full);
  });
});
