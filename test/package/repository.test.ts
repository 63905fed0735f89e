// The docs base comes from one place: package.json's `repository`, put into
// every bundle by the build (esbuild define) and into the shipped pages.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { normalizeRepository, repositoryUrl } = require('../../scripts/repository.cjs') as { normalizeRepository(r: unknown): string; repositoryUrl(): string };

describe('package: the repository URL behind the docs links', () => {
  it('reads the forms package.json allows for `repository`', () => {
    const forms: [unknown, string][] = [
      [{ type: 'git', url: 'https://github.com/o/r' }, 'https://github.com/o/r'],
      [{ type: 'git', url: 'git+https://github.com/o/r.git' }, 'https://github.com/o/r'],
      ['github:o/r', 'https://github.com/o/r'],
      ['o/r', 'https://github.com/o/r'],
      ['https://gitlab.example.com/group/r/', 'https://gitlab.example.com/group/r'],
    ];
    assert.deepEqual(forms.map(([input]) => normalizeRepository(input)), forms.map(([, url]) => url));
    assert.throws(() => normalizeRepository({}), /no repository URL/);
    assert.throws(() => normalizeRepository('ftp://example.com/r'), /not an https URL/);
  });

  it('is written nowhere in the sources: only package.json names it', () => {
    const url = repositoryUrl();
    assert.equal(url, JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).repository.url);
    const r = spawnSync('git', ['grep', '-l', '-F', url, '--', 'server/src', 'client/src', 'scripts'], { cwd: root, encoding: 'utf8' });
    assert.deepEqual({ status: r.status, files: r.stdout.trim() }, { status: 1, files: '' }, 'git grep finds nothing');
  });

  it('reaches the bundles, which keep no fallback that reads package.json', () => {
    for (const bundle of ['server.js', 'cli.js']) {
      const text = fs.readFileSync(path.join(root, 'dist', bundle), 'utf8');
      assert.ok(text.includes(`${repositoryUrl()}/blob/main/docs/rules/`) || text.includes(JSON.stringify(repositoryUrl())), `${bundle} carries the URL`);
      assert.ok(!text.includes('repository.cjs'), `${bundle} does not load scripts/repository.cjs`);
    }
  });
});
