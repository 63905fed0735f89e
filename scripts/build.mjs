// Bundles the client, the language server and the CLI into dist/ with esbuild,
// and copies the two wasm files the HCL parser loads at run time.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const out = path.join(root, 'dist');
const production = process.argv.includes('--production');

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // jsonc-parser's UMD build hides its requires from bundlers; take its ES module build.
  mainFields: ['module', 'main'],
  // web-tree-sitter's ES module build needs import.meta.url; bundle its CommonJS build.
  alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
  // web-tree-sitter probes for these in the browser build only.
  external: ['vscode', 'fs/promises', 'module'],
};

await Promise.all([
  build({ ...common, entryPoints: [path.join(root, 'client/src/extension.ts')], outfile: path.join(out, 'client.js') }),
  build({ ...common, entryPoints: [path.join(root, 'server/src/server.ts')], outfile: path.join(out, 'server.js') }),
  build({ ...common, entryPoints: [path.join(root, 'server/src/cli.ts')], outfile: path.join(out, 'cli.js'), banner: { js: '#!/usr/bin/env node' } }),
]);

for (const f of [require.resolve('web-tree-sitter/tree-sitter.wasm'), require.resolve('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-hcl.wasm')]) {
  fs.copyFileSync(f, path.join(out, path.basename(f)));
}
fs.chmodSync(path.join(out, 'cli.js'), 0o755);
