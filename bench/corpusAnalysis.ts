/**
 * Measures (a) and (b): the whole analysis of each corpus template (parse,
 * model, socket plans, every rule) against the bare parse of the same text,
 * interleaved, median of several rounds. bench/run.ts runs it bundled with
 * the options of scripts/build.mjs (bench/corpusAnalysisMain.ts), in a process
 * of its own, so that what is timed is the code as shipped: run from source by
 * tsx it carried tsx's transform (a `__name` call for every function a closure
 * creates), which the bundle has not.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseTree, type ParseError } from 'jsonc-parser';
import { Parser, Language } from 'web-tree-sitter';
import { Analyzer, formatForName, initHcl } from '../server/src/analysis';
import { cachedHost, diskHost } from '../server/src/diskHost';
import { hclRuntime, type HclWasmPaths } from '../server/src/wasmPaths';
import { corpusIndex } from '../test/support/corpus';
import { versus } from './lib';

export interface FileFigure {
  file: string;
  chars: number;
  analysisMs: number;
  parseMs: number;
  ratio: number;
}

export interface CorpusFigures {
  format: 'json' | 'hcl';
  files: FileFigure[];
  /** Sum of the analysis medians over the sum of the parse medians. */
  totalRatio: number;
  medianRatio: number;
  worst: FileFigure;
  chars: number;
}

/** `corpus`: the folder of ../shared/corpus; `wasm`: the HCL parser's files (beside the bundle). */
export async function corpusAnalysis(rounds: number, corpus: string, wasm: HclWasmPaths): Promise<CorpusFigures[]> {
  await initHcl(hclRuntime(wasm));
  await Parser.init({ locateFile: () => wasm.treeSitter });
  const parser = new Parser();
  parser.setLanguage(await Language.load(wasm.hcl));
  const index = corpusIndex(corpus);
  const options = { allowTrailingComma: false, disallowComments: false, allowEmptyContent: true };
  const out: CorpusFigures[] = [];
  for (const format of ['json', 'hcl'] as const) {
    const files: FileFigure[] = [];
    for (const e of index) {
      if (e.kind === 'support' || e.format !== format) continue;
      const file = path.join(corpus, e.file);
      // Files the analyser does not read by name (e.g. packer.json.tmpl) are not measured: their analysis is a no-op.
      if (!formatForName(file)) continue;
      const text = fs.readFileSync(file, 'utf8');
      // One analyser per file, kept across calls, as the server keeps one; like the server, its host keeps
      // what it read from disk (ansible.cfg, sibling files) until a file changes.
      const analyzer = new Analyzer(cachedHost(diskHost));
      const baseline = format === 'hcl' ? () => parser.parse(text)?.delete() : () => void parseTree(text, [] as ParseError[], options);
      const { baseline: parseMs, subject: analysisMs } = versus(baseline, () => void analyzer.analyze(file, text), rounds);
      files.push({ file: e.file, chars: text.length, analysisMs, parseMs, ratio: analysisMs / parseMs });
    }
    const sum = (k: 'analysisMs' | 'parseMs') => files.reduce((s, f) => s + f[k], 0);
    const ratios = files.map((f) => f.ratio).sort((a, b) => a - b);
    out.push({
      format,
      files,
      totalRatio: sum('analysisMs') / sum('parseMs'),
      medianRatio: ratios[Math.floor(ratios.length / 2)],
      worst: files.reduce((w, f) => (f.ratio > w.ratio ? f : w)),
      chars: files.reduce((s, f) => s + f.chars, 0),
    });
  }
  return out;
}
