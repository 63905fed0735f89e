/**
 * The tree-sitter HCL parser's lifecycle: loading the runtime and the grammar,
 * the parser instances, and what a parse may cost. The conversion of a tree
 * into the model lives in `parseHcl.ts`; this module only hands out trees.
 *
 * A repository is hostile input, and tree-sitter-hcl is slow and hungry on
 * some of it (random text: seconds per MB and ~300 bytes of WebAssembly heap
 * per byte; web-tree-sitter's heap never shrinks, and at 2 GB the module
 * aborts, after which every later call on it fails with "Aborted()"). So:
 * - each parse has a time budget proportional to the text (ParseTooSlow);
 * - the runtime is loaded from web-tree-sitter's CommonJS file into a fresh
 *   module scope per instance, with a WebAssembly memory capped at HEAP_LIMIT:
 *   a parse that needs more aborts only its instance, which is replaced by a
 *   spare kept ready, so the next parse works (ParseTooSlow for that text);
 *   an instance whose heap grew past HEAP_RETIRE is replaced the same way, to
 *   give the memory back;
 * - the language server can ask for parses to be deferred instead of run
 *   synchronously (`deferringParses`), then run them in slices of a few
 *   milliseconds with `prepareTree`, yielding to the event loop between
 *   slices, and analyse again: the next `parseTree` of that text takes the
 *   prepared tree.
 */
import type { Language, Parser, Tree } from 'web-tree-sitter';
import type { IncludedRange } from './hclPrune';
import { coveringEdit, forgetEdits, parsedInFull, peekEdits, takeEdits, type Span3 } from './documentEdits';

/** web-tree-sitter's module: Parser, Language... */
export type TreeSitterRuntime = typeof import('web-tree-sitter');

/** The WebAssembly API of Node (this project's TypeScript lib has no DOM types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
const Wasm = (globalThis as unknown as {
  WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => WasmMemory; RuntimeError: abstract new () => Error };
}).WebAssembly;

/**
 * What the parser is made of. The server, the CLI and the tests load it from
 * their own layout (server/src/wasmPaths.ts): this core reads no files.
 */
export interface HclRuntimeSource {
  /**
   * A fresh evaluation of web-tree-sitter's runtime (`tree-sitter.cjs`), once
   * per parser instance: the runtime keeps its WebAssembly module in
   * module-level variables, so only a new evaluation gives a new module.
   */
  freshRuntime(): TreeSitterRuntime;
  /** tree-sitter.wasm */
  wasm: Uint8Array;
  /** tree-sitter-hcl.wasm */
  grammar: Uint8Array;
}

const MiB = 1024 * 1024;
/** The WebAssembly heap one instance may grow to (a valid 2.5 MB HCL2 file needs about 220 MB). */
export const HEAP_LIMIT = 256 * MiB;
/** An instance whose heap grew past this is replaced after the parse, so the memory goes back. */
const HEAP_RETIRE = 64 * MiB;
/** In deferring mode, a parse that takes longer than this is deferred. */
const DEFER_AFTER_MS = 15;
/**
 * In deferring mode, an incremental parse (a kept tree, see `keepTree`) is
 * deferred only after this long: it usually takes a few milliseconds, but on
 * a loaded machine more than DEFER_AFTER_MS, and a deferred parse starts over
 * in full (hundreds of milliseconds per MB).
 */
const DEFER_INCREMENTAL_AFTER_MS = 250;
/** The slices `prepareTree` parses in before it yields. */
const SLICE_MS = 10;

/**
 * tree-sitter-hcl's error recovery is quadratic on some invalid inputs (long
 * runs of string tokens: 40 KB can take seconds, see docs/BENCHMARKS.md), so
 * a parse gets a time budget proportional to the text and is then abandoned.
 * Also thrown when the parser ran out of memory on the text.
 */
export class ParseTooSlow extends Error {}

/**
 * Thrown by `parseTree` in deferring mode for a text that takes longer than a
 * few milliseconds; `prepareTree` it, then analyse again. Not a ParseTooSlow,
 * so no caller mistakes it for a verdict on the file.
 */
export class ParseDeferred extends Error {
  constructor(readonly text: string) {
    super('parse deferred');
  }
}

function budgetMs(text: string): number {
  return 1000 + text.length / 500;
}

class Instance {
  aborted = false;
  private parser: Parser | undefined;

  constructor(
    readonly ts: TreeSitterRuntime,
    readonly language: Language,
    private readonly memory: WasmMemory,
  ) {}

  /** The parser of synchronous parses. */
  get foreground(): Parser {
    this.parser ??= this.newParser();
    return this.parser;
  }

  private rangeParser: Parser | undefined;
  /** The parser of `parseRange` (a parser keeps its included ranges between parses). */
  get ranged(): Parser {
    this.rangeParser ??= this.newParser();
    return this.rangeParser;
  }

  newParser(): Parser {
    const p = new this.ts.Parser();
    p.setLanguage(this.language);
    return p;
  }

  get heapBytes(): number {
    return this.memory.buffer.byteLength;
  }
}

let loader: HclRuntimeSource | undefined;
/** Where the runtime comes from, registered by `lazyHcl` and loaded by `loadHcl` on first need. */
let provider: (() => HclRuntimeSource) | undefined;
/** Keep a spare instance ready at all times (the language server), or create one only when needed (the CLI). */
let keepSpare = true;
/** Parser instances created so far (for tests: a run that never parses HCL2 creates none). */
let instances = 0;
let current: Instance | undefined;
let spare: Instance | undefined;
let spareJob: Promise<void> | undefined;
/** Replacements so far (for tests and logs). */
let generation = 0;

async function createInstance(l: HclRuntimeSource): Promise<Instance> {
  instances++;
  const ts = l.freshRuntime();
  const memory = new Wasm.Memory({ initial: 512, maximum: HEAP_LIMIT / 65536 });
  const holder: { instance?: Instance } = {};
  const options = {
    wasmBinary: l.wasm,
    wasmMemory: memory,
    // Emscripten prints "Aborted()" before throwing; the caller reports the file instead.
    print: () => undefined,
    printErr: () => undefined,
    onAbort: () => {
      if (holder.instance) holder.instance.aborted = true;
    },
  };
  await ts.Parser.init(options as never);
  const language = await ts.Language.load(l.grammar);
  holder.instance = new Instance(ts, language, memory);
  return holder.instance;
}

/** Starts creating a spare instance, unless one is there or on its way (or not wanted yet: `force` when it is needed). */
function refillSpare(force = false): void {
  if (spare || spareJob || !loader) return;
  if (!keepSpare && !force && current) return;
  spareJob = createInstance(loader)
    .then((i) => {
      spare = i;
    })
    .catch(() => undefined)
    .finally(() => {
      spareJob = undefined;
    });
}

/**
 * Puts the spare in place of `instance` (the old one lives on while its trees
 * do). An instance that only grew waits for a spare; one that aborted is
 * dropped at once, and parses wait for the next spare (`hclSettled`).
 */
function replace(instance: Instance): void {
  if (current !== instance || (!spare && !instance.aborted)) return;
  current = spare;
  spare = undefined;
  generation++;
  refillSpare();
}

/**
 * Loads the tree-sitter runtime and the HCL grammar once. `spare: false`
 * (the CLI) creates a spare instance only when one is needed (the current one
 * ran out of memory or grew too large), not ahead of time.
 */
export async function initHcl(source: HclRuntimeSource, options: { spare?: boolean } = {}): Promise<void> {
  if (options.spare === false) keepSpare = false;
  if (current) return;
  loader ??= source;
  current ??= await createInstance(loader);
  refillSpare();
}

/**
 * Thrown by a parse before the parser was loaded, when `lazyHcl` registered
 * where to load it from: `await loadHcl()`, then analyse again. Not a
 * ParseTooSlow, so no caller mistakes it for a verdict on the file.
 */
export class HclNotLoaded extends Error {
  constructor() {
    super('the HCL parser is not loaded yet (await loadHcl())');
  }
}

/**
 * Registers where the parser comes from without loading it: a run that never
 * meets an HCL2 file (legacy JSON only) never pays for the WebAssembly. The
 * first parse throws HclNotLoaded until `loadHcl()` has resolved.
 */
export function lazyHcl(source: () => HclRuntimeSource, options: { spare?: boolean } = {}): void {
  provider ??= source; // the first registration wins, as in initHcl (tests register theirs first)
  if (options.spare === false) keepSpare = false;
}

/** Loads the parser registered by `lazyHcl` (once; later calls resolve at once). */
export async function loadHcl(): Promise<void> {
  if (current || loader) return hclSettled();
  if (!provider) throw new Error('lazyHcl() was not called');
  await initHcl(provider());
}

/** How many parser instances were created in this process (a test hook: none until an HCL2 text is parsed). */
export function hclInstances(): number {
  return instances;
}

export function hclReady(): boolean {
  return current !== undefined;
}

/**
 * Resolves when a parser instance is in place (after a replacement whose
 * spare was not ready yet). Await it between files.
 */
export async function hclSettled(): Promise<void> {
  while (!current && loader) {
    if (spare) {
      current = spare;
      spare = undefined;
      refillSpare();
    } else {
      refillSpare();
      await spareJob;
    }
  }
}

/** How many times an instance was replaced (it ran out of memory, or grew past HEAP_RETIRE). */
export function hclReplacements(): number {
  return generation;
}

/** The instance each tree was parsed on (a tree can only be reused by a parser of its own instance). */
const owners = new WeakMap<Tree, Instance>();

/**
 * Incremental parsing (issue #12 item 3): for the files the caller asked for
 * (`keepTree`: the language server's open HCL2 documents), the tree of the
 * last parse is kept with its text; the next parse of that file finds where
 * the texts differ (common prefix and suffix: one edit covering every change
 * since), applies it with `tree.edit()` and hands the old tree to the parser,
 * which re-parses only what the edit touched. Computing the edit from the two
 * texts rather than from the editor's change events means it cannot disagree
 * with the text being parsed; anything unusual (another parser instance, a
 * cancelled parse) falls back to a full parse.
 */
interface Kept {
  text: string;
  /** The tree of `text`; after `commitEdits`, the tree of an earlier text edited to `text`, not parsed again yet. */
  tree: Tree;
  instance: Instance;
  /** No syntax error in `text` (its parse had none, and neither had the blocks `commitEdits` took). */
  clean: boolean;
}
const keptFiles = new Set<string>();
const kept_ = (file: string | undefined) => file !== undefined && keptFiles.has(file);
/** Deferred texts of kept files (text → file): `prepareTree` parses them from the kept tree too. */
const deferredFiles = new Map<string, string>();
const kept = new Map<string, Kept>();
/**
 * Per kept file, the text its last incremental parse started from and one
 * edit covering what changed since (parseHcl.ts re-walks only the blocks it touches).
 */
const lastEdits = new Map<string, { before: string; edit: Span3 | undefined }>();

/** How the last parse of kept `file` edited its previous tree: from which text, and where. Undefined after a full parse. */
export function lastEdit(file: string): { before: string; edit: Span3 | undefined } | undefined {
  return lastEdits.get(file);
}
/** Incremental parses so far (for tests and the benchmark). */
let incrementalParses = 0;

/** Keeps the tree of `file`'s parses from now on, so each next parse of it is incremental. */
export function keepTree(file: string): void {
  keptFiles.add(file);
}

/** Stops keeping `file`'s tree and frees it (the document was closed). */
export function dropTree(file: string): void {
  keptFiles.delete(file);
  forgetEdits(file);
  lastEdits.delete(file);
  const k = kept.get(file);
  kept.delete(file);
  if (!k) return;
  if (!k.instance.aborted) k.tree.delete();
  // An instance that grew too large was kept for this tree: let it go now.
  if (k.instance === current && !k.instance.aborted && k.instance.heapBytes > HEAP_RETIRE && !holdsKept(k.instance)) {
    refillSpare(true);
    replace(k.instance);
  }
}

/** True while `file`'s trees are kept (an open document of the language server). */
export function isKept(file: string): boolean {
  return keptFiles.has(file);
}

/** How many parses reused a kept tree (a test and benchmark hook). */
export function hclIncrementalParses(): number {
  return incrementalParses;
}

function holdsKept(instance: Instance): boolean {
  for (const k of kept.values()) if (k.instance === instance) return true;
  return false;
}

/** Keeps a copy of `tree` as `file`'s, replacing (and freeing) the one before. */
function keep(file: string | undefined, text: string, tree: Tree): void {
  if (file === undefined || !keptFiles.has(file)) return;
  const instance = owners.get(tree);
  const before = kept.get(file);
  if (before && !before.instance.aborted) before.tree.delete();
  kept.delete(file);
  if (!instance || instance.aborted) return;
  parsedInFull(file, text);
  const copy = tree.copy();
  owners.set(copy, instance);
  kept.set(file, { text, tree: copy, instance, clean: !tree.rootNode.hasError });
}

/**
 * For a keystroke inside one top-level block of an open document without
 * syntax errors (parseHcl.ts's fast path): the edit since its kept text, not
 * taken yet, when the client's edits are known and the kept tree is usable.
 */
export function pendingEdit(file: string, text: string): { before: string; edit: Span3 } | undefined {
  const k = kept.get(file);
  if (!k?.clean || k.instance !== current || k.instance.aborted) return undefined;
  const edits = peekEdits(file, k.text, text);
  const edit = edits && coveringEdit(edits, k.text.length);
  return edit && { before: k.text, edit };
}

/**
 * Takes the pending edits of `file` into its kept tree without parsing
 * (after parseHcl.ts parsed the one block they changed on its own, without
 * errors): the next parse of the document re-parses from that tree.
 */
export function commitEdits(file: string, text: string): void {
  const k = kept.get(file)!;
  for (const e of takeEdits(file, k.text, text) ?? []) k.tree.edit(e);
  k.text = text;
}

/**
 * The tree of `[start, end)` of `text` parsed on its own (tree-sitter's
 * included ranges: indices are those of the whole text; rows and columns
 * count from the start of the range, which nothing here reads). The caller
 * deletes it. Undefined when the parser is not there or gives up.
 */
export function parseRange(text: string, start: number, end: number): Tree | undefined {
  const instance = current;
  if (!instance || instance.aborted) return undefined;
  const slice = text.slice(start, end);
  const lastBreak = slice.lastIndexOf('\n');
  let rows = 0;
  for (let i = slice.indexOf('\n'); i !== -1; i = slice.indexOf('\n', i + 1)) rows++;
  const range = { startIndex: start, endIndex: end, startPosition: { row: 0, column: 0 }, endPosition: { row: rows, column: slice.length - lastBreak - 1 } };
  const deadline = Date.now() + budgetMs(slice);
  const progressCallback = (() => Date.now() > deadline) as unknown as () => void;
  try {
    const tree = guarded(instance, () => instance.ranged.parse(text, null, { includedRanges: [range], progressCallback }));
    if (!tree) instance.ranged.reset();
    return tree ?? undefined;
  } catch (e) {
    if (e instanceof ParseTooSlow) return undefined;
    throw e;
  }
}

/**
 * The kept tree of `file`, edited to `text`, when there is one for `instance`
 * (taken out of the map: the caller parses with it, then deletes it).
 */
function editedTree(file: string | undefined, text: string, instance: Instance): Tree | null {
  if (file === undefined) return null;
  const k = kept.get(file);
  if (!k) return null;
  kept.delete(file);
  if (k.instance !== instance || instance.aborted) {
    if (!k.instance.aborted) k.tree.delete();
    return null;
  }
  const old = k.text;
  const edits = takeEdits(file, old, text);
  if (edits) {
    // The client's own changes (documentEdits.ts): no comparison of the texts.
    for (const e of edits) k.tree.edit(e);
    lastEdits.set(file, { before: old, edit: coveringEdit(edits, old.length) });
    return k.tree;
  }
  const max = Math.min(old.length, text.length);
  let start = 0;
  while (start < max && old.charCodeAt(start) === text.charCodeAt(start)) start++;
  let suffix = 0;
  while (suffix < max - start && old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
  // tree-sitter's positions (rows, and columns in UTF-16 code units, like its indices here).
  const point = (t: string, offset: number) => {
    let row = 0;
    let lineStart = 0;
    for (let i = t.indexOf('\n'); i !== -1 && i < offset; i = t.indexOf('\n', i + 1)) {
      row++;
      lineStart = i + 1;
    }
    return { row, column: offset - lineStart };
  };
  const startPosition = point(old, start);
  // Rows after the start: count only within the changed stretch of each text.
  const endPoint = (t: string, end: number) => {
    const tail = point(t.slice(start, end), end - start);
    return tail.row === 0 ? { row: startPosition.row, column: startPosition.column + tail.column } : { row: startPosition.row + tail.row, column: tail.column };
  };
  const edit = {
    startIndex: start,
    oldEndIndex: old.length - suffix,
    newEndIndex: text.length - suffix,
    startPosition,
    oldEndPosition: endPoint(old, old.length - suffix),
    newEndPosition: endPoint(text, text.length - suffix),
  };
  k.tree.edit(edit);
  lastEdits.set(file, { before: old, edit });
  return k.tree;
}

/** Texts prepared by `prepareTree`: the tree, or why there is none. */
const prepared = new Map<string, Tree | ParseTooSlow>();
const MAX_PREPARED = 16;
/** The texts deferred in the current deferring call, if any. */
let deferring: string[] | undefined;

/**
 * Texts the parser gave up on, by length and hash: a pathological sibling is
 * read by every template of its folder, and must cost its budget once, not
 * once per template.
 */
const failed = new Map<number, Map<number, ParseTooSlow>>();
const MAX_FAILED = 256;
let failedCount = 0;

/** FNV-1a over the UTF-16 code units. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function failedBefore(text: string): ParseTooSlow | undefined {
  return failed.get(text.length)?.get(hash(text));
}

function remember(text: string, e: ParseTooSlow): ParseTooSlow {
  if (failedCount >= MAX_FAILED) {
    failed.clear();
    failedCount = 0;
  }
  const byHash = failed.get(text.length) ?? new Map<number, ParseTooSlow>();
  byHash.set(hash(text), e);
  failed.set(text.length, byHash);
  failedCount++;
  return e;
}

function outOfMemory(): ParseTooSlow {
  return new ParseTooSlow(`the HCL parser needs more than ${HEAP_LIMIT / MiB} MB of memory for it`);
}

/**
 * Runs a parse on `instance`, turning an abort (memory) into ParseTooSlow and
 * replacing the instance. `retire` false: the tree will be kept, so the
 * instance stays even if it grew large (the next parse of that document needs it).
 */
function guarded<T>(instance: Instance, parse: () => T, retire = true): T {
  try {
    return parse();
  } catch (e) {
    if (!instance.aborted && !(e instanceof Wasm.RuntimeError)) throw e;
    instance.aborted = true;
    replace(instance);
    throw outOfMemory();
  } finally {
    // Not while it holds a kept tree: the next parse of that document would have to start over on the new one.
    if (retire && !instance.aborted && instance.heapBytes > HEAP_RETIRE && !holdsKept(instance)) {
      refillSpare(true);
      replace(instance);
    }
  }
}

/**
 * The syntax tree of `text`; the caller deletes it. Throws ParseTooSlow when
 * the budget runs out. `file`, when given and kept (`keepTree`), parses
 * incrementally from that file's last tree.
 */
export function parseTree(text: string, file?: string, includedRanges?: IncludedRange[]): Tree {
  if (file !== undefined) lastEdits.delete(file);
  const ready = prepared.get(text);
  if (ready) {
    prepared.delete(text);
    if (ready instanceof ParseTooSlow) throw ready;
    keep(file, text, ready);
    return ready;
  }
  const known = failed.size > 0 ? failedBefore(text) : undefined;
  if (known) throw known;
  if (!current && spare) void hclSettled();
  const instance = current;
  if (!instance) {
    if (!loader) {
      if (provider) throw new HclNotLoaded();
      throw new Error('initHcl() has not completed');
    }
    if (deferring) {
      deferring.push(text);
      throw new ParseDeferred(text);
    }
    throw new ParseTooSlow('the HCL parser is being reloaded after running out of memory');
  }
  const parser = instance.foreground;
  const defer = deferring !== undefined;
  const oldTree = editedTree(file, text, instance);
  const deadline = Date.now() + (defer ? (oldTree ? DEFER_INCREMENTAL_AFTER_MS : DEFER_AFTER_MS) : budgetMs(text));
  // The callback returns true to cancel (the .d.ts declares void).
  const progressCallback = (() => Date.now() > deadline) as unknown as () => void;
  let tree: Tree | null;
  try {
    tree = guarded(instance, () => parser.parse(text, oldTree, { progressCallback, ...(includedRanges ? { includedRanges } : {}) }), !kept_(file));
  } catch (e) {
    throw e instanceof ParseTooSlow ? remember(text, e) : e;
  } finally {
    if (oldTree && !instance.aborted) oldTree.delete();
  }
  if (tree) {
    if (oldTree) incrementalParses++;
    owners.set(tree, instance);
    keep(file, text, tree);
    return tree;
  }
  parser.reset();
  if (defer) {
    if (file !== undefined && keptFiles.has(file)) deferredFiles.set(text, file);
    deferring!.push(text);
    throw new ParseDeferred(text);
  }
  throw remember(text, new ParseTooSlow(`parsing took longer than ${Math.round(budgetMs(text))} ms`));
}

/**
 * Runs `fn` with parses that take more than a few milliseconds deferred
 * (ParseDeferred, possibly swallowed by the caller's code on the way out).
 * Returns what it returned or threw, and the deferred texts: `prepareTree`
 * each, then run it again.
 */
export function deferringParses<T>(fn: () => T): { deferred: string[]; value?: T; error?: unknown } {
  const outer = deferring;
  const mine: string[] = [];
  deferring = mine;
  try {
    return { deferred: mine, value: fn() };
  } catch (error) {
    return { deferred: mine, error };
  } finally {
    deferring = outer;
  }
}

/**
 * Parses `text` in slices of a few milliseconds, awaiting `pause()` between
 * them, so the event loop keeps serving; the next `parseTree(text)` takes the
 * tree (or the ParseTooSlow). The same time budget as a synchronous parse.
 */
export async function prepareTree(text: string, pause: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve))): Promise<void> {
  if (prepared.has(text)) return;
  const known = failed.size > 0 ? failedBefore(text) : undefined;
  if (known) {
    prepared.set(text, known);
    return;
  }
  await hclSettled();
  const instance = current;
  if (!instance) return;
  const budget = budgetMs(text);
  const parser = instance.newParser();
  const file = deferredFiles.get(text);
  deferredFiles.delete(text);
  const oldTree = editedTree(file, text, instance);
  let spent = 0;
  let result: Tree | ParseTooSlow;
  try {
    for (;;) {
      const start = Date.now();
      const sliceEnd = start + Math.min(SLICE_MS, budget - spent);
      const progressCallback = (() => Date.now() > sliceEnd) as unknown as () => void;
      // Called again with the same text, a cancelled parse resumes where it stopped.
      const tree = guarded(instance, () => parser.parse(text, oldTree, { progressCallback }), !kept_(file));
      spent += Date.now() - start;
      if (tree) {
        owners.set(tree, instance);
        result = tree;
        break;
      }
      if (spent >= budget) {
        result = new ParseTooSlow(`parsing took longer than ${Math.round(budget)} ms`);
        break;
      }
      await pause();
      if (instance.aborted) {
        result = outOfMemory();
        break;
      }
    }
  } catch (e) {
    if (!(e instanceof ParseTooSlow)) throw e;
    result = e;
  } finally {
    if (!instance.aborted) {
      parser.delete();
      oldTree?.delete();
    }
  }
  if (result instanceof ParseTooSlow) remember(text, result);
  else keep(file, text, result);
  if (prepared.size >= MAX_PREPARED) {
    const [oldest, t] = prepared.entries().next().value!;
    prepared.delete(oldest);
    if (!(t instanceof ParseTooSlow)) t.delete();
  }
  prepared.set(text, result);
}
