// The npm package (`npm pack`): what pre-commit installs the hook from, and
// what `npm install -g` gives: the CLI and the language server as commands.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };

describe('package: the npm package', () => {
  let files: string[];
  before(function () {
    this.timeout(60_000);
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path).sort();
  });

  it('offers packer-bake and packer-bake-language-server as commands, both in the package', () => {
    assert.deepEqual(Object.keys(manifest.bin).sort(), ['packer-bake', 'packer-bake-language-server']);
    for (const bin of Object.values(manifest.bin)) assert.ok(files.includes(path.posix.normalize(bin)), bin);
  });

  it('holds the bundles with their wasm files and rule pages, and no sources, maps or tests', () => {
    for (const f of ['dist/cli.js', 'dist/server.js', 'dist/language-server.js', 'dist/tree-sitter.wasm', 'dist/tree-sitter-hcl.wasm', 'dist/docs/rules/control-path-missing.md']) {
      assert.ok(files.includes(f), f);
    }
    assert.deepEqual(files.filter((f) => !/^(dist\/|package\.json$|README\.md$|LICENSE$)/.test(f) || f.endsWith('.map')), []);
  });

  it('the bins start with a shebang and are executable', () => {
    for (const bin of Object.values(manifest.bin)) {
      const file = path.join(root, bin);
      assert.match(fs.readFileSync(file, 'utf8'), /^#!\/usr\/bin\/env node\n/);
      assert.ok((fs.statSync(file).mode & 0o111) !== 0, `${bin} is executable`);
    }
  });
});
