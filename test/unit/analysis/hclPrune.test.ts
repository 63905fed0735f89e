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
import { BUILDER_ATTRS } from '../../../server/src/analysis/types';
import { parseTree } from '../../../server/src/analysis/hclParser';
import { diskHost, memoryHost, ready } from '../../support/analysis';
import { hclFiles, needFolder, templateFolders } from '../../support/corpus';


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

/** What a source and a variable are read for (the rest of their bodies may be cut). */
const READ: Record<string, string[]> = { source: [...BUILDER_ATTRS], variable: ['default'] };

/**
 * The nodes a cut may hold, by start, from a full parse: top-level `build` blocks and the provisioner/post-processor
 * blocks inside them; in top-level `source` and `variable` blocks, the attributes not read and the nested blocks.
 */
function cuttableNodes(text: string): Map<number, { end: number; type: string }> {
  const tree = parseTree(text);
  const out = new Map<number, { end: number; type: string }>();
  try {
    const body = tree.rootNode.namedChildren.find((c) => c?.type === 'body');
    const children = (n: TsNode | null | undefined) => (n?.namedChildren ?? []).filter((c): c is TsNode => c?.type === 'block' || c?.type === 'attribute');
    const blocks = (n: TsNode | null | undefined) => children(n).filter((c) => c.type === 'block');
    for (const b of blocks(body)) {
      const type = b.namedChildren[0]?.text ?? '';
      const inner = b.namedChildren.find((c) => c?.type === 'body');
      if (type === 'build') {
        out.set(b.startIndex, { end: b.endIndex, type });
        for (const n of blocks(inner)) out.set(n.startIndex, { end: n.endIndex, type: n.namedChildren[0]?.text ?? '' });
      } else if (READ[type]) {
        for (const n of children(inner)) {
          const name = n.namedChildren[0]?.text ?? '';
          if (n.type === 'block' || !READ[type].includes(name)) out.set(n.startIndex, { end: n.endIndex, type: `${type} ${n.type} ${name}` });
        }
      }
    }
  } finally {
    tree.delete();
  }
  return out;
}

const blank = (ch: string | undefined) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';

/** Checks that every span left out is whole cuttable nodes with blanks between them; the characters cut. */
function assertCutsAreBlocks(text: string, label: string): number {
  const ranges = prunedRanges(text);
  if (!ranges) return 0;
  const nodes = cuttableNodes(text);
  let cut = 0;
  for (const c of cutsOf(text, ranges)) {
    let at = c.start;
    while (at < c.end && blank(text[at])) at++;
    while (at < c.end) {
      const b = nodes.get(at);
      assert.ok(b, `${label}: a cut reaches ${at}, where no cuttable node starts: ${JSON.stringify(text.slice(at, at + 60))}`);
      assert.ok(b.end <= c.end, `${label}: the cut [${c.start}, ${c.end}) ends inside the ${b.type} at ${at} (to ${b.end})`);
      assert.ok(['build', 'provisioner', 'post-processor', 'post-processors', 'error-cleanup-provisioner'].includes(b.type) || /^(source|variable) /.test(b.type), `${label}: cut a ${b.type}`);
      if (!/^(source|variable) /.test(b.type)) assert.ok(!text.slice(at, b.end).includes('ansible'), `${label}: cut a block naming ansible`);
      at = b.end;
      while (at < c.end && blank(text[at])) at++;
    }
    cut += c.end - c.start;
  }
  return cut;
}

function findings(a: Analyzer, file: string, text: string): unknown {
  return a.analyze(file, text).findings;
}

describe('the pruned HCL2 parse of the lint', () => {
  before(ready);

  for (const [name, dir, available] of templateFolders()) {
    it(`${name}: every cut is whole blocks or unread attributes, and the findings are those of a full parse`, function () {
      this.timeout(120000);
      needFolder(this, dir, available);
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
    'a source and a variable: their unread attributes and nested blocks are left out, what is read stays': `source "amazon-ebs" "x" {\n  ami_name = "img-\${formatdate("YYYY", timestamp())}" # a comment {\n  tags = {\n    Name = "x }"\n  }\n  user_data = <<EOF\n#!/bin/sh\n}\nbuild {\nEOF\n  launch_block_device_mappings {\n    device_name = "/dev/sda1"\n  }\n  subnet_filter = merge(\n    { a = 1 }, /* ) */\n    var.extra\n  )\n  ssh_username = "ubuntu"\n  communicator = "ssh"\n}\nvariable "extra" {\n  type = map(string)\n  default = {}\n}\nvariable "cp_dir" {\n  type        = string\n  description = "where the socket goes"\n  default     = "/home/builder/.ansible/cp"\n  validation {\n    condition     = length(var.cp_dir) > 0\n    error_message = "Set it."\n  }\n}\nbuild {\n  sources = ["source.amazon-ebs.x"]\n  provisioner "ansible" {\n    playbook_file = "./playbook.yml"\n    ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH_DIR=\${var.cp_dir}"]\n  }\n}\n`,
    'a provisioner type spelt with \\u escapes is kept': `${head}build {\n  sources = ["source.amazon-ebs.x"]\n${shell(12)}  provisioner "\\u0061nsible" {\n    extra_arguments = ["-v"]\n    use_proxy = false\n${'    # padding so that the block is worth a cut\n'.repeat(6)}  }\n}\n`,
    'an unterminated string: nothing is left out': `${head}build {\n${shell(9)}  provisioner "shell" {\n    inline = ["oops]\n  }\n${ansible}}\nbuild {\n${shell(10)}}\n`,
  };
  for (const [what, text] of Object.entries(misleading)) {
    it(`${what}: the cuts are whole blocks and the findings those of a full parse`, () => {
      const cut = assertCutsAreBlocks(text, what);
      if (what.startsWith('an unterminated')) assert.equal(prunedRanges(text), undefined);
      else if (what.startsWith('a provisioner that names')) assert.ok(cutsOf(text, prunedRanges(text)!).every((c) => !text.slice(c.start, c.end).includes('setup.sh')), 'the script provisioner stays');
      else if (what.startsWith('a provisioner type spelt')) assert.ok(cutsOf(text, prunedRanges(text)!).every((c) => !text.slice(c.start, c.end).includes('extra_arguments')), 'the escaped ansible provisioner stays');
      else if (what.startsWith('a source and a variable')) {
        const left = cutsOf(text, prunedRanges(text)!).map((c) => text.slice(c.start, c.end)).join('\n');
        for (const gone of ['ami_name', 'tags', 'user_data', 'launch_block_device_mappings', 'subnet_filter', 'description', 'validation', 'map(string)']) assert.ok(left.includes(gone), `${gone} is left out`);
        for (const kept of ['ssh_username', 'communicator', 'default', '/home/builder/.ansible/cp', 'playbook_file']) assert.ok(!left.includes(kept), `${kept} stays`);
      }
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
