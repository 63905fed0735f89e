/**
 * The lint's pruned text of a template's bytes (prunedText.ts): every line
 * and character it keeps is where it was in the whole text, and the lint's
 * findings (with their fixes) over it are those of a full analysis of the
 * whole text, on every template of the corpora and the examples, on
 * generated large templates, and on texts written to mislead the scan.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { Analyzer, type Finding } from '../../../server/src/analysis';
import { hclCuts, unitCuts, type ByteCut } from '../../../server/src/analysis/hclPrune';
import { jsonCuts } from '../../../server/src/analysis/jsonPrune';
import { LineIndex } from '../../../server/src/analysis/lineIndex';
import { lineFeeds, needsWholeText, prunableKind, prunedText } from '../../../server/src/analysis/prunedText';
import { FileLinter } from '../../../server/src/lintWorkers';
import { DEFAULT_SETTINGS } from '../../../server/src/shared/settings';
import { diskHost, ready } from '../../support/analysis';
import { hclFiles, needFolder, templateFolders } from '../../support/corpus';
import { generateWorkspace } from '../../../bench/workspace';

/** The templates below `dir` the lint prunes: HCL2, HCL2 JSON and legacy JSON. */
function templates(dir: string): string[] {
  return hclFiles(dir, /\.pkr\.(hcl|json)$|\.json$/).filter((f) => prunableKind(f) !== undefined);
}

/**
 * Checks that the pruned text keeps every character outside the cuts at its
 * line and character in the whole text, and holds only line breaks and
 * spaces where the cuts were; the number of characters cut.
 */
function assertPositionsKept(bytes: Buffer, label: string): number {
  const kind = prunableKind(label.endsWith('.hcl') ? 'x.pkr.hcl' : label.endsWith('.pkr.json') ? 'x.pkr.json' : 'x.json')!;
  const pruned = prunedText(bytes, kind);
  if (!pruned) return 0;
  const whole = bytes.toString('utf8');
  const byteCuts = (kind === 'hcl' ? hclCuts(bytes) : jsonCuts(bytes, kind))!;
  const cuts = unitCuts(bytes, whole, byteCuts);
  const prunedCuts = spans(pruned.cuts);
  assert.equal(cuts.length, prunedCuts.length, label);
  const a = new LineIndex(whole);
  const b = new LineIndex(pruned.text);
  // Kept spans: before the first cut, between cuts, after the last.
  const kept = (list: ByteCut[], length: number) => [...list.map((c, k) => ({ start: k === 0 ? 0 : list[k - 1].end, end: c.start })), { start: list[list.length - 1].end, end: length }];
  const keptWhole = kept(cuts, whole.length);
  const keptPruned = kept(prunedCuts, pruned.text.length);
  for (let k = 0; k < keptWhole.length; k++) {
    const w = keptWhole[k];
    const p = keptPruned[k];
    assert.equal(pruned.text.slice(p.start, p.end), whole.slice(w.start, w.end), `${label}: kept span ${k}`);
    for (const [x, y] of [[w.start, p.start], [w.end, p.end], [Math.floor((w.start + w.end) / 2), p.start + Math.floor((w.end - w.start) / 2)]]) {
      assert.deepEqual(b.positionAt(y), a.positionAt(x), `${label}: kept span ${k} at ${x}`);
    }
  }
  for (const c of prunedCuts) assert.match(pruned.text.slice(c.start, c.end), /^[\r\n ]*$/, `${label}: a cut holds only line breaks and spaces`);
  assert.deepEqual(b.positionAt(pruned.text.length), a.positionAt(whole.length), `${label}: the same number of lines`);
  return cuts.reduce((n, c) => n + c.end - c.start, 0);
}

/** A pruned text's cuts (start, end pairs) as spans. */
function spans(cuts: Int32Array): ByteCut[] {
  return Array.from({ length: cuts.length / 2 }, (_, k) => ({ start: cuts[2 * k], end: cuts[2 * k + 1] }));
}

/** The lint's findings of `files` (FileLinter: pruned texts of the bytes), and those of a full analysis of each. */
async function lintAndFull(root: string, files: string[]): Promise<[Finding[], Finding[]]> {
  const settings = { ...DEFAULT_SETTINGS, rules: {}, safeDirectories: [], toolchain: {}, roots: [root] };
  const lint = await new FileLinter(settings).lint(files);
  assert.deepEqual(lint.problems, []);
  const full = new Analyzer(diskHost, { roots: [root] });
  return [lint.findings, files.flatMap((f) => full.analyze(f, fs.readFileSync(f, 'utf8')).findings)];
}

describe("the lint's pruned text of a template's bytes", () => {
  before(ready);

  it('counts line feeds as a loop over every byte does, at any alignment', () => {
    const bytes = fc.uint8Array({ maxLength: 64 }).chain((raw) => fc.tuple(fc.constant(raw), fc.nat(3), fc.nat(), fc.nat()));
    fc.assert(
      fc.property(bytes, ([raw, shift, x, y]) => {
        // Line feeds, their neighbours and high bytes more often than chance would give them.
        const b = Buffer.alloc(raw.length + 4).subarray(shift, shift + raw.length);
        raw.forEach((v, i) => (b[i] = [10, 11, 9, 0x8a, v][v % 5]));
        const from = b.length === 0 ? 0 : x % (b.length + 1);
        const to = from + (b.length - from === 0 ? 0 : y % (b.length - from + 1));
        let naive = 0;
        for (let i = from; i < to; i++) if (b[i] === 10) naive++;
        assert.equal(lineFeeds(b, from, to), naive);
      }),
      { numRuns: 2000 },
    );
  });

  for (const [name, dir, available] of templateFolders()) {
    it(`${name}: what is kept stays at its line and character, and the lint finds what a full analysis finds`, async function () {
      this.timeout(120000);
      needFolder(this, dir, available);
      const files = templates(dir);
      assert.ok(files.length > 0);
      let cut = 0;
      for (const file of files) cut += assertPositionsKept(fs.readFileSync(file), path.relative(dir, file));
      if (name !== 'examples') assert.ok(cut > 0, 'the real templates have parts to leave out');
      const [lint, full] = await lintAndFull(dir, files);
      assert.deepEqual(lint, full);
    });
  }

  it('generated large templates (as in the benchmark): most is left out, the findings those of a full analysis', async function () {
    this.timeout(120000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-pruned-'));
    try {
      generateWorkspace(dir, { count: 40, minBytes: 64 * 1024, maxBytes: 200 * 1024, seed: 11 });
      const files = templates(dir);
      let bytes = 0;
      let cut = 0;
      for (const file of files) {
        const b = fs.readFileSync(file);
        bytes += b.length;
        cut += assertPositionsKept(b, file);
      }
      assert.ok(cut > bytes / 2, `left out ${cut} of ${bytes} bytes`);
      const [lint, full] = await lintAndFull(dir, files);
      assert.ok(full.length > 0, 'the generated templates have findings');
      assert.deepEqual(lint, full);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const shell = (k: number) => `  provisioner "shell" {\n    inline = [\n${Array.from({ length: 6 }, (_, j) => `      "echo step ${k}.${j} ü && sudo apt-get install -y curl",`).join('\n')}\n    ]\n  }\n`;
  const ansible = `  provisioner "ansible" {\n    playbook_file = "./playbook.yml"\n    extra_arguments = ["-e", "x=\${var.dir}"]\n  }\n`;
  const head = `source "amazon-ebs" "x" {\n  ami_name = "ü-😀-\${var.dir}"\n  ssh_username = "ubuntu"\n}\nvariable "dir" {\n  default = "/home/x/.ansible/cp"\n}\n`;
  const texts: Record<string, string> = {
    'CRLF line ends': `${head}build {\n  sources = ["source.amazon-ebs.x"]\n${shell(1)}${ansible}${shell(2)}}\nbuild {\n${shell(3)}}\n`.replace(/\n/g, '\r\n'),
    'lone CRs and LFs apart inside a cut': `${head}build {\n  sources = ["source.amazon-ebs.x"]\n${ansible}}\nbuild {\n${shell(4).replace('echo step 4.0', 'echo\rstep 4.0')}${shell(5)}}\n`,
    'characters outside the BMP before and after cuts on the same line': `${head}build {\n  sources = ["source.amazon-ebs.x"]\n${ansible}}\n/* 😀 */ build {\n${shell(6)}${shell(7)}} # 😀 ü\n`,
  };
  for (const [what, text] of Object.entries(texts)) {
    it(`${what}: positions kept, the findings those of a full analysis`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-pruned-'));
      try {
        const file = path.join(dir, 'image.pkr.hcl');
        fs.writeFileSync(file, text);
        fs.writeFileSync(path.join(dir, 'playbook.yml'), '- hosts: all\n');
        assert.ok(assertPositionsKept(Buffer.from(text), file) > 0, 'something is left out');
        const [lint, full] = await lintAndFull(dir, [file]);
        assert.ok(full.length > 0);
        assert.deepEqual(lint, full);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it("a variable's uses in a part left out still count (a fix that changes them too is not preferred, and says so)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-pruned-'));
    try {
      const file = path.join(dir, 'image.pkr.hcl');
      const useInCut = `  provisioner "shell" {\n    inline = ["echo \${var.cp}"]\n${'    # padding\n'.repeat(20)}  }\n`;
      const text = `variable "cp" {\n  default = "/tmp/ansible-%h-%p-%r"\n}\nsource "amazon-ebs" "x" {\n  ssh_username = "ubuntu"\n}\nbuild {\n  sources = ["source.amazon-ebs.x"]\n  provisioner "ansible" {\n    playbook_file = "./playbook.yml"\n    ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=\${var.cp}"]\n  }\n}\nbuild {\n  sources = ["source.amazon-ebs.x"]\n${useInCut}}\n`;
      fs.writeFileSync(file, text);
      fs.writeFileSync(path.join(dir, 'playbook.yml'), '- hosts: all\n');
      const pruned = prunedText(Buffer.from(text), 'hcl')!;
      assert.ok(!pruned.text.includes('echo'), 'the shell provisioner is left out');
      const [lint, full] = await lintAndFull(dir, [file]);
      const titles = lint.flatMap((f) => f.fixes.map((x) => x.title));
      assert.ok(titles.some((t) => t.includes('used 1 more time')), titles.join('; '));
      assert.deepEqual(lint, full);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a syntax error, or a finding or fix edit that reaches into a part left out, needs the whole text', () => {
    const text = `${head}build {\n  sources = ["source.amazon-ebs.x"]\n${ansible}}\nbuild {\n${shell(8)}${shell(9)}}\n`;
    const pruned = prunedText(Buffer.from(text), 'hcl')!;
    const doc = new LineIndex(pruned.text);
    const cut = spans(pruned.cuts).pop()!;
    const at = (offset: number) => doc.positionAt(offset);
    const finding = (start: number, end: number, edit?: [number, number], ruleId = 'control-path-missing'): Finding => ({
      ruleId, severity: 'warning', message: 'm', file: '/ws/image.pkr.hcl', range: { start: at(start), end: at(end) },
      fixes: edit ? [{ title: 't', isPreferred: true, edits: [{ file: '/ws/image.pkr.hcl', edits: [{ range: { start: at(edit[0]), end: at(edit[1]) }, newText: 'x' }] }] }] : [],
    });
    const needs = (f: Finding) => needsWholeText([f], '/ws/image.pkr.hcl', pruned);
    assert.equal(needs(finding(0, 5)), false, 'a finding in a kept part');
    assert.equal(needs(finding(0, 5, [cut.start, cut.start])), false, 'an insertion where a cut starts');
    assert.equal(needs(finding(0, 5, [cut.end, cut.end])), false, 'an insertion where a cut ends');
    assert.equal(needs(finding(0, 5, [cut.start + 1, cut.start + 1])), true, 'an insertion inside a cut');
    assert.equal(needs(finding(0, 5, [cut.start - 1, cut.end + 1])), true, 'an edit over a cut');
    assert.equal(needs(finding(cut.start - 1, cut.start + 1)), true, 'a finding reaching into a cut');
    assert.equal(needs(finding(0, 5, undefined, 'parse-error')), true, 'a syntax error');
  });
});
