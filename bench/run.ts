/**
 * `npm run bench`: runs every benchmark, keeps the raw figures in
 * bench/results.json and writes docs/BENCHMARKS.md from them.
 *
 *   npm run bench                      every measure
 *   npm run bench -- --only a,b        some measures (the others keep their last figures)
 *   npm run bench -- --quick           fewer rounds and a 500-template workspace (a smoke test; not written to the doc)
 *   npm run bench -- --doc             rewrite docs/BENCHMARKS.md from bench/results.json only
 *   npm run bench -- --only g --g-counts 10,1000   measure (g) with these workspace sizes
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundle } from './bundle';
import type { CorpusFigures } from './corpusAnalysis';
import { lintVsValidate, workspaceLint, type LintVsValidate, type WorkspaceFigures } from './processes';
import { serverLatency, type ServerFigures } from './serverLatency';
import { keystrokes, type KeystrokeFigures } from './keystrokes';
import { corpusAvailable, corpusDir } from '../test/support/corpus';
import { log, machine, root, type Machine } from './lib';
import { renderDoc } from './doc';

export interface Results {
  a_b?: { machine: Machine; figures: CorpusFigures[]; rounds: number };
  c?: { machine: Machine; figures: LintVsValidate; runs: number };
  d?: { machine: Machine; figures: WorkspaceFigures; runs: number };
  e?: { machine: Machine; figures: ServerFigures[] };
  g?: { machine: Machine; figures: KeystrokeFigures[] };
}

const resultsFile = path.join(root, 'bench', 'results.json');
const docFile = path.join(root, 'docs', 'BENCHMARKS.md');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const onlyArg = args.indexOf('--only');
  const only = new Set(onlyArg >= 0 ? (args[onlyArg + 1] ?? '').split(',') : ['a', 'b', 'c', 'd', 'e', 'g']);
  const previous: Results = fs.existsSync(resultsFile) ? (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Results) : {};
  if (args.includes('--doc')) {
    fs.writeFileSync(docFile, renderDoc(previous));
    log(`wrote ${path.relative(root, docFile)}`);
    return;
  }
  if (!corpusAvailable() && (only.has('a') || only.has('b') || only.has('c'))) {
    throw new Error(`the corpus is missing at ${corpusDir}: measures a, b and c need it`);
  }
  const results: Results = quick ? {} : { ...previous };
  log('bundling the CLI, the server and the baseline');
  const b = await bundle();
  try {
    if (only.has('a') || only.has('b')) {
      const rounds = quick ? 3 : 9;
      log(`(a, b) analysis vs bare parse over the corpus, ${rounds} rounds per file`);
      // The bundled code, as shipped, in a process of its own (bench/corpusAnalysisMain.ts).
      const out = execFileSync(process.execPath, [b.corpusAnalysis, String(rounds), corpusDir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
      results.a_b = { machine: machine(), figures: JSON.parse(out) as CorpusFigures[], rounds };
    }
    if (only.has('c')) {
      const runs = quick ? 3 : 9;
      log(`(c) packer-bake lint over the corpus vs one packer validate, ${runs} runs each`);
      results.c = { machine: machine(), figures: await lintVsValidate(b.cli, runs), runs };
    }
    if (only.has('d')) {
      const runs = quick ? 1 : 3;
      const spec = { count: quick ? 500 : 5000, minBytes: 1024, maxBytes: 200 * 1024, seed: 6 };
      log(`(d) lint of a generated workspace of ${spec.count} templates vs bare parses, ${runs} runs each (minutes)`);
      results.d = { machine: machine(), figures: await workspaceLint(b.cli, b.bareParse, spec, runs), runs };
    }
    if (only.has('e')) {
      if (!b.server) {
        log(`(e) skipped: the language server does not build (${b.serverError})`);
      } else {
        const edits = quick ? 40 : 200;
        log(`(e) language server didChange → publishDiagnostics on 1 MB templates, ${edits} edits each`);
        results.e = { machine: machine(), figures: await serverLatency(b.server, edits) };
      }
    }
    if (only.has('g') && b.server) {
      const countsArg = args.indexOf('--g-counts');
      const counts = countsArg >= 0 ? args[countsArg + 1].split(',').map(Number) : quick ? [10, 1000] : [10, 1000, 20000];
      log(`(g) a keystroke in an open HCL2 template with ${counts.join(', ')} workspace templates (the 20,000 take minutes to scan)`);
      results.g = { machine: machine(), figures: await keystrokes(b.server, counts, quick ? 20 : 60) };
    }
  } finally {
    fs.rmSync(b.dir, { recursive: true, force: true });
  }
  if (quick) {
    process.stdout.write(renderDoc(results));
    return;
  }
  fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 1)}\n`);
  fs.writeFileSync(docFile, renderDoc(results));
  log(`wrote ${path.relative(root, resultsFile)} and ${path.relative(root, docFile)} (load average now ${os.loadavg().map((x) => x.toFixed(2)).join(' ')})`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
