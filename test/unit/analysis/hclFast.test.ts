/**
 * The lint's fast HCL2 parse (hclFast.ts): wherever it does not give up, its
 * tree is tree-sitter-hcl's, node for node (types, spans, named or not;
 * comments and the literal runs inside strings, which no consumer reads, set
 * aside), on every HCL2 file of the corpora and the examples, whole and
 * pruned as the lint prunes them, on texts written to trip it, and on
 * generated expressions. The findings of the lint over it are compared with
 * a full parse's in hclPrune.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseHclFast } from '../../../server/src/analysis/hclFast';
import { parseTree } from '../../../server/src/analysis/hclParser';
import { prunedRanges, type IncludedRange } from '../../../server/src/analysis/hclPrune';
import { ready } from '../../support/analysis';
import { hclFiles, needFolder, templateFolders } from '../../support/corpus';
import { rng } from '../../../bench/lib';

interface AnyNode {
  type: string;
  isNamed: boolean;
  startIndex: number;
  endIndex: number;
  children: (AnyNode | null)[];
}

/** A node and everything below it as text: type, span, unnamed tokens marked `!`. */
function shape(n: AnyNode, parent = ''): string {
  // Literal runs are compared only in block labels: elsewhere expr.ts reads a string's text between its interpolations.
  const kids = n.children.filter((c): c is AnyNode => c !== null && c.type !== 'comment' && (c.type !== 'template_literal' || (n.type === 'string_lit' && parent === 'block')));
  const inner = kids.map((k) => shape(k, n.type)).join(' ');
  return `(${n.isNamed ? '' : '!'}${n.type}@${n.startIndex}-${n.endIndex}${inner ? ` ${inner}` : ''})`;
}

function bodyOf(root: AnyNode): AnyNode | undefined {
  return root.children.find((c): c is AnyNode => c?.type === 'body');
}

/** The fast tree of `text`, checked against tree-sitter's; undefined when the fast parse gave up. */
function compared(text: string, ranges?: IncludedRange[], label = ''): string | undefined {
  const fast = parseHclFast(text, ranges);
  if (!fast) return undefined;
  const tree = parseTree(text, undefined, ranges);
  try {
    assert.ok(!tree.rootNode.hasError, `${label}: the fast parse took a text tree-sitter finds an error in`);
    const expected = bodyOf(tree.rootNode as unknown as AnyNode);
    const actual = bodyOf(fast.rootNode as unknown as AnyNode);
    assert.equal(actual && shape(actual), expected && shape(expected), label);
    return actual ? shape(actual) : '';
  } finally {
    tree.delete();
  }
}

describe('the fast HCL2 parse of the lint', () => {
  before(ready);

  for (const [name, dir, available] of templateFolders()) {
    it(`${name}: its tree is tree-sitter's, whole and pruned, and it reads most files`, function () {
      this.timeout(120000);
      needFolder(this, dir, available);
      const files = hclFiles(dir, /\.pkr(vars)?\.hcl$/);
      assert.ok(files.length > 0);
      let read = 0;
      for (const file of files) {
        const text = fs.readFileSync(file, 'utf8');
        const label = path.relative(dir, file);
        const whole = compared(text, undefined, label);
        const ranges = prunedRanges(text);
        if (ranges) compared(text, ranges, `${label} (pruned)`);
        if (whole !== undefined) read++;
      }
      // Not a bound on correctness (giving up is always correct) but on use: a parse that gives up on everything saves nothing.
      assert.ok(read >= files.length * 0.8, `read ${read} of ${files.length}`);
    });
  }

  const cases: Record<string, { text: string; reads: boolean }> = {
    'precedence and associativity': { text: 'a = 1 + 2 * 3 - 4 / 5 % 6\nb = x == y != z\nc = p < q && r >= s || !t\nd = -u.v[0] * -w\ne = a - b - c\n', reads: true },
    'a conditional over operations, with steps and calls': { text: 'x = var.a != null ? replace(var.a, "-", "_") : local.b[var.i].c\n', reads: true },
    'conditionals chained after the colon (left-associative in tree-sitter-hcl\'s tree)': { text: 'x = a ? b : c ? d : e\ny = p != "" ? q : r.s ? "" : t.u ? 1 + 2 : v\n', reads: true },
    'a conditional after an operation in a chain': { text: 'x = a ? b : c + 1 > 2 ? d : e\n', reads: true },
    'a conditional inside a then is left to tree-sitter': { text: 'x = a ? b ? c : d : e\n', reads: false },
    'a conditional in parentheses as a condition, as a then, over lines': { text: 'x = (a ? b : c) ? d : e\ny = a ? (b ? c : d) : e\nz = (\n  var.m != null # given\n  ? var.m\n  : local.d\n)\n', reads: true },
    'an index on the next line (tree-sitter reads it as a step)': { text: 'x = y\n[0]\n', reads: false },
    'a call with a blank before its parenthesis': { text: 'x = f (1)\n', reads: false },
    'comments inside brackets and between items': { text: '# head\nx = [\n  "a", # one\n  // two\n  "b", /* three */\n]\ny = { a = 1 /* c */, b = 2 }\n', reads: true },
    'a comment inside an interpolation': { text: 'x = "${a /* c */}"\n', reads: false },
    'templates, escapes and interpolations in strings': { text: 'x = "a\\"b\\\\c\\n ${var.d} e${f(g, "h${i}")}"\ny = ""\n', reads: true },
    'doubled percent signs and dollars that escape nothing (Ansible\'s %%h)': { text: 'x = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r", "$$HOME", "${var.a}%%C"]\n', reads: true },
    'a $${ escape': { text: 'x = "$${a}"\n', reads: false },
    'a %%{ escape after more percent signs': { text: 'x = "%%%%{a}"\n', reads: false },
    'a directive': { text: 'x = "%{ if a }b%{ endif }"\n', reads: false },
    'a strip marker': { text: 'x = "${~ a ~}"\n', reads: false },
    'heredocs, plain and indented, with interpolations, backslashes and lone dollars': { text: 'x = <<EOF\nhello ${var.a} \\" $b %c %%h $$d\n  EOF\ny = <<-EOT\n    #!/bin/bash\n    userdel -r ${var.u}\n\tEOT\nz = 1\n', reads: true },
    'an empty heredoc, a heredoc in a tuple and in a call': { text: 'x = <<EOF\nEOF\ny = [<<A\na\nA\n, 2]\nz = f(<<B\nb ${c}\nB\n)\n', reads: true },
    'a heredoc whose marker line is not closed by a line break': { text: 'x = <<EOF\nhello\nEOF', reads: false },
    'a heredoc with a line that starts with its marker': { text: 'x = <<-EOT\n  a\n  EOTX\n  EOT\n', reads: false },
    'a heredoc with blanks after its opening marker, or CRLF': { text: 'x = <<EOF \na\nEOF\ny = <<EOF\r\na\r\nEOF\r\n', reads: false },
    'a heredoc with a directive': { text: 'x = <<EOF\n%{ if a }b%{ endif }\nEOF\n', reads: false },
    'a heredoc with a $${ escape': { text: 'x = <<EOF\n$${a}\nEOF\n', reads: false },
    'a heredoc with an interpolation over two lines': { text: 'x = <<EOF\n${f(a,\nb)}\nEOF\n', reads: false },
    'a heredoc whose marker has a dash': { text: 'x = <<END-OF\na\nEND-OF\n', reads: false },
    'labels with blanks or escapes': { text: 'source "a b" "c" {\n}\n', reads: false },
    'two attributes on one line': { text: 'a = 1 b = 2\n', reads: false },
    'one-line blocks and empty bodies': { text: 'source "amazon-ebs" "x" { ssh_username = "u" }\nbuild {}\nvariable "v" {\n  # only a comment\n}\n', reads: true },
    'names with dashes, keywords as prefixes': { text: 'true-ish = nullable\nfor_each = in-out.if_x\nx = false\n', reads: true },
    'for expressions, splats, legacy indexes, ellipses, namespaced functions': { text: 'x = [for s in var.l : upper(s)]\n', reads: false },
    'a splat': { text: 'x = var.l[*].id\n', reads: false },
    'a legacy index': { text: 'x = var.l.0\n', reads: false },
    'an ellipsis': { text: 'x = max(var.l...)\n', reads: false },
    'a provider function': { text: 'x = provider::p::f(1)\n', reads: false },
    'parentheses, with steps after them and under a unary operator': { text: 'x = (a + b) * c\ny = (var.o).k[0]\nz = -(1 + 2)\nw = f((a), (b))\n', reads: true },
    'empty parentheses': { text: 'x = ()\n', reads: false },
    'exponents and hexadecimal numbers': { text: 'x = 1.5e3\n', reads: false },
    'an identifier outside ASCII': { text: 'ü = 1\n', reads: false },
    'an unterminated string': { text: 'x = "abc\ny = 1\n', reads: false },
    'an unclosed block': { text: 'build {\n  x = 1\n', reads: false },
    'a text that is one object': { text: '{ "a": 1 }\n', reads: false },
    'CRLF line ends and a text outside ASCII in strings': { text: 'variable "v" {\r\n  default = "ß→✓ ${var.x}"\r\n}\r\n', reads: true },
    'an object with colons, quoted keys and no commas': { text: 'x = {\n  "a": 1\n  b = [2, 3,]\n  c = { d = true }\n}\n', reads: true },
  };
  for (const [what, { text, reads }] of Object.entries(cases)) {
    it(`${what}: ${reads ? 'read, as tree-sitter reads it' : 'left to tree-sitter'}`, () => {
      const got = compared(text, undefined, what);
      assert.equal(got !== undefined, reads, got ?? 'gave up');
    });
  }

  it('reads a pruned text as tree-sitter reads the ranges (a word on each side of a cut would be one to it)', () => {
    const text = 'variable "v" {\n  type = string\n  default = "x"\n}\n';
    const at = text.indexOf('type');
    const after = text.indexOf('default');
    const lines = (i: number) => text.slice(0, i).split('\n');
    const pos = (i: number) => ({ row: lines(i).length - 1, column: lines(i)[lines(i).length - 1].length });
    const ranges: IncludedRange[] = [
      { startIndex: 0, endIndex: at, startPosition: pos(0), endPosition: pos(at) },
      { startIndex: after, endIndex: text.length, startPosition: pos(after), endPosition: pos(text.length) },
    ];
    assert.ok(compared(text, ranges, 'cut attribute') !== undefined);
    const glued = 'x = ab\n';
    const split: IncludedRange[] = [
      { startIndex: 0, endIndex: 5, startPosition: { row: 0, column: 0 }, endPosition: { row: 0, column: 5 } },
      { startIndex: 6, endIndex: 7, startPosition: { row: 0, column: 6 }, endPosition: { row: 0, column: 7 } },
    ];
    assert.equal(parseHclFast(glued, split), undefined);
  });

  it('generated expressions: read as tree-sitter reads them, or left to it', function () {
    this.timeout(60000);
    const random = rng(12);
    const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
    const blank = () => pick([' ', ' ', '  ', '\n  ', ' /* c */ ', ' # c\n']);
    const ops = ['*', '/', '%', '+', '-', '>', '>=', '<', '<=', '==', '!=', '&&', '||'];
    const gen = (d: number): string => {
      const r = random();
      if (d > 3 || r < 0.3) return pick(['1', '2.5', 'true', 'null', '"s"', '"a${b}c"', 'var.x', 'local.y[0]', 'f()', 'x-y']);
      if (r < 0.55) return `${gen(d + 1)}${pick([' ', ''])}${pick(ops)}${pick([' ', ''])}${gen(d + 1)}`;
      if (r < 0.65) return `${pick(['-', '!'])}${gen(d + 1)}`;
      if (r < 0.75) return `${gen(d + 1)} ? ${gen(d + 1)} : ${gen(d + 1)}`;
      if (r < 0.85) return `[${blank()}${gen(d + 1)},${blank()}${gen(d + 1)}${pick(['', ','])}${blank()}]`;
      if (r < 0.9) return `{${blank()}k = ${gen(d + 1)}${blank()}"l": ${gen(d + 1)}${blank()}}`;
      if (r < 0.95) return `(${pick(['', ' ', '\n  '])}${gen(d + 1)}${pick(['', ' ', '\n'])})${pick(['', '.k', '[0]'])}`;
      if (r < 0.97) return pick(['<<EOF\nl ${b}\n  EOF\n', '<<-EOT\n  $x %%h ${f(1)}\n  EOT\n']);
      return `g(${gen(d + 1)}, ${gen(d + 1)})`;
    };
    let read = 0;
    const count = 800;
    for (let k = 0; k < count; k++) {
      const text = `locals {\n  a = ${gen(0)}\n  b = 1\n}\n`;
      if (compared(text, undefined, text) !== undefined) read++;
    }
    assert.ok(read > count / 4, `read ${read} of ${count}`);
  });
});
