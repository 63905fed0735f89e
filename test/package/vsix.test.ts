// Opens the packaged extension (run `npm run package` first; `npm run
// test:package` does both) and checks what a user would install.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { requireThat } from '../support/requireTool';
import { readZip } from './readZip';

const root = path.join(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string; version: string; main: string; icon: string;
  contributes: { grammars: { path: string }[]; languages: { configuration?: string }[] };
};
const vsixPath = process.env.PACKER_BAKE_VSIX ?? path.join(root, `${manifest.name}-${manifest.version}.vsix`);
const MAX_BYTES = 1.5 * 1024 * 1024;
const CLIENT_MAX_BYTES = 16 * 1024;

/** A manifest path like "./syntaxes/x.json" as a VSIX entry name. */
const entry = (p: string) => `extension/${path.posix.normalize(p).replace(/^\.\//, '')}`;

describe('package: the VSIX', function () {
  let files: Map<string, Buffer>;
  let names: string[];

  before(async function () {
    requireThat(this, fs.existsSync(vsixPath), `${path.basename(vsixPath)} does not exist; run \`npm run package\``);
    files = await readZip(vsixPath);
    names = [...files.keys()].sort();
    const size = fs.statSync(vsixPath).size;
    console.log(`      ${path.basename(vsixPath)}: ${(size / 1024).toFixed(1)} KiB, ${names.length} files`);
  });

  it(`is under ${MAX_BYTES / 1024 / 1024} MB`, () => {
    assert.ok(fs.statSync(vsixPath).size < MAX_BYTES, `${fs.statSync(vsixPath).size} bytes`);
  });

  it('holds the bundled client, server and CLI, and the wasm parser and HCL grammar under dist/', () => {
    for (const f of ['dist/client.js', 'dist/bake.js', 'dist/languageClient.js', 'dist/server.js', 'dist/language-server.js', 'dist/cli.js', 'dist/tree-sitter.wasm', 'dist/tree-sitter-hcl.wasm', 'dist/tree-sitter.cjs']) {
      assert.ok(files.has(`extension/${f}`), f);
    }
    assert.ok(files.has(entry(manifest.main)), `main ${manifest.main}`);
  });

  it('holds every grammar and language configuration the manifest names, and the icon', () => {
    const wanted = [
      ...manifest.contributes.grammars.map((g) => g.path),
      ...manifest.contributes.languages.flatMap((l) => (l.configuration ? [l.configuration] : [])),
      manifest.icon,
    ];
    assert.deepEqual(wanted.filter((p) => !files.has(entry(p))), []);
    for (const p of wanted.filter((w) => w.endsWith('.json'))) JSON.parse(files.get(entry(p))!.toString('utf8'));
  });

  it(`keeps the bundle VS Code loads on activation small (dist/client.js under ${CLIENT_MAX_BYTES / 1024} KiB; the bake registration and the language client are loaded after activate() returns)`, () => {
    const client = files.get('extension/dist/client.js')!;
    console.log(`      dist/client.js: ${(client.length / 1024).toFixed(1)} KiB, dist/bake.js: ${(files.get('extension/dist/bake.js')!.length / 1024).toFixed(1)} KiB, dist/languageClient.js: ${(files.get('extension/dist/languageClient.js')!.length / 1024).toFixed(1)} KiB`);
    assert.ok(client.length < CLIENT_MAX_BYTES, `${client.length} bytes`);
    // A message of vscode-languageclient's own: the library is in the lazily loaded bundle only.
    const marker = 'got closed. Server will';
    assert.ok(files.get('extension/dist/languageClient.js')!.includes(marker), 'the marker identifies vscode-languageclient');
    assert.ok(!client.includes(marker), 'vscode-languageclient is not in the entry bundle');
  });

  it('holds every rule\'s documentation page, and the facts page they cite, for offline rule links', () => {
    const pages = fs.readdirSync(path.join(root, 'docs', 'rules')).filter((f) => f.endsWith('.md')).sort();
    assert.ok(pages.length >= 8, `${pages.length} rule pages`);
    assert.deepEqual(names.filter((n) => n.startsWith('extension/dist/docs/')), ['extension/dist/docs/facts.md', ...pages.map((p) => `extension/dist/docs/rules/${p}`)].sort());
    for (const p of pages) {
      const shipped = files.get(`extension/dist/docs/rules/${p}`)!.toString('utf8');
      const source = fs.readFileSync(path.join(root, 'docs', 'rules', p), 'utf8');
      assert.equal(shipped.split('\n')[0], source.split('\n')[0], p);
      // Relative links stay only where they lead to a shipped page.
      const relative = [...shipped.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!).filter((u) => !/^(https:|#)/.test(u));
      assert.deepEqual(relative.filter((u) => !names.includes(path.posix.join('extension/dist/docs/rules', u.split('#')[0]!))), [], p);
    }
  });

  it('holds the bake image recipe the Bake AMI command builds from', () => {
    assert.ok(files.has('extension/bake/Dockerfile'));
  });

  it('holds README, CHANGELOG and LICENSE', () => {
    const lower = names.map((n) => n.toLowerCase());
    for (const f of ['extension/readme.md', 'extension/changelog.md']) assert.ok(lower.includes(f), f);
    assert.ok(lower.some((n) => /^extension\/license(\.txt|\.md)?$/.test(n)), 'LICENSE');
    assert.ok(files.get(names.find((n) => n.toLowerCase() === 'extension/readme.md')!)!.length > 500, 'README has content');
  });

  it('holds no sources, tests, source maps or node_modules', () => {
    const bad = names.filter((n) =>
      /\.(ts|mts|cts|map)$/.test(n) || /(^|\/)(node_modules|test|tests|src|\.vscode|\.ci|examples|scripts)\//.test(n) || /(^|\/)\.[^/]+$/.test(n));
    assert.deepEqual(bad, []);
  });

  it('holds only the allow-listed top-level entries', () => {
    const top = [...new Set(names.filter((n) => n.startsWith('extension/')).map((n) => n.split('/')[1]!.toLowerCase()))].sort();
    assert.deepEqual(top, ['bake', 'changelog.md', 'dist', 'images', 'license.txt', 'package.json', 'readme.md', 'syntaxes']);
  });
});
