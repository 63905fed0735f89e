// Bundles the client, the language server and the CLI into dist/ with esbuild,
// and copies the two wasm files the HCL parser loads at run time.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { bundleOptions, wasmFiles } = require('./esbuildOptions.cjs');
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const out = path.join(root, 'dist');
const production = process.argv.includes('--production');

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });

const common = { ...bundleOptions, sourcemap: !production, minify: production };

await Promise.all([
  build({ ...common, entryPoints: [path.join(root, 'client/src/extension.ts')], outfile: path.join(out, 'client.js') }),
  build({ ...common, entryPoints: [path.join(root, 'server/src/server.ts')], outfile: path.join(out, 'server.js') }),
  build({ ...common, entryPoints: [path.join(root, 'server/src/cli.ts')], outfile: path.join(out, 'cli.js'), banner: { js: '#!/usr/bin/env node' } }),
]);

for (const f of wasmFiles) {
  fs.copyFileSync(f, path.join(out, path.basename(f)));
}
fs.chmodSync(path.join(out, 'cli.js'), 0o755);
