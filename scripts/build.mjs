// Bundles the client (the small entry VS Code loads, and the Bake AMI
// registration and the language client it loads right after activate(), and the
// dev container and CI job commands it loads when one first runs), the language server (for VS Code, and as the
// packer-bake-language-server command), and the CLI into dist/ with esbuild;
// copies the two wasm files the HCL parser loads at run time, and the rule
// pages the extension opens offline (dist/docs/).
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { bundleOptions, wasmFiles } = require('./esbuildOptions.cjs');
const { copyDocs } = require('./docs.cjs');
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const out = path.join(root, 'dist');
const production = process.argv.includes('--production');

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });

const common = { ...bundleOptions, sourcemap: !production, minify: production };

await Promise.all([
  build({ ...common, entryPoints: [path.join(root, 'client/src/extension.ts')], outfile: path.join(out, 'client.js') }),
  build({ ...common, entryPoints: [path.join(root, 'client/src/bake/index.ts')], outfile: path.join(out, 'bake.js') }),
  build({ ...common, entryPoints: [path.join(root, 'client/src/commands/index.ts')], outfile: path.join(out, 'commands.js') }),
  build({ ...common, entryPoints: [path.join(root, 'client/src/languageClient.ts')], outfile: path.join(out, 'languageClient.js') }),
  build({ ...common, entryPoints: [path.join(root, 'server/src/server.ts')], outfile: path.join(out, 'server.js') }),
  build({ ...common, entryPoints: [path.join(root, 'server/src/languageServerMain.ts')], outfile: path.join(out, 'language-server.js'), banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: [path.join(root, 'server/src/cli.ts')], outfile: path.join(out, 'cli.js'), banner: { js: '#!/usr/bin/env node' } }),
]);

for (const f of wasmFiles) {
  fs.copyFileSync(f, path.join(out, path.basename(f)));
}
fs.chmodSync(path.join(out, 'cli.js'), 0o755);
fs.chmodSync(path.join(out, 'language-server.js'), 0o755);
copyDocs(root, out);
