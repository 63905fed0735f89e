// The oracle for how HCL2 expressions read, where the tree the analysis is
// built from could read them otherwise: Packer itself (`packer console`, which
// evaluates a template's locals) against the analysis's evaluation, on
// tree-sitter's tree and on the lint's fast parse (hclFast.ts).
//
// Chained conditionals: tree-sitter-hcl's tree nests `a ? b : c ? d : e` as
// `(a ? b : c) ? d : e`; Packer reads `a ? b : (c ? d : e)`. The cases are
// chosen so that the left reading gives another value or an error (a string
// used as a condition).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseHcl } from '../../server/src/analysis/parseHcl';
import { parseHclFast } from '../../server/src/analysis/hclFast';
import { resolveValue, type Scope } from '../../server/src/analysis/evaluate';
import type { Value } from '../../server/src/analysis';
import { ready } from '../support/analysis';
import { requireTool } from '../support/requireTool';

const SOURCE = 'source "null" "n" {\n  communicator = "none"\n}\nbuild {\n  sources = ["source.null.n"]\n}\n';

/** The locals' values as `packer console` prints them (jsonencode of a list of them). */
function packerValues(dir: string, text: string, names: string[]): unknown[] {
  const file = path.join(dir, 'eval.pkr.hcl');
  fs.writeFileSync(file, text + SOURCE);
  const r = spawnSync('packer', ['console', file], { input: `jsonencode([${names.map((n) => `local.${n}`).join(', ')}])\n`, encoding: 'utf8', timeout: 60000, cwd: dir });
  assert.equal(r.status, 0, `packer console failed: ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout.trim()) as unknown[];
}

function plain(v: Value): unknown {
  return v.kind === 'string' || v.kind === 'number' || v.kind === 'bool' ? v.value : `<${v.kind}>`;
}

/** The locals' values as the analysis evaluates them, from tree-sitter's tree or (`fast`) the lint's parse. */
function analysisValues(dir: string, text: string, names: string[], fast: boolean): unknown[] {
  const file = path.join(dir, fast ? 'fast.pkr.hcl' : 'full.pkr.hcl');
  if (fast) assert.ok(parseHclFast(text), 'the fast parse reads this text');
  const t = parseHcl(file, text, { prune: fast });
  const scope: Scope = { variables: t.variables, locals: t.locals, templateDir: dir, cwd: dir };
  return names.map((n) => plain(resolveValue(t.locals.get(n)!, scope)));
}

describe('oracle: HCL2 expressions as Packer reads them', function () {
  this.timeout(120000);
  let dir: string;
  before(async function () {
    requireTool(this, 'packer', 'evaluates HCL2 templates with `packer console`');
    await ready();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-hcl-eval-'));
  });
  after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  it('conditionals chained after the colon read to the right: a ? b : (c ? d : e), on both parses', () => {
    const text = [
      'variable "key" {\n  default = "id_ed25519"\n}',
      'locals {',
      '  agent = true',
      '  first = true ? "p" : true ? "q" : "r"',
      '  second = false ? "p" : true ? "q" : "r"',
      '  none = false ? "p" : false ? "q" : "r"',
      '  three = false ? "a" : false ? "b" : true ? "c" : "d"',
      '  compared = 1 > 2 ? "a" : 2 > 1 ? "b" : "c"',
      '  operand = true ? "p" : "" != "" ? "q" : "r"',
      '  key_file = var.key != "" ? var.key : local.agent ? "" : "/keys/default"',
      '}',
      '',
    ].join('\n');
    const names = ['first', 'second', 'none', 'three', 'compared', 'operand', 'key_file'];
    const packer = packerValues(dir, text, names);
    assert.deepEqual(packer, ['p', 'q', 'r', 'c', 'b', 'p', 'id_ed25519']);
    assert.deepEqual(analysisValues(dir, text, names, false), packer, "tree-sitter's tree");
    assert.deepEqual(analysisValues(dir, text, names, true), packer, 'the fast parse');
  });

  it('a conditional in parentheses stays the condition', () => {
    const text = 'locals {\n  x = (true ? false : true) ? "y" : "n"\n  y = true ? (false ? "a" : "b") : "c"\n}\n';
    const packer = packerValues(dir, text, ['x', 'y']);
    assert.deepEqual(packer, ['n', 'b']);
    assert.deepEqual(analysisValues(dir, text, ['x', 'y'], false), packer, "tree-sitter's tree");
    assert.deepEqual(analysisValues(dir, text, ['x', 'y'], true), packer, 'the fast parse');
  });
});
