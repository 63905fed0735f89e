/**
 * The CLI loads the HCL parser (WebAssembly) only when an HCL2 text is
 * parsed (issue #12 item 1): a run over legacy JSON templates never creates a
 * parser instance; an HCL2 template after JSON ones is still analysed, and so
 * is a `.pkr.json` template whose HCL2 sibling needs the parser halfway
 * through its analysis; HCL2 that the lint's fast parse reads (hclFast.ts)
 * needs no parser at all. Asserted with the parser's instance counter, in a
 * fresh process per run (the counter is per process).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hcl, legacy } from '../../support/templates';
import { analyzer } from '../../support/analysis';
import { couldBeLegacyTemplate } from '../../../server/src/analysis/analyze';

const script = path.join(__dirname, '..', '..', 'support', 'lazyHclLint.ts');

interface Run {
  code: number;
  instances: number;
  findings: { file: string; rule: string }[];
  err: string;
}

function lint(cwd: string, ...args: string[]): Run {
  const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), script, ...args], { cwd, encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Run;
}

/** A `.pkr.json` template whose control path is the HCL2 sibling's variable `cp`. */
function writeImage(dir: string): void {
  fs.writeFileSync(path.join(dir, 'image.pkr.json'), JSON.stringify({
    source: { null: { x: { communicator: 'ssh', ssh_host: '127.0.0.1', ssh_username: 'root' } } },
    build: [{ sources: ['source.null.x'], provisioner: [{ ansible: { playbook_file: 'playbook.yml', ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=${var.cp}'] } }] }],
  }, null, 2));
}

describe('the CLI loads the HCL parser lazily', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-lazy-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a run over legacy JSON templates (and other JSON) never creates a parser instance', () => {
    fs.writeFileSync(path.join(dir, 'a.json'), legacy());
    fs.writeFileSync(path.join(dir, 'b.json'), legacy({ ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%h'] }));
    fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"x","version":"1.0.0"}');
    const r = lint(dir, '.');
    assert.equal(r.instances, 0);
    assert.equal(r.code, 1);
    assert.deepEqual(r.findings.map((f) => [f.file, f.rule]), [['a.json', 'control-path-missing'], ['b.json', 'control-path-unescaped-percent']]);
  });

  it('an HCL2 template after JSON ones is analysed (one instance, no spare ahead of time)', () => {
    fs.writeFileSync(path.join(dir, 'a.json'), legacy());
    // A for expression: the lint's fast parse leaves this template to tree-sitter.
    fs.writeFileSync(path.join(dir, 'z.pkr.hcl'), hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%h"]\n    extra_arguments = [for a in ["-v"] : a]'));
    const r = lint(dir, '.');
    assert.equal(r.instances, 1);
    assert.deepEqual(r.findings.map((f) => [f.file, f.rule]), [['a.json', 'control-path-missing'], ['z.pkr.hcl', 'control-path-unescaped-percent']]);
  });

  it('a .pkr.json template whose HCL2 sibling needs the parser mid-analysis is analysed as with the parser loaded', () => {
    // The variable's default lives in the HCL2 sibling; without it the control path would be unknown.
    // A for expression: the lint's fast parse (hclFast.ts) leaves it to tree-sitter, so the parser is needed.
    fs.writeFileSync(path.join(dir, 'vars.pkr.hcl'), 'variable "cp" {\n  default = "/tmp/a-%h"\n  description = join("", [for s in ["Where the socket goes."] : s])\n}\n');
    writeImage(dir);
    const lazy = lint(dir, 'image.pkr.json');
    assert.equal(lazy.instances, 1);
    const eager = lint(dir, 'vars.pkr.hcl', 'image.pkr.json');
    assert.deepEqual(lazy.findings, eager.findings.filter((f) => f.file === 'image.pkr.json'));
    assert.ok(lazy.findings.some((f) => f.rule === 'control-path-unescaped-percent'), JSON.stringify(lazy.findings));
  });

  it('HCL2 the fast parse reads needs no parser instance at all, and gives the same findings', () => {
    writeImage(dir);
    fs.writeFileSync(path.join(dir, 'vars.pkr.hcl'), 'variable "cp" {\n  default = "/tmp/a-%h"\n}\n');
    const fast = lint(dir, 'vars.pkr.hcl', 'image.pkr.json');
    assert.equal(fast.instances, 0);
    fs.writeFileSync(path.join(dir, 'vars.pkr.hcl'), 'variable "cp" {\n  default = "/tmp/a-%h"\n  description = join("", [for s in ["Where the socket goes."] : s])\n}\n');
    const parsed = lint(dir, 'vars.pkr.hcl', 'image.pkr.json');
    assert.equal(parsed.instances, 1);
    assert.deepEqual(fast.findings, parsed.findings);
    assert.ok(fast.findings.some((f) => f.rule === 'control-path-unescaped-percent'), JSON.stringify(fast.findings));
  });
});

describe('the pre-check of .json files', () => {
  it('skips the parse of a .json file without a "builders" key, and still reads one spelt with \\u escapes', () => {
    assert.equal(couldBeLegacyTemplate('{"name":"x","scripts":{"build":"tsc"}}'), false);
    const escaped = legacy().replace('"builders"', '"build\\u0065rs"');
    assert.equal(couldBeLegacyTemplate(escaped), true);
    const a = analyzer();
    assert.deepEqual(a.analyze('/ws/escaped.json', escaped).findings.map((f) => f.ruleId), a.analyze('/ws/plain.json', legacy()).findings.map((f) => f.ruleId));
    assert.ok(a.analyze('/ws/escaped.json', escaped).template);
    assert.equal(a.analyze('/ws/package.json', '{"name":"x"}').template, undefined);
  });
});
