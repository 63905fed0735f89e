/**
 * The lint's analysis of many files, on this thread or spread over worker
 * threads (one per core but one, see defaultJobs): the files are cut into runs of the same folder
 * (a folder's HCL2 files read each other), handed out to the workers as they
 * finish, and the results put back in the files' order, so the output is the
 * same whatever the number of workers.
 */
import { isUtf8 } from 'buffer';
import * as os from 'os';
import * as path from 'path';
import { Worker, isMainThread, parentPort, workerData } from 'worker_threads';
import { Analyzer, type AnalysisResult, type AnalysisSettings, type Finding } from './analysis';
import { HclNotLoaded, hclSettled, lazyHcl, loadHcl } from './analysis/hclParser';
import { needsWholeText, prunableKind, prunedText } from './analysis/prunedText';
import { KeptBuffer } from './boundedRead';
import { decodeBytes, looksBinary } from './textBytes';
import { boundedDiskHost, cachedHost, skippedTemplate, tooLargeReason } from './diskHost';
import { hclRuntime } from './wasmPaths';

/** A file that could not be read or analysed. */
export interface FileProblem {
  file: string;
  what: string;
  why: string;
}

export interface LintOutcome {
  findings: Finding[];
  problems: FileProblem[];
}

/** Below this many files one thread is faster: a worker costs some 50-100 ms to start and load its parser. */
export const PARALLEL_MIN_FILES = 200;
/** Files handed to a worker at a time (whole folder runs, so sometimes more). */
const BATCH_FILES = 16;
const WORKER_ROLE = 'packer-bake-lint-worker';

/**
 * The number of threads used by default: one per core but one, at most 8.
 * A lint thread keeps more than one core busy (V8's garbage collector and
 * compiler threads run beside it): on 2 cores one thread lints the 5,000
 * templates of the benchmark in 0.8x the time of two (docs/BENCHMARKS.md).
 */
export function defaultJobs(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(8, cores - 1));
}

/** Analyses `files` in order on this thread, with one analyser and one caching host. */
export class FileLinter {
  private readonly host: ReturnType<typeof cachedHost>;
  private readonly analyzer: Analyzer;
  private readonly buffer = new KeptBuffer();

  /** `listings`: folder listings the caller read already (diskHost.ts's listingOf). */
  constructor(private readonly settings: AnalysisSettings, listings?: ReadonlyMap<string, string[]>) {
    const limit = settings.maxFileSize;
    this.host = cachedHost(boundedDiskHost({ limit: () => limit, listings }));
    this.analyzer = new Analyzer(this.host, settings, { findingsOnly: true });
  }

  readFile(file: string): string | undefined {
    return this.host.readFile(file);
  }

  async lint(files: string[]): Promise<LintOutcome> {
    const out: LintOutcome = { findings: [], problems: [] };
    const limit = this.settings.maxFileSize;
    for (const file of files) {
      // The bytes stay in this linter's buffer until its next read: the analysis's own reads use another.
      const bytes = this.buffer.read(file, limit);
      if (!Buffer.isBuffer(bytes)) {
        if (bytes.reason === 'too-large') out.findings.push(...skippedTemplate(file, tooLargeReason(limit)).findings);
        else out.problems.push({ file, what: 'cannot read', why: bytes.message });
        continue;
      }
      if (looksBinary(bytes)) {
        out.findings.push(...skippedTemplate(file, 'it looks binary').findings);
        continue;
      }
      try {
        // A copy: strings sliced from the template's text would keep the whole text alive until the run ends.
        out.findings.push(...structuredClone((await analyseLoading(() => this.analyse(file, bytes))).findings));
      } catch (e) {
        out.problems.push({ file, what: 'cannot analyse', why: e instanceof Error ? e.message : String(e) });
      }
    }
    return out;
  }

  /**
   * The analysis of a file's bytes: of its pruned text (prunedText.ts: most
   * of a large template is never decoded) unless what it finds needs the
   * whole text, else of the whole text.
   */
  private analyse(file: string, bytes: Buffer): AnalysisResult {
    const kind = prunableKind(file);
    const pruned = kind && isUtf8(bytes) ? prunedText(bytes, kind) : undefined;
    if (pruned) {
      const result = this.analyzer.analyze(file, pruned.text, undefined, pruned);
      if (!needsWholeText(result.findings, file, pruned)) return result;
    }
    return this.analyzer.analyze(file, decodeBytes(bytes).text);
  }
}

/**
 * One analysis, loading the HCL parser when the analysis asks for it (an
 * HCL2 text the lint's fast parse leaves to tree-sitter, see hclFast.ts:
 * most HCL2 templates need no parser at all), then analysing again.
 */
export async function analyseLoading(analyse: () => AnalysisResult): Promise<AnalysisResult> {
  await hclSettled();
  for (;;) {
    try {
      return analyse();
    } catch (e) {
      if (!(e instanceof HclNotLoaded)) throw e;
      await loadHcl();
    }
  }
}

/** `files` cut where the folder changes, in order. */
export function folderRuns(files: string[]): string[][] {
  const runs: string[][] = [];
  let dir: string | undefined;
  for (const f of files) {
    const d = path.dirname(f);
    if (d !== dir || runs.length === 0) runs.push([]);
    runs[runs.length - 1].push(f);
    dir = d;
  }
  return runs;
}

/**
 * The outcome of linting `files` on `jobs` threads: this one (with `local`)
 * and jobs - 1 workers running `script` (this bundle), in the files' order.
 * Rejects when a worker fails.
 */
export async function lintInWorkers(script: string, files: string[], settings: AnalysisSettings, jobs: number, local: FileLinter): Promise<LintOutcome> {
  const batches: string[][] = [];
  for (const run of folderRuns(files)) {
    const last = batches[batches.length - 1];
    if (last && last.length + run.length <= BATCH_FILES) last.push(...run);
    else batches.push([...run]);
  }
  const results: LintOutcome[] = new Array(batches.length);
  let next = 0;
  const take = () => (next < batches.length ? next++ : -1);
  // A young generation of 16 MB per worker: the same speed here, some 20 MB less each.
  const workers = Array.from({ length: Math.min(jobs - 1, batches.length) }, () => new Worker(script, { workerData: { role: WORKER_ROLE, settings }, resourceLimits: { maxYoungGenerationSizeMb: 16 } }));
  const served = Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          // Two batches in flight, so that a worker does not wait while this thread lints one of its own.
          const outstanding = new Set<number>();
          const give = () => {
            const id = take();
            if (id >= 0) {
              outstanding.add(id);
              w.postMessage({ id, files: batches[id] });
            } else if (outstanding.size === 0) resolve();
          };
          w.on('message', (m: { id: number; outcome: LintOutcome }) => {
            results[m.id] = m.outcome;
            outstanding.delete(m.id);
            give();
          });
          w.on('error', reject);
          w.on('exit', (code) => {
            if (outstanding.size > 0) reject(new Error(`a lint worker stopped (exit code ${code})`));
          });
          give();
          give();
        }),
    ),
  );
  served.catch(() => undefined); // awaited below; a failure meanwhile is not an unhandled rejection
  try {
    // This thread lints too, a batch at a time, letting the workers' answers in between.
    for (let id = take(); id >= 0; id = take()) {
      results[id] = await local.lint(batches[id]);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await served;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return { findings: results.flatMap((r) => r.findings), problems: results.flatMap((r) => r.problems) };
}

/** True in a worker thread started by lintInWorkers: it then serves batches until terminated. */
export function isLintWorker(): boolean {
  return !isMainThread && (workerData as { role?: string } | undefined)?.role === WORKER_ROLE;
}

export function serveLintWorker(): void {
  const { settings } = workerData as { settings: AnalysisSettings };
  lazyHcl(() => hclRuntime(), { spare: false });
  const linter = new FileLinter(settings);
  // One batch at a time: the main thread sends the next when this one is answered.
  parentPort!.on('message', (m: { id: number; files: string[] }) => {
    linter.lint(m.files).then(
      (outcome) => parentPort!.postMessage({ id: m.id, outcome }),
      (e: unknown) => {
        throw e;
      },
    );
  });
}
