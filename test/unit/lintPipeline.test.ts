/**
 * The lint's threads (lintWorkers.ts): how many by default, and a pipeline
 * whose reader stops or fails early rejects instead of waiting for files
 * that will never come. (That two threads print what one prints is
 * test/cli/jobs.test.ts, on the bundle.)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileLinter, defaultJobs, detach, lintPipelined, readItem, type LintOutcome } from '../../server/src/lintWorkers';
import { DEFAULT_SETTINGS } from '../../server/src/shared/settings';
import { ready } from '../support/analysis';

describe("the lint's threads", () => {
  before(ready);

  it('by default: two on 2 or 3 cores (the pipeline), else one per core but one, at most 8', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 9, 10, 64].map((n) => defaultJobs(n)), [1, 2, 2, 3, 4, 8, 8, 8]);
  });

  it("the analysing half: what the reader made of a file gives what reading it there gives, reading it again when the pruned text cannot answer", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-lintread-'));
    try {
      const settings = { ...DEFAULT_SETTINGS, rules: {}, safeDirectories: [], toolchain: {}, roots: [dir], maxFileSize: 4096 };
      const ansible = `source "null" "x" {\n  communicator = "ssh"\n  ssh_username = "root"\n}\nbuild {\n  sources = ["source.null.x"]\n  provisioner "ansible" {\n    playbook_file = "./playbook.yml"\n    ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=\${var.cp}"]\n  }\n}\n`;
      const shell = `build {\n  sources = ["source.null.x"]\n  provisioner "shell" {\n    inline = ["echo \${var.cp}"]\n${'    # padding\n'.repeat(20)}  }\n}\n`;
      const variable = `variable "cp" {\n  default = "/tmp/ansible-%h-%p-%r"\n}\n`;
      const files: Record<string, string | Buffer> = {
        'hidden.pkr.hcl': variable + ansible + shell,
        'pruned.pkr.hcl': variable.replace('%h-%p-%r', '%%h-%%p') + ansible + shell,
        // Syntax errors in a part left out (two strings without a comma) and in a kept part: the whole text's parse reports both.
        'broken.pkr.hcl': `${ansible}${shell.replace('"echo \${var.cp}"', '"echo" "x"')}locals {\n  x = [\n}\n`,
        'legacy.json': JSON.stringify({ builders: [{ type: 'null', communicator: 'none' }], provisioners: [{ type: 'shell', inline: Array(40).fill('echo hi') }, { type: 'ansible', playbook_file: 'p.yml', ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/tmp/%h'] }] }, null, 2),
        'small.pkr.hcl': variable,
        'binary.pkr.hcl': Buffer.from([0, 1, 2, 0]),
        'large.pkr.hcl': `# ${'x'.repeat(5000)}\n`,
      };
      for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
      fs.writeFileSync(path.join(dir, 'playbook.yml'), '- hosts: all\n');
      const kinds: string[] = [];
      for (const name of [...Object.keys(files), 'missing.pkr.hcl']) {
        const file = path.join(dir, name);
        const item = readItem(file, settings.maxFileSize);
        kinds.push(item.kind);
        const viaReader: LintOutcome = { findings: [], problems: [] };
        await new FileLinter(settings).lintRead(file, item, viaReader);
        assert.deepEqual(viaReader, await new FileLinter(settings).lint([file]), name);
        if (name === 'hidden.pkr.hcl') assert.ok(viaReader.findings.some((f) => f.fixes.some((x) => x.title.includes('used 1 more time'))), 'the use left out counts');
        if (name === 'broken.pkr.hcl') assert.ok(viaReader.findings.some((f) => f.ruleId === 'parse-error'));
      }
      assert.deepEqual(kinds, ['pruned', 'pruned', 'pruned', 'pruned', 'whole', 'binary', 'unread', 'unread']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('detach: the findings from an index on become equal copies (not the analysis objects, whose strings may be slices of a text)', () => {
    const finding = (line: number) => ({ ruleId: 'r', severity: 'warning' as const, message: `m${line}`, file: '/f', range: { start: { line, character: 0 }, end: { line, character: 1 } }, fixes: [] });
    const out: LintOutcome = { findings: [finding(0), finding(1), finding(2)], problems: [] };
    const before = [...out.findings];
    assert.equal(detach(out, 1), 3);
    assert.deepEqual(out.findings, before);
    assert.equal(out.findings[0], before[0], 'before the index: untouched');
    assert.notEqual(out.findings[1], before[1]);
    assert.notEqual(out.findings[2].range, before[2].range);
    assert.equal(detach(out, 3), 3);
  });

  describe('a pipeline whose reader does not get to the last file', () => {
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-pipeline-'))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const settings = { ...DEFAULT_SETTINGS, rules: {}, safeDirectories: [], toolchain: {}, roots: [] };

    for (const [what, code, message] of [
      ['exits', 'process.exit(0);', /the lint's reader stopped before the last file \(exit code 0\)/],
      ['throws', 'throw new Error("the reader broke");', /the reader broke/],
    ] as const) {
      it(`rejects when the reader ${what}`, async function () {
        this.timeout(20000);
        const script = path.join(dir, `${what}.js`);
        fs.writeFileSync(script, code);
        const walk = ['b.json', 'c.json'].values();
        await assert.rejects(lintPipelined(script, [path.join(dir, 'a.json')], { next: () => walk.next().value }, 1024, new FileLinter(settings)), message);
      });
    }
  });
});
