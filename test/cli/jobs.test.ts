/**
 * `packer-bake lint --jobs`: a large lint on more than one thread (two: a
 * reader thread and this one, in a pipeline; three: whole folders on each)
 * says exactly what one thread says (same findings in the same order, same
 * problems on stderr, same exit code), and small ones stay on one thread.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hcl, legacy } from '../support/templates';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli.js');

function lint(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const threads = (err: string) => Number(/on (\d+) threads?/.exec(err)?.[1]);

describe('packer-bake lint --jobs (the bundled CLI)', function () {
  this.timeout(120000);
  let dir: string;
  before(() => {
    assert.ok(fs.existsSync(cli), 'run `npm run build` first');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-jobs-'));
    // 300 templates: legacy JSON and HCL2 (some folders with several HCL2 files that read each other's
    // variables), clean and with findings, one that cannot be read, one binary.
    for (let i = 0; i < 120; i++) {
      const d = path.join(dir, `team-${i % 7}`, `image-${i}`);
      fs.mkdirSync(d, { recursive: true });
      const env = i % 3 === 0 ? '' : i % 3 === 1 ? 'ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%h"]' : 'ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%%h"]';
      fs.writeFileSync(path.join(d, 'template.json'), legacy());
      fs.writeFileSync(path.join(d, 'image.pkr.hcl'), hcl(env));
      if (i % 10 === 0) fs.writeFileSync(path.join(d, 'variables.pkr.hcl'), `variable "cp" {\n  default = "/tmp/x-%h"\n}\n`);
    }
    for (let i = 0; i < 60; i++) {
      const d = path.join(dir, 'legacy', `l-${i}`);
      fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(path.join(d, 'packer.json'), legacy());
    }
    fs.writeFileSync(path.join(dir, 'legacy', 'l-7', 'binary.pkr.hcl'), Buffer.from([0, 1, 2, 3, 0, 255]));
    // What the reader's pruned text cannot answer alone, so the analysing thread reads the file again: a variable
    // also used in a part left out (its fix's title counts that use), and a syntax error in a kept part of a pruned template.
    const special = path.join(dir, 'special');
    fs.mkdirSync(special);
    const shell = `build {\n  sources = ["source.null.x"]\n  provisioner "shell" {\n    inline = ["echo \${var.cp}"]\n${'    # padding\n'.repeat(20)}  }\n}\n`;
    fs.writeFileSync(path.join(special, 'hidden.pkr.hcl'), `variable "cp" {\n  default = "/tmp/ansible-%h-%p-%r"\n}\n${hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=${var.cp}"]')}${shell}`);
    fs.mkdirSync(path.join(special, 'broken'));
    fs.writeFileSync(path.join(special, 'broken', 'image.pkr.hcl'), `${hcl()}${shell.replace('variable', 'x')}locals {\n  x = [\n}\n`);
    assert.equal(spawnSync('mkfifo', [path.join(dir, 'legacy', 'fifo.pkr.hcl')]).status, 0, 'mkfifo');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const format of ['json', 'sarif', 'text']) {
    it(`--format ${format}: two threads print what one thread prints`, function () {
      // The FIFO, named on the command line, cannot be read: a problem on stderr, exit 3.
      const one = lint(['lint', '--format', format, '--jobs', '1', '--verbose', '.', 'legacy/fifo.pkr.hcl'], dir);
      const two = lint(['lint', '--format', format, '--jobs', '2', '--verbose', '.', 'legacy/fifo.pkr.hcl'], dir);
      assert.equal(threads(one.err), 1, one.err);
      assert.equal(threads(two.err), 2, two.err);
      assert.ok(one.out.length > 1000, 'findings were printed');
      if (format !== 'text') assert.match(one.out, /broken\/image\.pkr\.hcl/);
      assert.equal(two.out, one.out);
      const problems = (err: string) => err.split('\n').filter((l) => !/linted \d+ files/.test(l));
      assert.ok(problems(one.err).some((l) => /fifo\.pkr\.hcl: cannot read: it is not a regular file/.test(l)), one.err);
      assert.deepEqual(problems(two.err), problems(one.err));
      assert.equal(one.code, 3, one.err);
      assert.equal(two.code, 3, two.err);
    });
  }

  it('two threads (the pipeline) print what one prints, whatever paths are given, in their order and each file once', () => {
    const args = ['team-1', '.', 'legacy/l-3/packer.json', 'team-1', 'legacy/fifo.pkr.hcl'];
    const one = lint(['lint', '--format', 'json', '--jobs', '1', ...args], dir);
    const two = lint(['lint', '--format', 'json', '--jobs', '2', '--verbose', ...args], dir);
    assert.equal(threads(two.err), 2, two.err);
    assert.equal(two.out, one.out);
    assert.equal(two.code, one.code);
    const files = (JSON.parse(one.out) as { file: string }[]).map((f) => f.file);
    assert.match(files[0], /^team-1\//, 'team-1 first, as given');
  });

  it('three threads (two workers beside this one) print what one thread prints', () => {
    const one = lint(['lint', '--format', 'json', '--jobs', '1', '.', 'legacy/fifo.pkr.hcl'], dir);
    const three = lint(['lint', '--format', 'json', '--jobs', '3', '--verbose', '.', 'legacy/fifo.pkr.hcl'], dir);
    assert.equal(threads(three.err), 3, three.err);
    assert.equal(three.out, one.out);
    assert.equal(three.code, one.code);
  });

  it('three threads print what one prints when every template waits for the HCL parser to load (a worker is sent its next batch meanwhile)', () => {
    // A `for` expression: the lint's own parse leaves the file to tree-sitter, which each thread loads on first use.
    // A worker used to start its next batch while one waited, reading over the waiting file's bytes.
    const parsed = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-jobs-parser-'));
    try {
      for (let i = 0; i < 240; i++) {
        fs.mkdirSync(path.join(parsed, `f${i}`));
        fs.writeFileSync(path.join(parsed, `f${i}`, 'image.pkr.hcl'), `locals {\n  xs = [for s in ["a", "b"] : upper(s)]\n}\n${hcl(`ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%h-${i}"]`)}`);
      }
      const one = lint(['lint', '--format', 'json', '--jobs', '1', '.'], parsed);
      assert.equal((JSON.parse(one.out) as unknown[]).length, 240, one.err);
      for (const jobs of ['2', '3']) {
        const many = lint(['lint', '--format', 'json', '--jobs', jobs, '--verbose', '.'], parsed);
        assert.equal(threads(many.err), Number(jobs), many.err);
        assert.equal(many.out, one.out, `--jobs ${jobs}`);
      }
    } finally {
      fs.rmSync(parsed, { recursive: true, force: true });
    }
  });

  it('a small lint stays on one thread; --jobs is checked', () => {
    const small = path.join(dir, 'legacy', 'l-1');
    assert.equal(threads(lint(['lint', '--jobs', '4', '--verbose', small], dir).err), 1);
    const bad = lint(['lint', '--jobs', '0', small], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--jobs must be a whole number from 1 to 64/);
  });
});
