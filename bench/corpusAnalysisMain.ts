/**
 * Measures (a) and (b) in a process of its own, bundled like the shipped code
 * (bench/bundle.ts): `node corpusAnalysis.js <rounds> <corpus folder>` prints
 * the figures as JSON. The HCL parser's files are those beside the bundle.
 */
import { bundledWasmPaths } from '../server/src/wasmPaths';
import { corpusAnalysis } from './corpusAnalysis';

const [rounds, corpus] = process.argv.slice(2);
corpusAnalysis(Number(rounds), corpus, bundledWasmPaths()).then(
  (figures) => process.stdout.write(JSON.stringify(figures)),
  (e: unknown) => {
    process.stderr.write(`corpusAnalysis: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
