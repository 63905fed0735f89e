/**
 * The lint's analysis of many files, on this thread or spread over threads
 * (see defaultJobs). On two threads, a pipeline: a reader thread reads and
 * prunes each file while this one analyses (lintPipelined). On more, the
 * files are cut into runs of the same folder (a folder's HCL2 files read
 * each other), handed out to worker threads as they finish, and the results
 * put back in the files' order (lintInWorkers). The output is the same
 * whatever the number of threads.
 */
import { isUtf8 } from 'buffer';
import * as os from 'os';
import * as path from 'path';
import { MessageChannel, Worker, isMainThread, parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'worker_threads';
import { Analyzer, type AnalysisResult, type AnalysisSettings, type Finding } from './analysis';
import { HclNotLoaded, hclSettled, lazyHcl, loadHcl } from './analysis/hclParser';
import { needsWholeText, prunableKind, prunedText, type PrunedText } from './analysis/prunedText';
import { KeptBuffer, type ReadFailed } from './boundedRead';
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
 * The number of threads used by default: two on two or three cores (the
 * pipeline), else one per core but one, at most 8. A lint thread keeps more
 * than one core busy (V8's garbage collector and compiler threads run beside
 * it): on 2 cores two threads that each lint whole files took 1.1 to 1.3x
 * the time of one, while the pipeline's reader, which warms up only the code
 * of its part, takes 0.8x (docs/BENCHMARKS.md, measure d).
 */
export function defaultJobs(cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length): number {
  return Math.max(1, Math.min(8, cores === 2 || cores === 3 ? 2 : cores - 1));
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

  /**
   * The findings of `files`, in order. Calls run one after another: a file's
   * bytes stay in this linter's buffer while its analysis waits for the HCL
   * parser to load, and a worker is sent its next batch while it lints one.
   */
  lint(files: string[]): Promise<LintOutcome> {
    const run = this.running.then(async () => {
      const out: LintOutcome = { findings: [], problems: [] };
      let detached = 0;
      for (let i = 0; i < files.length; i++) {
        await this.lintFile(files[i], out);
        if (i % DETACH_FILES === DETACH_FILES - 1) detached = detach(out, detached);
      }
      detach(out, detached);
      return out;
    });
    this.running = run.catch(() => undefined);
    return run;
  }

  /** The last lint() call, which the next waits for. */
  private running: Promise<unknown> = Promise.resolve();

  /** One file's findings (for the caller to detach) or problem, added to `out` (not while another call of this linter runs: they share its buffer). */
  async lintFile(file: string, out: LintOutcome): Promise<void> {
    const limit = this.settings.maxFileSize;
    // The bytes stay in this linter's buffer until its next read: the analysis's own reads use another.
    const bytes = this.buffer.read(file, limit);
    if (!Buffer.isBuffer(bytes) || looksBinary(bytes)) return this.lintRead(file, notAnalysed(bytes), out);
    await this.report(file, () => this.analyse(file, bytes), out);
  }

  /** The findings of one analysis (or the problem it had), added to `out` (to detach). */
  private async report(file: string, analyse: () => AnalysisResult, out: LintOutcome): Promise<void> {
    try {
      out.findings.push(...(await analyseLoading(analyse)).findings);
    } catch (e) {
      out.problems.push({ file, what: 'cannot analyse', why: e instanceof Error ? e.message : String(e) });
    }
  }

  /**
   * One file's findings from what the reader thread made of it (readItem),
   * for the caller to detach: as lintFile's, which it falls back to
   * (reading the file again) when the pruned text's findings need the whole
   * text or the bytes left out.
   */
  async lintRead(file: string, item: ReadItem, out: LintOutcome): Promise<void> {
    const limit = this.settings.maxFileSize;
    switch (item.kind) {
      case 'unread':
        if (item.failure.reason === 'too-large') out.findings.push(...skippedTemplate(file, tooLargeReason(limit)).findings);
        else out.problems.push({ file, what: 'cannot read', why: item.failure.message });
        return;
      case 'binary':
        out.findings.push(...skippedTemplate(file, 'it looks binary').findings);
        return;
      case 'whole':
        return this.report(file, () => this.analyzer.analyze(file, item.text), out);
    }
    let whole = false;
    await this.report(
      file,
      () => {
        const result = this.analysePruned(file, item);
        if (result) return result;
        whole = true;
        return { findings: [], plans: [], dependsOn: [] };
      },
      out,
    );
    if (whole) await this.lintFile(file, out);
  }

  /** The analysis of a pruned text from the reader, unless it needs the whole text or the bytes left out. */
  private analysePruned(file: string, item: { text: string; cuts: Int32Array }): AnalysisResult | undefined {
    const pruned: PrunedText = {
      ...item,
      hidden: () => {
        throw new NeedsBytes();
      },
    };
    try {
      const result = this.analyzer.analyze(file, pruned.text, undefined, pruned);
      return needsWholeText(result.findings, file, pruned) ? undefined : result;
    } catch (e) {
      if (e instanceof NeedsBytes) return undefined;
      throw e;
    }
  }

  /**
   * The analysis of a file's bytes: of its pruned text (prunedText.ts: most
   * of a large template is never decoded) unless what it finds needs the
   * whole text, else of the whole text.
   */
  private analyse(file: string, bytes: Buffer): AnalysisResult {
    const pruned = prunedOf(file, bytes);
    if (pruned) {
      const result = this.analyzer.analyze(file, pruned.text, undefined, pruned);
      if (!needsWholeText(result.findings, file, pruned)) return result;
    }
    return this.analyzer.analyze(file, decodeBytes(bytes).text);
  }
}

/** Files linted between two copies of their findings (detach): a copy costs more per call than per finding. */
const DETACH_FILES = 32;

/**
 * Replaces `out`'s findings from `from` on with copies, and returns where they
 * end: strings sliced from a template's text would keep the whole text alive
 * until the run ends.
 */
export function detach(out: LintOutcome, from: number): number {
  if (from < out.findings.length) {
    const copies = structuredClone(out.findings.slice(from));
    for (let i = 0; i < copies.length; i++) out.findings[from + i] = copies[i];
  }
  return out.findings.length;
}

/** Thrown by a pruned text's `hidden` on the analysing thread, which does not have the bytes. */
class NeedsBytes extends Error {}

/** What the reader thread makes of a file: what lintFile would start its analysis from. */
export type ReadItem =
  | { kind: 'unread'; failure: ReadFailed }
  | { kind: 'binary' }
  | { kind: 'whole'; text: string }
  | { kind: 'pruned'; text: string; cuts: Int32Array };

/** The item of a read that is not analysed: it failed, or its bytes look binary (looksBinary). */
function notAnalysed(bytes: Buffer | ReadFailed): ReadItem {
  return Buffer.isBuffer(bytes) ? { kind: 'binary' } : { kind: 'unread', failure: bytes };
}

/** The lint's pruned text of a template's bytes, when it has one (prunedText.ts). */
function prunedOf(file: string, bytes: Buffer): PrunedText | undefined {
  const kind = prunableKind(file);
  return kind && isUtf8(bytes) ? prunedText(bytes, kind) : undefined;
}

/** readItem's reads, kept between files. */
const readerBuffer = new KeptBuffer();

/** What the reader makes of `file` (see ReadItem). */
export function readItem(file: string, limit: number): ReadItem {
  const bytes = readerBuffer.read(file, limit);
  if (!Buffer.isBuffer(bytes) || looksBinary(bytes)) return notAnalysed(bytes);
  const pruned = prunedOf(file, bytes);
  return pruned ? { kind: 'pruned', text: pruned.text, cuts: pruned.cuts } : { kind: 'whole', text: decodeBytes(bytes).text };
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

const READER_ROLE = 'packer-bake-lint-reader';
/** The most files in one message from the reader. */
const READ_BATCH = 16;
/** A message from the reader is sent once its texts hold this many characters (a template's whole text can be megabytes). */
const READ_BATCH_CHARS = 256 * 1024;
/**
 * What the reader may send ahead of the analysis, in messages and in
 * characters of text (what is read and not yet analysed stays bounded, a
 * message over at most): enough that the analysis does not wait when the
 * reader is slowed for a while (a large file, the other threads).
 */
const READ_AHEAD = 32;
const READ_AHEAD_CHARS = 4 * 1024 * 1024;
/** File names in one message to the reader while the walk goes on. */
const NAME_BATCH = 64;
/**
 * Indexes of the counters the threads share: messages the reader sent and
 * the analysis took, messages of names sent to the reader, characters of
 * text sent and not yet analysed.
 */
const SENT = 0;
const TAKEN = 1;
const NAMED = 2;
const AHEAD_CHARS = 3;

/** The characters of text an item holds (flow control). */
function textLength(item: ReadItem): number {
  return item.kind === 'whole' || item.kind === 'pruned' ? item.text.length : 0;
}

/** A message from the reader: what it made of the next files (readItem), in order. */
type ReadBatch = ReadItem[];

/** A message to the reader: the next files the walk found; `end` with the last. */
interface NameBatch {
  files: string[];
  end: boolean;
}

/**
 * The outcome of linting the files of a walk on two threads, in a pipeline:
 * a worker running `script` (this bundle) reads and prunes each file
 * (readItem), starting with `first` (what the walk found before it began)
 * while this thread walks on, then analyses what the reader sent, in order.
 * Each thread warms up the code of its own part, and the analysis has the
 * walk's listings of every folder, as on one thread. Also returns every file
 * linted, in order. Rejects when the reader fails.
 */
export async function lintPipelined(script: string, first: string[], walk: { next(): string | undefined }, limit: number, local: FileLinter): Promise<{ files: string[]; outcome: LintOutcome }> {
  const names = new MessageChannel();
  const items = new MessageChannel();
  const counters = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
  const reader = new Worker(script, {
    workerData: { role: READER_ROLE, first, limit, names: names.port2, items: items.port2, counters },
    transferList: [names.port2, items.port2],
  });
  // The reader stops after its last message; stopping (or failing) before it means no more will come.
  let stopped: unknown;
  reader.on('error', (e) => (stopped ??= e));
  reader.on('exit', (code) => (stopped ??= new Error(`the lint's reader stopped before the last file (exit code ${code})`)));
  const files = [...first];
  const out: LintOutcome = { findings: [], problems: [] };
  try {
    const post = (end: boolean) => {
      names.port1.postMessage({ files: files.slice(posted), end } satisfies NameBatch);
      posted = files.length;
      Atomics.add(counters, NAMED, 1);
      Atomics.notify(counters, NAMED);
    };
    let posted = files.length;
    for (let file = walk.next(); file !== undefined; file = walk.next()) {
      files.push(file);
      if (files.length - posted === NAME_BATCH) post(false);
    }
    post(true);
    for (let next = 0; next < files.length; ) {
      // The count first: a message sent after it was read is in the port or wakes the wait.
      const sent = Atomics.load(counters, SENT);
      const received = receiveMessageOnPort(items.port1) as { message: ReadBatch } | undefined;
      if (!received) {
        if (stopped) throw stopped;
        // Nothing yet: wait, and now and then let the reader's events (an error, its exit) in.
        if (Atomics.wait(counters, SENT, sent, 50) === 'timed-out') await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      let chars = 0;
      const from = out.findings.length;
      for (const item of received.message) {
        chars += textLength(item);
        await local.lintRead(files[next++], item, out);
      }
      detach(out, from);
      Atomics.sub(counters, AHEAD_CHARS, chars);
      Atomics.add(counters, TAKEN, 1);
      Atomics.notify(counters, TAKEN);
    }
  } finally {
    names.port1.close();
    items.port1.close();
    await reader.terminate();
  }
  return { files, outcome: out };
}

/** True in the reader thread started by lintPipelined. */
export function isLintReader(): boolean {
  return !isMainThread && (workerData as { role?: string } | undefined)?.role === READER_ROLE;
}

/** The reader's loop (see lintPipelined): it ends after the last file. */
export function serveLintReader(): void {
  const { first, limit, names, items, counters } = workerData as { first: string[]; limit: number; names: MessagePort; items: MessagePort; counters: Int32Array };
  const queue = [...first];
  let end = false;
  /** The next file name, waiting for the walk when it has not found it yet. */
  const nextFile = (at: number): string | undefined => {
    while (at >= queue.length && !end) {
      const named = Atomics.load(counters, NAMED);
      const received = receiveMessageOnPort(names) as { message: NameBatch } | undefined;
      if (received) {
        queue.push(...received.message.files);
        end = received.message.end;
      } else Atomics.wait(counters, NAMED, named);
    }
    return queue[at];
  };
  let batch: ReadBatch = [];
  let chars = 0;
  const send = () => {
    items.postMessage(batch);
    batch = [];
    Atomics.add(counters, AHEAD_CHARS, chars);
    chars = 0;
    Atomics.add(counters, SENT, 1);
    Atomics.notify(counters, SENT);
    // Flow control: the analysis counts a message's characters off, then counts it taken and wakes this thread.
    const ahead = () => Atomics.load(counters, SENT) - Atomics.load(counters, TAKEN) >= READ_AHEAD || Atomics.load(counters, AHEAD_CHARS) > READ_AHEAD_CHARS;
    for (let taken = Atomics.load(counters, TAKEN); ahead(); taken = Atomics.load(counters, TAKEN)) Atomics.wait(counters, TAKEN, taken);
  };
  for (let at = 0, file = nextFile(at); file !== undefined; file = nextFile(++at)) {
    const item = readItem(file, limit);
    batch.push(item);
    chars += textLength(item);
    if (batch.length === READ_BATCH || chars >= READ_BATCH_CHARS) send();
  }
  if (batch.length > 0) send();
}
