/**
 * The one walk of the language server (scanFolder, async, with sizes) and of
 * the CLI (scanFolderSync): the same files, in the same order, on a tree with
 * what repositories hold (skipped and hidden folders, container folders,
 * links to files and to folders, dangling links, a link loop, a FIFO).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TargetWalk, scanFolder, scanFolderSync } from '../../server/src/workspaceScan';
import { MAX_LISTING, folderEntriesSync } from '../../server/src/diskHost';

describe('the workspace walk', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-walk-'));
    const files = [
      'a.json', 'b.pkr.hcl', 'readme.md', 'z/x.pkr.json', 'z/y.pkrvars.hcl', 'images/web/template.json', 'images/web/variables.pkr.hcl',
      'node_modules/p/t.json', '.git/t.json', '.hidden/t.json', '.devcontainer/devcontainer.json', '.github/workflows/ci.yml',
      'dist/t.json', 'out/t.json', 'B/c.json', 'Jenkinsfile',
    ];
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), '{}');
    }
    fs.symlinkSync(path.join(dir, 'a.json'), path.join(dir, 'link-to-file.json'));
    fs.symlinkSync(path.join(dir, 'images'), path.join(dir, 'link-to-folder'));
    fs.symlinkSync(path.join(dir, 'nowhere.json'), path.join(dir, 'dangling.json'));
    fs.symlinkSync('loop.json', path.join(dir, 'loop.json'));
    assert.equal(spawnSync('mkfifo', [path.join(dir, 'fifo.json')]).status, 0);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the CLI walks what the server walks', async () => {
    const server: string[] = [];
    for await (const c of scanFolder(dir, undefined, Infinity)) server.push(c.file);
    const cli = scanFolderSync(dir);
    assert.deepEqual(cli, server);
    const rel = cli.map((f) => path.relative(dir, f));
    for (const f of ['a.json', 'b.pkr.hcl', 'link-to-file.json', 'images/web/template.json', '.devcontainer/devcontainer.json']) assert.ok(rel.includes(f), f);
    for (const f of ['node_modules/p/t.json', '.git/t.json', '.hidden/t.json', 'dist/t.json', 'dangling.json', 'loop.json', 'fifo.json', 'link-to-folder/web/template.json', 'readme.md']) assert.ok(!rel.includes(f), f);
  });

  it("the lint's walk of its paths: each folder's candidates, a file as itself, each file once where first reached; taken in parts, the same", () => {
    const images = path.join(dir, 'images');
    const file = path.join(dir, 'z', 'x.pkr.json');
    const gone = path.join(dir, 'gone.pkr.hcl');
    const targets = [images, dir, file, gone, images];
    const listed: string[] = [];
    const all = TargetWalk.of(targets, { onListing: (d) => listed.push(d) }).rest();
    // What the lint collected before the walk took its paths one file at a time: the walks, concatenated, without repeats.
    assert.deepEqual(all, [...new Set([...scanFolderSync(images), ...scanFolderSync(dir), file, gone, ...scanFolderSync(images)])]);
    assert.equal(all[0], path.join(images, 'web', 'template.json'));
    assert.ok(all.includes(gone), 'a path that is gone is given: reading it reports it');
    assert.ok(listed.includes(images) && listed.includes(dir));
    for (const n of [0, 1, 3, all.length - 1, all.length, all.length + 5]) {
      const walk = TargetWalk.of(targets);
      const first = walk.take(n);
      const rest: string[] = [];
      if (n % 2) rest.push(...walk.rest());
      else for (let f = walk.next(); f !== undefined; f = walk.next()) rest.push(f);
      assert.deepEqual([...first, ...rest], all, `in parts at ${n}`);
      assert.equal(walk.next(), undefined);
    }
  });

  it('lists a small folder at once and a large one (or one of no size) through a handle: the same entries', () => {
    const names = (entries: fs.Dirent[] | undefined) => entries?.map((e) => `${e.name}:${e.isFile()}:${e.isDirectory()}:${e.isSymbolicLink()}`).sort();
    assert.ok(fs.statSync(dir).size > 0 && fs.statSync(dir).size <= 16 * 1024, 'the test folder is small');
    const atOnce = folderEntriesSync(dir);
    assert.ok(atOnce && atOnce.length > 10);
    assert.deepEqual(names(atOnce), names(folderEntriesSync(dir, undefined, 0)));
    assert.equal(folderEntriesSync(path.join(dir, 'a.json')), undefined, 'a file is no folder');
    assert.equal(folderEntriesSync(path.join(dir, 'nowhere')), undefined);
  });

  it('reads at most MAX_LISTING entries of a folder, and says which folder had more', async function () {
    this.timeout(120000);
    const big = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-big-'));
    try {
      // MAX_LISTING + 3 entries in one folder, one a subfolder with a template: both walks cut the folder alike, whatever the order of its entries.
      for (let k = 0; k < MAX_LISTING + 2; k++) fs.writeFileSync(path.join(big, `f${k}.txt`), '');
      fs.mkdirSync(path.join(big, 'sub'));
      fs.writeFileSync(path.join(big, 'sub', 't.json'), '{}');
      const cutSync: string[] = [];
      const listed: number[] = [];
      const cli = scanFolderSync(big, (d, entries) => d === big && listed.push(entries.length), (d) => cutSync.push(d));
      assert.deepEqual(cutSync, [big]);
      assert.deepEqual(listed, [MAX_LISTING]);
      const cut: string[] = [];
      const server: string[] = [];
      for await (const c of scanFolder(big, undefined, Infinity, (d) => cut.push(d))) server.push(c.file);
      assert.deepEqual(cut, [big]);
      assert.deepEqual(server, cli);
      // A folder that says it is small is listed at once (readdir), and cut all the same when it is not.
      const cutAtOnce: string[] = [];
      assert.equal(folderEntriesSync(big, (d) => cutAtOnce.push(d), 1)?.length, MAX_LISTING);
      assert.deepEqual(cutAtOnce, [big]);
      // Without the cut (a folder of MAX_LISTING entries exactly), no folder is named.
      fs.rmSync(path.join(big, 'f0.txt'));
      fs.rmSync(path.join(big, 'f1.txt'));
      fs.rmSync(path.join(big, 'f2.txt'));
      const none: string[] = [];
      const all = scanFolderSync(big, undefined, (d) => none.push(d));
      assert.deepEqual(none, []);
      assert.deepEqual(all, [path.join(big, 'sub', 't.json')]);
    } finally {
      fs.rmSync(big, { recursive: true, force: true });
    }
  });
});
