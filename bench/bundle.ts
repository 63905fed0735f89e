/**
 * Bundles the CLI, the language server, the bare-parse baseline and the
 * corpus analysis of measures (a) and (b) into a
 * private folder with esbuild, the way scripts/build.mjs bundles dist/ (same
 * options, same wasm files beside them). A private folder keeps the benchmark
 * from racing a concurrent `npm run build`, which empties dist/.
 */
import { build, type BuildOptions } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from './lib';
const { bundleOptions, wasmFiles } = require('../scripts/esbuildOptions.cjs') as { bundleOptions: BuildOptions; wasmFiles: string[] };

export interface Bundles {
  dir: string;
  cli: string;
  bareParse: string;
  /** bench/corpusAnalysisMain.ts */
  corpusAnalysis: string;
  /** Undefined when the server does not build (yet). */
  server?: string;
  serverError?: string;
}

// Minified, as `npm run package` (scripts/build.mjs --production) ships them: a smaller bundle compiles faster at start-up.
const common: BuildOptions = { ...bundleOptions, logLevel: 'silent', minify: true };

export async function bundle(): Promise<Bundles> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-bench-dist-'));
  const out = (name: string) => path.join(dir, name);
  await build({ ...common, entryPoints: [path.join(root, 'server/src/cli.ts')], outfile: out('cli.js') });
  await build({ ...common, entryPoints: [path.join(root, 'bench/bareParse.ts')], outfile: out('bareParse.js') });
  await build({ ...common, entryPoints: [path.join(root, 'bench/corpusAnalysisMain.ts')], outfile: out('corpusAnalysis.js') });
  for (const f of wasmFiles) {
    fs.copyFileSync(f, out(path.basename(f)));
  }
  const result: Bundles = { dir, cli: out('cli.js'), bareParse: out('bareParse.js'), corpusAnalysis: out('corpusAnalysis.js') };
  try {
    await build({ ...common, entryPoints: [path.join(root, 'server/src/server.ts')], outfile: out('server.js') });
    result.server = out('server.js');
  } catch (e) {
    result.serverError = (e as Error).message.split('\n').slice(0, 3).join(' ');
  }
  return result;
}
