/**
 * The lint's pruned parse of legacy JSON templates (jsonPrune.ts): what it
 * leaves out is exactly the contents of provisioners that are not `ansible`
 * and name no file, the tree's offsets are those of a full parse, and the
 * findings (with their fixes) are those of a full analysis, on every legacy
 * template of the corpora and the examples and on texts written to mislead
 * the scan.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseTree, type Node } from 'jsonc-parser';
import { Analyzer } from '../../../server/src/analysis';
import { prunedJson } from '../../../server/src/analysis/jsonPrune';
import { PATH_ATTRS } from '../../../server/src/analysis/types';
import { parseJsonPruned } from '../../../server/src/analysis/parseJson';
import { diskHost, memoryHost, ready } from '../../support/analysis';
import { needFolder, templateFolders } from '../../support/corpus';
import { generateWorkspace } from '../../../bench/workspace';


function legacyFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p);
      else if (e.isFile() && e.name.endsWith('.json') && !e.name.endsWith('.pkr.json')) {
        const text = fs.readFileSync(p, 'utf8');
        if (text.includes('"builders"')) out.push(p);
      }
    }
  };
  walk(dir);
  return out.sort();
}

/** The spans the pruned text lacks, in the whole text's offsets. */
function cutsOf(text: string): { start: number; end: number }[] {
  const pruned = prunedJson(text);
  if (!pruned) return [];
  const cuts: { start: number; end: number }[] = [];
  // Walk both texts: a jump of `original` between neighbouring offsets is a cut.
  for (let i = 0; i < pruned.text.length; i++) {
    const here = pruned.original(i);
    const next = pruned.original(i + 1);
    assert.equal(pruned.text[i], text[here], `the pruned text at ${i} is the whole text at ${here}`);
    if (next > here + 1) cuts.push({ start: here + 1, end: next });
  }
  return cuts;
}

/** Checks that every cut is the inside of a top-level provisioner that is not ansible and names no file; the characters cut. */
function assertCutsAreProvisioners(text: string, label: string): number {
  const cuts = cutsOf(text);
  if (cuts.length === 0) return 0;
  const tree = parseTree(text);
  const list = tree?.children?.find((p) => p.children?.[0].value === 'provisioners')?.children?.[1];
  const inside = new Map((list?.children ?? []).map((p: Node) => [p.offset + 1, p]));
  let cut = 0;
  for (const c of cuts) {
    const p = inside.get(c.start);
    assert.ok(p, `${label}: the cut at ${c.start} is not the inside of a top-level provisioner: ${JSON.stringify(text.slice(c.start, c.start + 60))}`);
    assert.equal(c.end, p.offset + p.length - 1, `${label}: the cut at ${c.start} ends at ${c.end}, its provisioner's inside at ${p.offset + p.length - 1}`);
    const body = text.slice(p.offset, p.offset + p.length);
    assert.ok(!body.includes('ansible'), `${label}: cut a provisioner naming ansible`);
    for (const k of PATH_ATTRS) assert.ok(!body.includes(`"${k}"`), `${label}: cut a provisioner naming a file (${k})`);
    cut += c.end - c.start;
  }
  return cut;
}

/** The nodes of the full tree outside the cuts (the pruned tree has the same, with `{}` for each cut provisioner). */
function flatOutside(n: Node | undefined, cuts: { start: number; end: number }[], out: unknown[] = []): unknown[] {
  if (!n) return out;
  if (cuts.some((c) => n.offset >= c.start && n.offset < c.end)) return out;
  out.push([n.type, n.offset, n.length, n.colonOffset, n.value]);
  for (const c of n.children ?? []) flatOutside(c, cuts, out);
  return out;
}

function findings(a: Analyzer, file: string, text: string): unknown {
  return a.analyze(file, text).findings;
}

describe('the pruned legacy JSON parse of the lint', () => {
  before(ready);

  for (const [name, dir, available] of templateFolders()) {
    it(`${name}: every cut is a provisioner's inside, the tree's offsets are the full parse's, the findings those of a full analysis`, function () {
      this.timeout(120000);
      needFolder(this, dir, available);
      const files = legacyFiles(dir);
      assert.ok(files.length > 0);
      let cut = 0;
      for (const file of files) {
        const text = fs.readFileSync(file, 'utf8');
        const label = path.relative(dir, file);
        cut += assertCutsAreProvisioners(text, label);
        const pruned = parseJsonPruned(text);
        if (pruned.problems.length === 0) assert.deepEqual(flatOutside(pruned.root, cutsOf(text)), flatOutside(parseTree(text), cutsOf(text)), `${label}: the kept nodes`);
        const full = new Analyzer(diskHost, { roots: [dir] });
        const lint = new Analyzer(diskHost, { roots: [dir] }, { findingsOnly: true });
        assert.deepEqual(findings(lint, file, text), findings(full, file, text), label);
      }
      if (name === 'corpus') assert.ok(cut > 0, 'the real templates have provisioners to leave out');
    });
  }

  const shell = (k: number) => `    {\n      "type": "shell",\n      "inline": [\n${Array.from({ length: 4 }, (_, j) => `        "echo step ${k}.${j} && sudo apt-get install -y curl"`).join(',\n')}\n      ]\n    }`;
  const ansible = `    {\n      "type": "ansible",\n      "playbook_file": "./playbook.yml",\n      "ansible_env_vars": ["ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%h-%p-%r"]\n    }`;
  const builders = `  "builders": [{ "type": "amazon-ebs", "ssh_username": "ubuntu" }]`;
  const template = (...ps: string[]) => `{\n${builders},\n  "provisioners": [\n${ps.join(',\n')}\n  ]\n}\n`;
  const misleading: Record<string, string> = {
    'brackets, braces and escaped quotes in strings': template(shell(1), `    {\n      "type": "shell",\n      "inline": ["echo '}] \\" ] }' \\\\", "{ [ \\\\\\" ]"]${' '.repeat(80)}\n    }`, ansible, shell(2)),
    'a "provisioners" key that is not the top-level one, and one that is a value': `{\n  "variables": { "provisioners": "[{ x }]", "note": "provisioners" },\n${builders.replace('"ssh_username"', '"provisioners": [{ "type": "shell", "inline": ["padding padding padding padding padding padding padding"] }], "ssh_username"')},\n  "provisioners": [\n${shell(3)},\n${ansible}\n  ]\n}\n`,
    'a provisioner that names a file is kept': template(`    {\n      "type": "shell",\n      "script": "scripts/setup.sh",\n      "environment_vars": ["A=1", "B=2", "C=3", "D=4", "E=5"]\n    }`, shell(4), ansible),
    'a type spelt with \\u escapes is kept': template(shell(5), `    {\n      "type": "\\u0061nsible",\n      "\\u0061nsible_env_vars": ["\\u0041NSIBLE_SSH_CONTROL_PATH=/tmp/cp-%h-%p-%r"],\n      "extra_arguments": ["-v"]\n    }`, shell(6)),
    'nested arrays and objects inside a left-out provisioner': template(`    {\n      "type": "shell",\n      "override": { "amazon-ebs": { "inline": [["a"], {"b": [1, 2, {"c": "]"}]}] } },\n      "inline": ["x"]\n    }`, ansible),
    'CRLF line ends and text outside ASCII': template(shell(7), ansible, `    {\n      "type": "shell",\n      "inline": ["écho ß→✓ padding padding padding padding padding"]\n    }`).replace(/\n/g, '\r\n'),
    'a comment: nothing is left out': template(shell(8), ansible).replace('"provisioners": [', '"provisioners": [ // steps'),
    'an unterminated string: nothing is left out': template(shell(9), ansible).replace('"type": "shell"', '"type": "shell'),
  };
  for (const [what, text] of Object.entries(misleading)) {
    it(`${what}: the cuts are provisioners' insides and the findings those of a full analysis`, () => {
      const cut = assertCutsAreProvisioners(text, what);
      if (/nothing is left out/.test(what)) assert.equal(prunedJson(text), undefined);
      else assert.ok(cut > 0, 'something is left out');
      if (what.startsWith('a provisioner that names')) assert.ok(cutsOf(text).every((c) => !text.slice(c.start, c.end).includes('setup.sh')), 'the script provisioner stays');
      if (what.startsWith('a type spelt')) assert.ok(cutsOf(text).every((c) => !text.slice(c.start, c.end).includes('extra_arguments')), 'the ansible provisioner stays');
      const file = '/ws/template.json';
      const files = { [file]: text, '/ws/playbook.yml': '- hosts: all\n', '/ws/scripts/setup.sh': 'true\n' };
      const full = findings(new Analyzer(memoryHost(files)), file, text);
      assert.deepEqual(findings(new Analyzer(memoryHost(files), {}, { findingsOnly: true }), file, text), full);
      if (!/unterminated/.test(what)) assert.ok((full as unknown[]).length > 0, 'the text has findings to compare');
    });
  }

  it('a syntax error inside a left-out provisioner is not reported by the lint; one in a kept part is, as by a full analysis', () => {
    const file = '/ws/template.json';
    const inside = template(shell(10).replace('"inline": [', '"inline": [ "a" "b",'), ansible);
    const kept = template(shell(11), ansible.replace('"playbook_file"', '"playbook_file" "x":'));
    const problems = (t: string, findingsOnly: boolean) => new Analyzer(memoryHost({ [file]: t }), {}, { findingsOnly }).analyze(file, t).findings.filter((f) => /syntax/i.test(f.message)).length;
    assert.equal(problems(inside, false), 1, 'a full analysis reports the error');
    assert.equal(problems(inside, true), 0, 'the lint does not');
    assert.equal(problems(kept, true), problems(kept, false));
    assert.equal(problems(kept, true), 1);
  });
});

describe('the pruned HCL2 JSON (.pkr.json) parse of the lint', () => {
  before(ready);

  const shell = (k: number) => `{ "shell": { "inline": [${Array.from({ length: 4 }, (_, j) => `"echo step ${k}.${j} && sudo apt-get install -y curl"`).join(', ')}] } }`;
  const ansible = '{ "ansible": { "playbook_file": "./playbook.yml", "ansible_env_vars": ["ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%h-%p-%r"] } }';
  const source = '"source": { "amazon-ebs": { "x": { "ssh_username": "ubuntu" } } }';
  const file = '/ws/image.pkr.json';
  const files = (text: string) => ({ [file]: text, '/ws/playbook.yml': '- hosts: all\n', '/ws/scripts/setup.sh': 'true\n' });
  const lintFindings = (text: string) => new Analyzer(memoryHost(files(text)), {}, { findingsOnly: true }).analyze(file, text).findings;
  const fullFindings = (text: string) => new Analyzer(memoryHost(files(text)), {}).analyze(file, text).findings;
  /** The texts of the cuts, in the whole text. */
  const cutTexts = (text: string): string[] => {
    const cuts = prunedJson(text, 'hcl-json');
    if (!cuts) return [];
    const out: string[] = [];
    for (let i = 1; i <= cuts.text.length; i++) {
      const here = cuts.original(i);
      const prev = cuts.original(i - 1);
      if (here > prev + 1) out.push(text.slice(prev + 1, here));
    }
    return out;
  };

  const cases: Record<string, { text: string; cut: number }> = {
    'a build as an array of bodies': { text: `{\n  ${source},\n  "build": [{\n    "sources": ["source.amazon-ebs.x"],\n    "provisioner": [${shell(1)}, ${ansible}, ${shell(2)}]\n  }]\n}\n`, cut: 2 },
    'a build as one body': { text: `{\n  ${source},\n  "build": {\n    "sources": ["source.amazon-ebs.x"],\n    "provisioner": [${shell(3)}, ${ansible}]\n  }\n}\n`, cut: 1 },
    'a provisioner that names a file is kept': { text: `{\n  ${source},\n  "build": {\n    "sources": ["source.amazon-ebs.x"],\n    "provisioner": [{ "shell": { "script": "scripts/setup.sh", "environment_vars": ["A=1", "B=2", "C=3", "D=4", "E=5", "F=6"] } }, ${ansible}]\n  }\n}\n`, cut: 0 },
    'a variable named provisioner with a list default, and a provisioner key outside a build, are not cut': { text: `{\n  "variable": { "provisioner": [{ "default": "${'x'.repeat(80)}" }] },\n  "locals": { "provisioner": [${shell(4)}] },\n  ${source},\n  "build": { "sources": ["source.amazon-ebs.x"], "provisioner": [${ansible}] }\n}\n`, cut: 0 },
    'provisioners as one object keyed by type are not cut': { text: `{\n  ${source},\n  "build": { "sources": ["source.amazon-ebs.x"], "provisioner": { "shell": { "inline": ["${'y'.repeat(80)}"] }, "ansible": ${ansible.slice(13, -2)} } }\n}\n`, cut: 0 },
    'an ansible type spelt with \\u escapes is kept': { text: `{\n  ${source},\n  "build": { "sources": ["source.amazon-ebs.x"], "provisioner": [${shell(5)}, { "\\u0061nsible": { "playbook_file": "./playbook.yml", "extra_arguments": ["-v", "${'z'.repeat(60)}"] } }] }\n}\n`, cut: 1 },
  };
  for (const [what, { text, cut }] of Object.entries(cases)) {
    it(`${what}: ${cut} provisioner${cut === 1 ? '' : 's'} left out, the findings those of a full analysis`, () => {
      JSON.parse(text);
      const cuts = cutTexts(text);
      assert.equal(cuts.length, cut, JSON.stringify(cuts));
      for (const c of cuts) {
        assert.ok(!c.includes('ansible') && !c.includes('\\u') && !c.includes('script'), c);
        assert.ok(c.trim().startsWith('"shell"'), `a cut is a provisioner's inside: ${c}`);
      }
      const full = fullFindings(text);
      assert.deepEqual(lintFindings(text), full);
      if (!what.startsWith('a variable')) assert.ok(full.length > 0, 'the text has findings to compare');
    });
  }

  it('generated .pkr.json templates (as in the benchmark workspace): something is left out, the findings those of a full analysis', function () {
    this.timeout(120000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-pkrjson-'));
    try {
      generateWorkspace(dir, { count: 300, minBytes: 1024, maxBytes: 64 * 1024, seed: 3 });
      const found: string[] = [];
      const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) walk(p);
          else if (p.endsWith('.pkr.json')) found.push(p);
        }
      };
      walk(dir);
      assert.ok(found.length >= 10, `${found.length} .pkr.json files`);
      let pruned = 0;
      for (const f of found) {
        const text = fs.readFileSync(f, 'utf8');
        if (prunedJson(text, 'hcl-json')) pruned++;
        const lint = new Analyzer(diskHost, { roots: [dir] }, { findingsOnly: true }).analyze(f, text).findings;
        const full = new Analyzer(diskHost, { roots: [dir] }).analyze(f, text).findings;
        assert.deepEqual(lint, full, path.relative(dir, f));
      }
      assert.ok(pruned >= found.length / 2, `pruned ${pruned} of ${found.length}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
