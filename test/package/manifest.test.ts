// The extension manifest (package.json) has what the Marketplace and VS Code need.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');
const read = (p: string) => JSON.parse(fs.readFileSync(path.join(root, p), 'utf8'));
const manifest = read('package.json');

interface Setting { description?: string; markdownDescription?: string; scope?: string }

describe('package: the manifest', () => {
  it('names, describes and categorises the extension', () => {
    assert.ok(manifest.displayName && manifest.description, 'displayName and description');
    assert.ok(['Linters', 'Programming Languages'].every((c) => manifest.categories.includes(c)), 'categories');
    assert.ok(manifest.keywords.length > 0, 'keywords');
    assert.equal(manifest.license, 'MIT');
    assert.match(manifest.repository.url, /^https:\/\//);
    assert.ok(fs.existsSync(path.join(root, 'LICENSE')), 'LICENSE file');
  });

  it('has a 128x128 PNG icon and a gallery banner', () => {
    const png = fs.readFileSync(path.join(root, manifest.icon));
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
    assert.match(manifest.galleryBanner.color, /^#[0-9a-f]{6}$/i);
  });

  it('asks for the VS Code version the language client needs', () => {
    const client = read('node_modules/vscode-languageclient/package.json');
    assert.equal(manifest.engines.vscode, client.engines.vscode);
    // vsce refuses @types/vscode newer than the oldest VS Code the manifest accepts.
    const types = read('node_modules/@types/vscode/package.json');
    const num = (v: string) => v.replace(/^\^/, '').split('.').slice(0, 2).map(Number);
    const [[eMaj, eMin], [tMaj, tMin]] = [num(manifest.engines.vscode), num(types.version)];
    assert.ok(tMaj! < eMaj! || (tMaj === eMaj && tMin! <= eMin!), `@types/vscode ${types.version} vs engines ${manifest.engines.vscode}`);
  });

  it('supports untrusted workspaces in a limited way, and says how', () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok(manifest.capabilities.untrustedWorkspaces.description.length > 20);
  });

  it('gives the configuration a title, and every setting a description and a scope', () => {
    const sections = [manifest.contributes.configuration].flat().filter(Boolean);
    assert.ok(sections.length > 0, 'contributes.configuration');
    for (const s of sections) assert.ok(s.title, 'configuration title');
    const settings = Object.entries(Object.assign({}, ...sections.map((s) => s.properties)) as Record<string, Setting>);
    assert.ok(settings.length > 0, 'settings');
    assert.deepEqual(settings.filter(([, v]) => !(v.description || v.markdownDescription) || !v.scope).map(([k]) => k), []);
  });

  it('gives every contributed command a title', () => {
    const commands = (manifest.contributes.commands ?? []) as { command: string; title: string; category?: string }[];
    assert.ok(commands.length > 0, 'contributes.commands');
    assert.deepEqual(commands.filter((c) => !c.title).map((c) => c.command), []);
  });
});
