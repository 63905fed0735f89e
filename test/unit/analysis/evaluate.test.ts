// The evaluator: what a template's values will be, as far as they are known
// statically. Each case parses a real HCL2 snippet and evaluates `local.x`.
import assert from 'node:assert/strict';
import { ready } from '../../support/analysis';
import { parseHcl } from '../../../server/src/analysis/parseHcl';
import { piecesOf, resolveValue, type Scope } from '../../../server/src/analysis/evaluate';
import type { Value } from '../../../server/src/analysis';

const FILE = '/ws/t.pkr.hcl';

/** The plain form of a value: strings, numbers, bools, null, arrays, objects; `?` for unknown. */
function plain(v: Value): unknown {
  switch (v.kind) {
    case 'string':
    case 'number':
    case 'bool': return v.value;
    case 'null': return null;
    case 'list': return v.items.map(plain);
    case 'object': return Object.fromEntries(v.attrs.map((a) => [a.name, plain(a.value)]));
    case 'unknown': return '?';
    default: return `<${v.kind}>`;
  }
}

function evaluate(text: string, name = 'x', extra: Partial<Scope> = {}): Value {
  const t = parseHcl(FILE, text);
  const scope: Scope = { variables: t.variables, locals: t.locals, templateDir: '/ws', cwd: '/ws/run', ...extra };
  return resolveValue(t.locals.get(name)!, scope);
}

const value = (text: string, name = 'x', extra: Partial<Scope> = {}) => plain(evaluate(text, name, extra));

describe('evaluate', () => {
  before(ready);

  it('reads references with traversals into object-typed defaults', () => {
    const t = `variable "ansible" {\n  default = { extra_arguments = ["-v", "--scp-extra-args"], env = { a = "1" } }\n}\nlocals {\n  x = var.ansible.extra_arguments[1]\n  y = var.ansible.env["a"]\n}\n`;
    assert.equal(value(t), '--scp-extra-args');
    assert.equal(value(t, 'y'), '1');
  });
  it('evaluates concat, compact, flatten, join, split, format, coalesce, lookup, merge', () => {
    const t = `variable "e" {\n  default = ["A=1", ""]\n}\nlocals {
  x = concat(compact(var.e), ["B=2"], local.more...)
  more = [["C=3"]]
  j = join(" ", ["-o", "ControlPath=/tmp/%h"])
  f = format("%s-%d-%%h", "/tmp/a", 22)
  s = split(",", "a,b,,c")
  c = coalesce("", null, "first")
  l = lookup({ a = "x" }, "b", "dflt")
  m = merge({ a = "1", b = "2" }, { b = "3" })
  fl = flatten([["a"], [["b"]], "c"])
}\n`;
    assert.deepEqual(value(t), ['A=1', 'B=2', 'C=3']);
    assert.equal(value(t, 'j'), '-o ControlPath=/tmp/%h');
    assert.equal(value(t, 'f'), '/tmp/a-22-%h');
    assert.deepEqual(value(t, 's'), ['a', 'b', '', 'c']);
    assert.equal(value(t, 'c'), 'first');
    assert.equal(value(t, 'l'), 'dflt');
    assert.deepEqual(value(t, 'm'), { a: '1', b: '3' });
    assert.deepEqual(value(t, 'fl'), ['a', 'b', 'c']);
  });
  it('evaluates conditionals on known conditions, and on unknown ones whose branches agree', () => {
    const t = `variable "local_build" {\n  default = false\n}\nvariable "unset" {\n  type = bool\n}\nlocals {
  x = var.local_build ? ["-e", "local=1"] : ["--scp-extra-args", "'-O'"]
  y = var.unset ? "same" : "same"
  z = var.unset ? "a" : "b"
  n = 1 + 2 * 3 == 7 && !false
}\n`;
    assert.deepEqual(value(t), ['--scp-extra-args', "'-O'"]);
    assert.equal(value(t, 'y'), 'same');
    assert.equal(value(t, 'z'), '?');
    assert.equal(value(t, 'n'), true);
  });
  it('evaluates for-expressions with conditions, over lists and objects', () => {
    const t = `locals {
  x = [for k, v in { a = "1", b = "2" } : "ANSIBLE_\${upper(k)}=\${v}" if k != "b"]
  y = { for s in ["a", "b"] : s => "\${s}!" }
  z = [for i, s in ["a", "b"] : i]
}\n`;
    assert.deepEqual(value(t), ['ANSIBLE_A=1']);
    assert.deepEqual(value(t, 'y'), { a: 'a!', b: 'b!' });
    assert.deepEqual(value(t, 'z'), [0, 1]);
  });
  it('knows path.root and path.cwd, and abspath from the working directory', () => {
    const t = 'locals {\n  x = "${path.root}/ansible.cfg"\n  y = "${path.cwd}/../a"\n  z = abspath("cfg/a.cfg")\n}\n';
    assert.equal(value(t), '/ws/ansible.cfg');
    assert.equal(value(t, 'y'), '/ws/run/../a');
    assert.equal(value(t, 'z'), '/ws/run/cfg/a.cfg');
    assert.equal(value(t, 'y', { cwd: undefined }), '?');
  });
  it('leaves build-time values unknown: env, timestamp, build.*, variables without default, cycles', () => {
    const t = `variable "nodefault" {\n  type = string\n}\nlocals {
  x = env("HOME")
  t = timestamp()
  b = "\${build.User}"
  v = var.nodefault
  c1 = local.c2
  c2 = local.c1
}\n`;
    for (const n of ['x', 't', 'b', 'v', 'c1']) assert.equal(value(t, n), '?', n);
  });
  it('keeps quoted-template whitespace next to interpolations (tree-sitter leaves it out of its literal nodes)', () => {
    const t = 'variable "d" {\n  default = "/tmp"\n}\nlocals {\n  x = "  ${var.d} x  "\n  y = "   "\n}\n';
    assert.equal(value(t), '  /tmp x  ');
    assert.equal(value(t, 'y'), '   ');
  });
  it('remembers where each character of a computed string is written', () => {
    const text = 'variable "dir" {\n  default = "/tmp/cp"\n}\nlocals {\n  x = "${var.dir}/ansible-%h"\n}\n';
    const v = evaluate(text);
    assert.equal(v.kind, 'string');
    if (v.kind !== 'string') return;
    assert.equal(v.value, '/tmp/cp/ansible-%h');
    const pieces = piecesOf(v).map((p) => ({ at: p.at, text: text.slice(p.offsets[0], p.offsets[p.offsets.length - 1]), via: p.via }));
    assert.deepEqual(pieces, [{ at: 0, text: '/tmp/cp', via: 'var.dir' }, { at: 7, text: '/ansible-%h', via: undefined }]);
  });
  it('gives up on hostile expressions within a budget', () => {
    const levels = Array.from({ length: 30 }, (_, i) => `  l${i} = concat(local.l${i + 1}, local.l${i + 1})`).join('\n');
    const t = `locals {\n  x = local.l0\n${levels}\n  l30 = ["a"]\n}\n`;
    const started = Date.now();
    assert.equal(value(t), '?');
    assert.ok(Date.now() - started < 2000);
  });
});
