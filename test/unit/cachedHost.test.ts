/**
 * The CLI's caching host (server/src/diskHost.ts): a folder that a listing
 * already read shows not to exist costs no system call (the working directory
 * search asks for thousands of them in a large workspace), and a listing cut
 * at MAX_LISTING names is not taken as the whole folder.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MAX_LISTING, boundedDiskHost, cachedHost, listDirBounded, listingOf } from '../../server/src/diskHost';
import { scanFolderSync } from '../../server/src/workspaceScan';
import type { AnalysisHost } from '../../server/src/analysis';

function countingHost(dirs: Record<string, string[]>): AnalysisHost & { asked: string[] } {
  const asked: string[] = [];
  return { asked, readFile: () => undefined, listDir: (d) => (asked.push(d), dirs[d]) };
}

describe('cachedHost', () => {
  it('answers a folder under a listed one that lacks it without asking the disk', () => {
    const base = countingHost({ '/ws': ['a', 'template.json'], '/ws/a': ['b'], '/ws/a/b': ['playbook.yml'] });
    const host = cachedHost(base);
    assert.deepEqual(host.listDir('/ws'), ['a', 'template.json']);
    assert.equal(host.listDir('/ws/roles'), undefined);
    assert.equal(host.listDir('/ws/roles/x/tasks'), undefined);
    assert.equal(host.listDir('/ws/packer/files/scripts'), undefined);
    assert.deepEqual(base.asked, ['/ws'], 'only /ws was listed');
    // What a listing holds is still asked for (a name may be a file), and answered right.
    assert.deepEqual(host.listDir('/ws/a/b'), ['playbook.yml']);
    assert.equal(host.listDir('/ws/template.json'), undefined);
    assert.deepEqual(base.asked, ['/ws', '/ws/a/b', '/ws/template.json']);
    assert.equal(host.listDir('/ws/a/c'), undefined);
    assert.deepEqual(base.asked, ['/ws', '/ws/a/b', '/ws/template.json', '/ws/a/c'], '/ws/a was never listed: /ws/a/c is asked');
  });

  it('reads no file a cached listing lacks, and reads those it holds', () => {
    const reads: string[] = [];
    const base: AnalysisHost = { readFile: (f) => (reads.push(f), f === '/ws/ansible.cfg' ? '[defaults]\n' : undefined), listDir: (d) => (d === '/ws' ? ['ansible.cfg', 'sub'] : undefined) };
    const host = cachedHost(base);
    assert.equal(host.readFile('/elsewhere/ansible.cfg'), undefined);
    host.listDir('/ws');
    assert.equal(host.readFile('/ws/sub/ansible.cfg'), undefined, 'sub is listed but was never listed itself: asked');
    assert.equal(host.readFile('/ws/nothing.cfg'), undefined);
    assert.equal(host.readFile('/ws/other/ansible.cfg'), undefined);
    assert.equal(host.readFile('/ws/ansible.cfg'), '[defaults]\n');
    assert.deepEqual(reads, ['/elsewhere/ansible.cfg', '/ws/sub/ansible.cfg', '/ws/ansible.cfg']);
  });

  it('does not trust a listing cut at MAX_LISTING names', () => {
    const many = Array.from({ length: MAX_LISTING }, (_, i) => `f${i}`);
    const base = countingHost({ '/big': many, '/big/later': ['x'] });
    const host = cachedHost(base);
    host.listDir('/big');
    assert.deepEqual(host.listDir('/big/later'), ['x'], 'a folder past the cut exists');
    assert.deepEqual(base.asked, ['/big', '/big/later']);
  });

  it("takes the lint walk's listings as its own: the same names and files, and no listing of those folders again", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-listings-'));
    try {
      fs.mkdirSync(path.join(dir, 'packer', 'ansible'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'packer', 'template.json'), '{}');
      fs.writeFileSync(path.join(dir, 'packer', 'ansible', 'playbook.yml'), '');
      fs.symlinkSync('template.json', path.join(dir, 'packer', 'link.json'));
      const listings = new Map<string, string[]>();
      scanFolderSync(dir, (d, entries) => listings.set(d, listingOf(entries)));
      assert.deepEqual([...listings.keys()].sort(), [dir, path.join(dir, 'packer'), path.join(dir, 'packer', 'ansible')]);
      for (const [d, names] of listings) assert.deepEqual([...names].sort(), [...listDirBounded(d)!].sort(), d);
      // The walk's listing tells files from folders as listDirBounded's does: a file there is no folder to list.
      const seeded = cachedHost(boundedDiskHost({ limit: () => 1 << 20, listings }));
      assert.equal(seeded.listDir(path.join(dir, 'packer', 'template.json')), undefined);
      assert.equal(seeded.listDir(path.join(dir, 'packer', 'roles')), undefined);
      // Once walked, a folder is answered from the walk even if it changed since (the lint is one snapshot).
      fs.writeFileSync(path.join(dir, 'packer', 'ansible', 'late.yml'), '');
      assert.deepEqual(seeded.listDir(path.join(dir, 'packer', 'ansible')), ['playbook.yml']);
      assert.deepEqual([...boundedDiskHost({ limit: () => 1 << 20 }).listDir(path.join(dir, 'packer', 'ansible'))!].sort(), ['late.yml', 'playbook.yml']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps at most MAX_LISTING names of a listing read elsewhere', () => {
    const entries = Array.from({ length: MAX_LISTING + 5 }, (_, i) => ({ name: `f${i}`, isFile: () => true }));
    assert.equal(listingOf(entries).length, MAX_LISTING);
  });
});
