/**
 * Every template the server knows (open documents and files found in the
 * workspace folders), its analysis, and the diagnostics it contributes to
 * each file. One analysis per document version and settings generation:
 * diagnostics, code actions and the custom requests all read the same entry.
 *
 * A keystroke costs its own document plus its real dependants: templates
 * that read the changed file (an ansible.cfg, a var file: a reverse index of
 * what each analysis read), and the HCL2 templates of its folder only when
 * what they read from it (variables, locals, sources, required_plugins: a
 * digest of that interface) changed. Nothing per keystroke walks the whole
 * workspace.
 *
 * Every file read for an analysis is read bounded (boundedRead.ts), and kept
 * between analyses only while a file watcher reports its changes: the static
 * patterns inside the workspace folders, or a watcher registered for it
 * (`IndexOptions.watchFiles`). Fixes are checked against the current text of
 * the files they edit (`verifiedEntry`, `currentText`) and against the
 * workspace folders (`containmentRefusal`, `editRefusal`).
 */
import { statSync, type Stats } from 'fs';
import * as path from 'path';
import type { Diagnostic, DiagnosticRelatedInformation, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { Analyzer, type AnalysisHost, type AnalysisResult, type Finding, type Template } from './analysis';
import { deferringParses, dropTree, keepTree, prepareTree } from './analysis/hclParser';
import { readBounded, readTextSync } from './boundedRead';
import { analysisName, isFileKey, keyOfUri, uriOfKey } from './documentKeys';
import { mergeDiagnostics, toDiagnostic } from './diagnostics';
import { MAX_LISTING, listDirBounded, skippedTemplate, tooLargeReason } from './diskHost';
import { EditScope } from './editScope';
import { analysisSettings, type SettingsStore } from './settings';
import { DEFAULT_MAX_FILE_SIZE, type PackerBakeSettings } from './shared/settings';
import { withoutBom } from './textBytes';
import { MAX_CANDIDATES, inSkippedDir, isCandidateName, scanFolder } from './workspaceScan';

/** Delay between the last keystroke and the analysis of a changed document. */
export const DEBOUNCE_MS = 150;

/** Files watched besides the static patterns, at most (one watcher each). */
export const MAX_EXTRA_WATCHES = 1000;

/** Analyses of one version, at most, that defer a parse to run it in slices (then one synchronous one). */
const MAX_DEFERRALS = 8;

export interface Entry {
  key: string;
  /** The file name the analysis core saw (differs from the key only for untitled documents). */
  name: string;
  /** `open:<version>` or `disk:<change counter>`: what the analysis was computed from. */
  stamp: string;
  generation: number;
  settings: PackerBakeSettings;
  result: AnalysisResult;
  /** Diagnostics per target key (the template itself, an ansible.cfg...); empty when disabled. */
  diagnostics: Map<string, Diagnostic[]>;
  /**
   * What the analysis read through its host of the files its fixes edit, by
   * file name: the text, or undefined when absent or not read. A fix is only
   * offered while these files still hold these texts.
   */
  inputs: Map<string, string | undefined>;
  /** The text analysed (a template's or a container file's); undefined when skipped. */
  text?: string;
}

export interface IndexOptions {
  documents: TextDocuments<TextDocument>;
  settings: SettingsStore;
  publish(uri: string, diagnostics: Diagnostic[]): void;
  log(message: string): void;
  /**
   * Keep what the analysis read from disk (ansible.cfg files, sibling
   * templates, folder listings) until a watched-file event says it changed.
   * Only when the client sends those events; otherwise every analysis reads again.
   */
  cacheDiskReads?: boolean;
  /**
   * Asks the client to watch these files too (besides the static patterns),
   * replacing the previous list; resolves true once it does. Without it, files
   * outside the static patterns are never kept between analyses.
   */
  watchFiles?(files: string[]): Promise<boolean>;
}

type Source = { text: string; languageId?: string; document?: TextDocument } | { skipped: string };

const EMPTY: AnalysisResult = { findings: [], plans: [], dependsOn: [] };
/** The analysis was computed from a version that is gone: compute it again. */
const MOVED = Symbol('moved');

/** HCL2 names Packer loads as one folder: a change to one can change what the others read. */
function isSiblingName(file: string): boolean {
  return /\.pkr\.(hcl|json)$/i.test(file);
}

/** Names the static watch patterns cover (`WATCH_PATTERNS`). */
function staticPatternName(file: string): boolean {
  return /\.(json|pkr\.hcl|pkrvars\.hcl)$/i.test(file) || path.basename(file) === 'ansible.cfg';
}

/**
 * What the other HCL2 files of a folder read from a template: its variables,
 * locals, sources and required_plugins, with the places they are written
 * (findings and fixes of the others may point there).
 */
function interfaceDigest(t: Template | undefined): string {
  if (!t || t.format === 'json') return '';
  return JSON.stringify([[...t.variables], [...t.locals], t.builders, t.requiredPlugins]);
}

export class WorkspaceIndex {
  readonly analyzer: Analyzer;
  /** Workspace folder path → URI. */
  private readonly folders = new Map<string, string>();
  private scope = EditScope.of([]);
  /** Candidate template files found on disk inside the folders. */
  private readonly diskFiles = new Set<string>();
  private readonly diskVersions = new Map<string, number>();
  /** Open documents: key → URI as the client sent it. */
  private readonly openUris = new Map<string, string>();
  private readonly justOpened = new Set<string>();
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, { stamp: string; generation: number; entry: Promise<Entry | undefined> }>();
  /** Target key → template key → the diagnostics that template contributes to it. */
  private readonly contributions = new Map<string, Map<string, Diagnostic[]>>();
  /** Template key → target keys it contributed to at the last publish. */
  private readonly targets = new Map<string, Set<string>>();
  /** Analysis names that are not keys (untitled documents) → key. */
  private readonly names = new Map<string, string>();
  private readonly tokens = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private scans: Promise<void> = Promise.resolve();
  /**
   * File → templates whose last analysis read it (or depends on it), but for
   * the HCL2 files of a template's own folder, which `hclInDir` and the
   * interface digests cover.
   */
  private readonly dependents = new Map<string, Set<string>>();
  /** Template key → the files it is listed under in `dependents`. */
  private readonly dependencies = new Map<string, Set<string>>();
  /** Folder → HCL2 templates in it (they read each other). */
  private readonly hclInDir = new Map<string, Set<string>>();
  /** Template key → digest of what its HCL2 siblings read from it. */
  private readonly interfaces = new Map<string, string>();
  /** The size guard of host reads: the limit of the analysis running now. */
  private maxFileSize = DEFAULT_MAX_FILE_SIZE;
  /** The files the analysis running now read, and what it got. */
  private reads: Map<string, string | undefined> | undefined;
  /** Disk reads and folder listings of the analysis host, kept until the file (or something in the folder) changes. */
  private readonly diskReads = new Map<string, { text: string | undefined; limit: number }>();
  private readonly listings = new Map<string, string[] | undefined>();
  /** Listings of folders no watcher reports on, kept while the folder's modification time says they hold. */
  private readonly unwatchedListings = new StatListings();
  /** The analysis host's `folderVersion`: counts of changes on disk (any folder) and of texts changed per folder. */
  private diskEpoch = 0;
  private readonly folderEdits = new Map<string, number>();
  /** Files watched through `watchFiles` (the client confirmed), and the timer of the next update. */
  private watched = new Set<string>();
  private watchTimer: NodeJS.Timeout | undefined;
  private readonly refusals = new Map<string, string | undefined>();
  /** Analyses of open documents running now: background work waits for them. */
  private foreground = 0;
  private running = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly options: IndexOptions) {
    const host: AnalysisHost = {
      readFile: (file) => {
        const text = this.readForAnalysis(file);
        this.reads?.set(file, text);
        return text;
      },
      listDir: (dir) => {
        if (this.listings.has(dir)) return this.listings.get(dir);
        if (!this.cacheable(dir, true)) return this.unwatchedListings.list(dir);
        const names = listDirBounded(dir);
        this.listings.set(dir, names);
        return names;
      },
      // Only for folders whose files are kept between analyses (watched): then every change reaches `textChanged` or `fileChanged`.
      folderVersion: (dir) => (this.cacheable(dir, true) ? `${this.diskEpoch}.${this.folderEdits.get(dir) ?? 0}.${this.maxFileSize}` : undefined),
    };
    this.analyzer = new Analyzer(host);
  }

  // ---- workspace folders ------------------------------------------------

  /** Adds workspace folders and scans them; resolves when the scan is done. */
  addFolders(uris: string[]): Promise<void> {
    const added: string[] = [];
    for (const uri of uris) {
      const key = keyOfUri(uri);
      if (!key || !isFileKey(key) || this.folders.has(key)) continue;
      this.folders.set(key, uri);
      added.push(key);
    }
    this.foldersChanged();
    this.scans = this.scans
      .then(async () => {
        for (const root of added) if (this.folders.has(root)) await this.scan(root);
      })
      .catch((e) => this.options.log(`scanning the workspace failed: ${errorText(e)}`));
    return this.scans;
  }

  removeFolders(uris: string[]): void {
    for (const uri of uris) {
      const root = keyOfUri(uri);
      if (root) this.folders.delete(root);
    }
    this.foldersChanged();
    for (const file of [...this.diskFiles]) {
      if (this.folderOf(file) !== undefined) continue;
      this.diskFiles.delete(file);
      if (!this.openUris.has(file)) this.drop(file);
    }
  }

  private foldersChanged(): void {
    this.scope = EditScope.of(this.folders.keys());
    this.refusals.clear();
  }

  /** Resolves when every scan started so far has finished. */
  scanned(): Promise<void> {
    return this.scans;
  }

  private async scan(root: string): Promise<void> {
    const limit = () => this.options.log(`stopped scanning ${root} after too many candidate files; open a template to analyse it`);
    const cut = (dir: string) => this.options.log(`${dir} has more than ${MAX_LISTING.toLocaleString('en-US')} entries: the templates among the first ${MAX_LISTING.toLocaleString('en-US')} are analysed`);
    for await (const { file } of scanFolder(root, limit, MAX_CANDIDATES, cut)) {
      if (!this.folders.has(root)) return;
      this.diskFiles.add(file);
      if (this.openUris.has(file)) continue;
      await this.refresh(file);
    }
  }

  /** The workspace folder containing `file` (the deepest one), if any. */
  private folderOf(file: string): string | undefined {
    let best: string | undefined;
    for (const root of this.folders.keys()) {
      if ((file === root || file.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) && (!best || root.length > best.length)) best = root;
    }
    return best;
  }

  // ---- documents and files ------------------------------------------------

  opened(doc: TextDocument): void {
    const key = keyOfUri(doc.uri);
    if (!key) return;
    this.openUris.set(key, doc.uri);
    this.justOpened.add(key);
    // Its HCL2 syntax tree is kept while it is open, so each keystroke re-parses only what changed.
    keepTree(analysisName(key, doc.languageId));
    this.schedule(key, 0);
    this.textChanged(key, DEBOUNCE_MS);
  }

  /** `elapsed`: how long ago the change arrived (its update took that long): the debounce counts from its arrival. */
  changed(doc: TextDocument, elapsed = 0): void {
    const key = keyOfUri(doc.uri);
    if (!key || !this.openUris.has(key)) return;
    this.schedule(key, this.justOpened.delete(key) ? 0 : Math.max(0, DEBOUNCE_MS - elapsed));
    this.textChanged(key, DEBOUNCE_MS);
  }

  closed(doc: TextDocument): void {
    const key = keyOfUri(doc.uri);
    if (!key) return;
    this.openUris.delete(key);
    this.justOpened.delete(key);
    dropTree(analysisName(key, doc.languageId));
    if (this.diskFiles.has(key)) this.schedule(key, 0);
    else this.drop(key);
    this.textChanged(key, 0);
  }

  /** A `workspace/didChangeWatchedFiles` event (created, changed, or deleted). */
  fileChanged(uri: string, kind: 'created' | 'changed' | 'deleted'): void {
    const file = keyOfUri(uri);
    if (!file || !isFileKey(file)) return;
    this.analyzer.invalidate(file);
    this.forgetDiskReads(file);
    this.refusals.clear();
    this.diskVersions.set(file, (this.diskVersions.get(file) ?? 0) + 1);
    if (kind === 'deleted') {
      const known = this.diskFiles.has(file) || this.cache.has(file);
      for (const key of known ? [file] : [...this.diskFiles, ...this.cache.keys()].filter((k) => k.startsWith(file + path.sep))) {
        this.diskFiles.delete(key);
        if (!this.openUris.has(key)) this.drop(key);
      }
    } else if (isCandidateName(file)) {
      const root = this.folderOf(file);
      if (root !== undefined && !inSkippedDir(root, file)) {
        this.diskFiles.add(file);
        if (!this.openUris.has(file)) this.schedule(file, 0);
      }
    }
    if (kind !== 'changed' && /\.(pkr\.hcl|pkr\.json|pkrvars\.hcl)$/i.test(file)) {
      // The folder's listing changed: its HCL2 templates read another set of files now.
      this.invalidate(this.hclInDir.get(path.dirname(file)) ?? [], file, 0);
    }
    if (this.openUris.has(file)) return; // the editor's text is what the analysis reads
    this.textChanged(file, 0, kind === 'deleted');
  }

  /**
   * The text of `file` changed (typed, opened, closed, written on disk): the
   * templates that really depend on it are analysed again. An HCL2 template's
   * siblings are not among them here: they wait for its new analysis, and only
   * if its interface changed (`record`).
   */
  private textChanged(file: string, delay: number, prefix = false): void {
    const dir = path.dirname(file);
    this.folderEdits.set(dir, (this.folderEdits.get(dir) ?? 0) + 1);
    const keys = new Set(this.dependents.get(file) ?? []);
    if (prefix) for (const [f, ks] of this.dependents) if (f.startsWith(file + path.sep)) for (const k of ks) keys.add(k);
    const template = this.diskFiles.has(file) || this.openUris.has(file) || this.cache.has(file);
    // An HCL2 file the server does not follow as a template is still read by its folder's templates.
    if (!template && isSiblingName(file)) for (const k of this.hclInDir.get(path.dirname(file)) ?? []) keys.add(k);
    // Templates whose findings point into this file: their ranges there are the old text's.
    for (const k of this.contributions.get(file)?.keys() ?? []) keys.add(k);
    this.invalidate(keys, file, delay);
  }

  private invalidate(keys: Iterable<string>, except: string, delay: number): void {
    for (const key of keys) {
      if (key === except) continue;
      this.cache.delete(key);
      this.schedule(key, delay);
    }
  }

  /**
   * Settings changed: analyse everything again, open documents at once and
   * workspace files one after the other (so a large workspace does not read
   * all its files at the same time).
   */
  revalidateAll(): void {
    this.cache.clear();
    for (const key of this.openUris.keys()) this.schedule(key, 0);
    const pass = this.scans.then(async () => {
      for (const key of [...this.diskFiles]) if (this.diskFiles.has(key) && !this.openUris.has(key)) await this.refresh(key);
    });
    this.scans = pass.catch((e) => this.options.log(`revalidating the workspace failed: ${errorText(e)}`));
  }

  // ---- reads ------------------------------------------------------------------

  /** True when a watcher reports changes of `file`, so a read of it may be kept. */
  private cacheable(file: string, folder = false): boolean {
    if (!this.options.cacheDiskReads) return false;
    if (this.watched.has(file)) return true;
    const root = this.folderOf(file);
    if (root === undefined) return false;
    if (folder) return !inSkippedDir(root, path.join(file, 'x'));
    return !inSkippedDir(root, file) && staticPatternName(file);
  }

  /** The analysis host's reads: open documents first, then disk, bounded, never a file that looks binary. */
  private readForAnalysis(file: string): string | undefined {
    const doc = this.openDocument(file);
    if (doc) return doc.getText();
    const cacheable = this.cacheable(file);
    const known = cacheable ? this.diskReads.get(file) : undefined;
    if (known && known.limit === this.maxFileSize) return known.text;
    const r = readTextSync(file, this.maxFileSize);
    const text = r.ok && !r.binary ? analysisText(file, r.text) : undefined;
    if (cacheable) this.diskReads.set(file, { text, limit: this.maxFileSize });
    return text;
  }

  /** A file (or folder) changed on disk: forget what was read of it and the listing of its folder. */
  private forgetDiskReads(file: string): void {
    this.diskEpoch++;
    this.listings.delete(path.dirname(file));
    for (const map of [this.diskReads, this.listings] as Map<string, unknown>[]) {
      map.delete(file);
      if (!path.extname(file)) for (const key of map.keys()) if (key.startsWith(file + path.sep)) map.delete(key);
    }
  }

  /**
   * The text a fix must find in `key` now: the open document's (with its
   * version), else the file's on disk, read afresh (bounded, BOM dropped as
   * VS Code shows it; `utf8` false when VS Code would not keep its bytes).
   */
  currentText(key: string): { text: string; version: number | null; utf8: boolean } | undefined {
    const doc = this.openDocument(key);
    if (doc) return { text: doc.getText(), version: doc.version, utf8: true };
    if (!isFileKey(key)) return undefined;
    const r = readTextSync(key, this.maxFileSize);
    return r.ok && !r.binary ? { text: withoutBom(r.text), version: null, utf8: r.utf8 } : undefined;
  }

  /** An analysis host that reads open documents, else the disk afresh, bounded (for Fix All). */
  freshHost(limit: number): AnalysisHost {
    return {
      readFile: (file) => {
        const doc = this.openDocument(file);
        if (doc) return doc.getText();
        const r = readTextSync(file, limit);
        return r.ok && !r.binary ? analysisText(file, r.text) : undefined;
      },
      listDir: listDirBounded,
    };
  }

  // ---- what may be edited --------------------------------------------------

  /**
   * Why a fix may not edit `key`, or undefined: only files inside the
   * workspace folders (EditScope); in a window without folders, only the
   * documents open in it. Unsaved documents may always be edited.
   */
  containmentRefusal(key: string): string | undefined {
    if (!isFileKey(key)) return undefined;
    if (this.folders.size === 0) return this.openUris.has(key) ? undefined : 'it is not open, and no workspace folder is';
    if (!this.refusals.has(key)) this.refusals.set(key, this.scope.refusal(key));
    return this.refusals.get(key);
  }

  /** The same, plus: a file on disk VS Code would change bytes of when saving (not valid UTF-8), cannot read, or is marked read-only. */
  editRefusal(key: string): string | undefined {
    const refused = this.containmentRefusal(key);
    if (refused || this.openDocument(key) || !isFileKey(key)) return refused;
    const r = readTextSync(key, this.maxFileSize);
    if (!r.ok) return r.message;
    if (r.binary || !r.utf8) return 'it is not valid UTF-8, and saving it would replace its invalid bytes';
    if (isReadOnly(key)) return 'it is read-only';
    return undefined;
  }

  // ---- analysis -------------------------------------------------------------

  /** The open document with this key, if any. */
  openDocument(key: string): TextDocument | undefined {
    const uri = this.openUris.get(key);
    return uri === undefined ? undefined : this.options.documents.get(uri);
  }

  /** Keys of every template source the server follows (open documents and workspace files). */
  knownKeys(): string[] {
    return [...new Set([...this.openUris.keys(), ...this.diskFiles])].sort();
  }

  /** True when the server follows `key` (an open document or a workspace file). */
  follows(key: string): boolean {
    return this.openUris.has(key) || this.diskFiles.has(key);
  }

  /** The URI to publish a key's diagnostics on: the client's own URI for open documents. */
  uriOf(key: string): string {
    return this.openUris.get(key) ?? uriOfKey(key);
  }

  /** The key of a file name from a finding or an edit. */
  keyOfName(name: string): string {
    return this.names.get(name) ?? name;
  }

  /**
   * The analysis of a document's current version (open text, else disk),
   * computed once per version and settings generation. Undefined when there
   * is nothing to read. `track: false` leaves the caches alone (for one-off
   * requests about files the server does not follow).
   */
  async entry(key: string, track = true): Promise<Entry | undefined> {
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= 2;
      const generation = this.options.settings.generation;
      const settings = await this.options.settings.get(this.scopeOf(key));
      const stamp = this.stamp(key);
      const cached = this.cache.get(key);
      if (cached && cached.stamp === stamp && cached.generation === generation) return cached;
      const pending = this.inflight.get(key);
      if (pending && pending.stamp === stamp && pending.generation === generation) return pending.entry;
      const computing = this.compute(key, settings, stamp, generation, last, track);
      this.inflight.set(key, { stamp, generation, entry: computing.then((e) => (e === MOVED ? undefined : e)) });
      const entry = await computing.finally(() => {
        if (this.inflight.get(key)?.stamp === stamp) this.inflight.delete(key);
      });
      if (entry !== MOVED) return entry;
    }
  }

  private async compute(key: string, settings: PackerBakeSettings, stamp: string, generation: number, last: boolean, track: boolean): Promise<Entry | undefined | typeof MOVED> {
    const moved = () => !last && (generation !== this.options.settings.generation || stamp !== this.stamp(key));
    const source = await this.read(key, settings);
    // The document or the settings moved on while reading: read again.
    if (moved()) return MOVED;
    if (!source) return undefined;
    const analysed = await this.analyse(key, source, settings, stamp, generation, moved);
    if (analysed === MOVED) return MOVED;
    if (track) this.record(analysed.entry, analysed.reads);
    return analysed.entry;
  }

  private async analyse(
    key: string,
    source: Source,
    settings: PackerBakeSettings,
    stamp: string,
    generation: number,
    moved: () => boolean,
  ): Promise<{ entry: Entry; reads: Iterable<string> } | typeof MOVED> {
    const name = 'text' in source ? analysisName(key, source.languageId) : key;
    if (name !== key) this.names.set(name, key);
    let result: AnalysisResult = EMPTY;
    let reads = new Map<string, string | undefined>();
    if ('skipped' in source) {
      result = skippedTemplate(key, source.skipped);
    } else {
      const background = !this.openUris.has(key);
      for (let attempt = 0; ; attempt++) {
        reads = new Map<string, string | undefined>();
        // Configured right before the synchronous analysis: another one may have run while this one waited.
        this.analyzer.configure(analysisSettings(settings, { folder: isFileKey(key) ? this.folderOf(key) : undefined, roots: [...this.folders.keys()] }));
        this.maxFileSize = settings.maxFileSize;
        this.reads = reads;
        const run = () => this.analyzer.analyze(name, source.text, source.document);
        let r: { deferred: string[]; value?: AnalysisResult; error?: unknown };
        try {
          r = attempt < MAX_DEFERRALS ? deferringParses(run) : { deferred: [], ...outcome(run) };
        } finally {
          this.reads = undefined;
        }
        if (r.deferred.length === 0) {
          if (r.error !== undefined) this.options.log(`analysis of ${key} failed: ${errorText(r.error)}`);
          else result = r.value!;
          break;
        }
        // Parse what took long in slices, letting the event loop (and open documents) in between, then analyse again.
        for (const text of r.deferred) {
          for (const [file, read] of reads) if (read === text) this.analyzer.invalidate(file);
          await prepareTree(text, background ? () => this.backgroundPause() : undefined);
        }
        if (moved()) return MOVED;
      }
    }
    const diagnostics = new Map<string, Diagnostic[]>();
    if (settings.enable) {
      for (const f of result.findings) {
        const target = this.keyOfName(f.file);
        const list = diagnostics.get(target) ?? [];
        const d = toDiagnostic(f, this.openDocument(target)?.version ?? null);
        const withheld = this.withheldInfo(f);
        if (withheld) d.relatedInformation = [withheld];
        list.push(d);
        diagnostics.set(target, list);
      }
    }
    const inputs = new Map<string, string | undefined>();
    for (const f of result.findings) for (const fix of f.fixes) for (const e of fix.edits) if (reads.has(e.file)) inputs.set(e.file, reads.get(e.file));
    return { entry: { key, name, stamp, generation, settings, result, diagnostics, inputs, text: 'text' in source ? source.text : undefined }, reads: reads.keys() };
  }

  /** Where and why a finding's preferred fix may not be applied (for the diagnostic), if so. */
  private withheldInfo(f: Finding): DiagnosticRelatedInformation | undefined {
    const fix = f.fixes.find((x) => x.isPreferred) ?? f.fixes[0];
    for (const e of fix?.edits ?? []) {
      const key = this.keyOfName(e.file);
      const why = this.containmentRefusal(key);
      if (why) return { location: { uri: this.uriOf(key), range: e.edits[0]?.range ?? f.range }, message: `Quick fix withheld: ${why}.` };
    }
    return undefined;
  }

  /** Keeps an entry and what it depends on; an HCL2 template whose interface changed re-analyses its siblings. */
  private record(entry: Entry, reads: Iterable<string>): void {
    const { key } = entry;
    this.cache.set(key, entry);
    const dir = path.dirname(key);
    const deps = new Set<string>();
    for (const f of [...entry.result.dependsOn, ...reads]) if (f !== key && !(isSiblingName(f) && path.dirname(f) === dir)) deps.add(f);
    for (const f of this.dependencies.get(key) ?? []) if (!deps.has(f)) this.unlink(f, key);
    for (const f of deps) {
      const set = this.dependents.get(f) ?? new Set<string>();
      set.add(key);
      this.dependents.set(f, set);
    }
    this.dependencies.set(key, deps);
    const format = entry.result.template?.format;
    if (format === 'hcl' || format === 'hcl-json') {
      const set = this.hclInDir.get(dir) ?? new Set<string>();
      set.add(key);
      this.hclInDir.set(dir, set);
    } else this.hclInDir.get(dir)?.delete(key);
    const digest = interfaceDigest(entry.result.template);
    const before = this.interfaces.get(key);
    this.interfaces.set(key, digest);
    if (before !== undefined && before !== digest) this.invalidate(this.hclInDir.get(dir) ?? [], key, 0);
    // A full watch list stays as it is until a watched file loses its last dependent (`unlink`): a new list would
    // walk every dependency of the workspace, for every template a scan records.
    if (this.watched.size < MAX_EXTRA_WATCHES && [...deps].some((f) => !this.watched.has(f) && !this.cacheable(f))) this.scheduleWatchUpdate();
  }

  private unlink(file: string, key: string): void {
    const set = this.dependents.get(file);
    set?.delete(key);
    if (set?.size !== 0) return;
    this.dependents.delete(file);
    if (this.watched.has(file)) this.scheduleWatchUpdate();
  }

  /**
   * The entry of `key`, analysed again first when a file one of its fixes
   * edits is no longer what the analysis read (changed behind a cache, or
   * without a watcher): a fix is only ever computed from the current text.
   */
  async verifiedEntry(key: string, track = true): Promise<Entry | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const entry = await this.entry(key, track);
      if (!entry || this.upToDate(entry)) return entry;
      for (const f of [...entry.inputs.keys(), ...(this.dependencies.get(key) ?? [])]) {
        this.analyzer.invalidate(f);
        this.forgetDiskReads(f);
      }
      if (isFileKey(key) && !this.openUris.has(key)) this.diskVersions.set(key, (this.diskVersions.get(key) ?? 0) + 1);
      this.cache.delete(key);
      if (track && this.follows(key)) this.schedule(key, 0);
    }
    return undefined;
  }

  /** True when every file the entry's fixes edit holds the text the analysis read. */
  private upToDate(entry: Entry): boolean {
    const files = new Set<string>();
    for (const f of entry.result.findings) for (const fix of f.fixes) for (const e of fix.edits) files.add(e.file);
    for (const name of files) {
      const key = this.keyOfName(name);
      const expected = key === entry.key ? entry.text : entry.inputs.get(name);
      if (this.currentText(key)?.text !== expected) return false;
    }
    return true;
  }

  private stamp(key: string): string {
    const doc = this.openDocument(key);
    return doc ? `open:${doc.version}` : `disk:${this.diskVersions.get(key) ?? 0}`;
  }

  /** The settings scope of a key: its workspace folder, else the document itself. */
  private scopeOf(key: string): string | undefined {
    if (!isFileKey(key)) return this.openUris.get(key);
    const root = this.folderOf(key);
    return root !== undefined ? this.folders.get(root) : uriOfKey(key);
  }

  private async read(key: string, settings: PackerBakeSettings): Promise<Source | undefined> {
    const doc = this.openDocument(key);
    if (doc) return { text: doc.getText(), languageId: doc.languageId, document: doc };
    if (!isFileKey(key)) return undefined;
    const r = await readBounded(key, settings.maxFileSize);
    if (!r.ok) return r.reason === 'too-large' ? { skipped: tooLargeReason(settings.maxFileSize) } : undefined;
    if (r.binary) return { skipped: 'it looks binary' };
    return { text: withoutBom(r.text) };
  }

  // ---- watching the files analyses read ----------------------------------------

  private scheduleWatchUpdate(): void {
    if (!this.options.watchFiles || !this.options.cacheDiskReads || this.watchTimer) return;
    this.watchTimer = setTimeout(() => {
      this.watchTimer = undefined;
      this.updateWatches().catch((e) => this.options.log(`watching files failed: ${errorText(e)}`));
    }, 100);
  }

  /** Asks the client to watch the files analyses read that no static pattern covers (up to MAX_EXTRA_WATCHES). */
  private async updateWatches(): Promise<void> {
    const wanted: string[] = [];
    for (const f of this.dependents.keys()) {
      if (wanted.length >= MAX_EXTRA_WATCHES) break;
      if (isFileKey(f) && !this.watched.has(f) && !this.cacheable(f)) wanted.push(f);
      else if (this.watched.has(f)) wanted.push(f);
    }
    const next = new Set(wanted.sort());
    if (next.size === this.watched.size && [...next].every((f) => this.watched.has(f))) return;
    // Until the client confirms, nothing outside the static patterns is kept.
    const before = this.watched;
    this.watched = new Set([...before].filter((f) => next.has(f)));
    for (const f of before) if (!next.has(f)) this.forgetDiskReads(f);
    if (await this.options.watchFiles!([...next])) this.watched = next;
  }

  // ---- publishing -------------------------------------------------------------

  private schedule(key: string, delay: number): void {
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.refresh(key).catch((e) => this.options.log(`analysis of ${key} failed: ${errorText(e)}`));
      }, delay),
    );
  }

  /** Analyses the latest version of `key` and publishes what it contributes. */
  async refresh(key: string): Promise<void> {
    const token = (this.tokens.get(key) ?? 0) + 1;
    this.tokens.set(key, token);
    const foreground = this.openUris.has(key);
    this.running++;
    if (foreground) this.foreground++;
    try {
      if (!foreground) await this.foregroundIdle();
      const entry = await this.entry(key);
      if (this.tokens.get(key) !== token) return;
      if (!entry || !this.follows(key)) this.drop(key);
      else this.publishEntry(key, entry);
    } finally {
      this.running--;
      if (foreground) this.foreground--;
      this.wake();
    }
  }

  /** Resolves when no open document is being analysed. */
  private async foregroundIdle(): Promise<void> {
    while (this.foreground > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Between two slices of a background parse: let messages in, and open documents first. */
  private async backgroundPause(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    await this.foregroundIdle();
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  /** Resolves when no analysis is scheduled or running and every scan is done (for tests). */
  async idle(): Promise<void> {
    for (;;) {
      await this.scans;
      if (this.timers.size === 0 && this.running === 0) return;
      await new Promise<void>((resolve) => {
        if (this.running > 0) this.waiters.push(resolve);
        else setTimeout(resolve, Math.min(DEBOUNCE_MS, 20));
      });
    }
  }

  /** Forgets a template and withdraws its diagnostics. */
  private drop(key: string): void {
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.delete(key);
    this.tokens.set(key, (this.tokens.get(key) ?? 0) + 1);
    this.cache.delete(key);
    for (const f of this.dependencies.get(key) ?? []) this.unlink(f, key);
    this.dependencies.delete(key);
    this.hclInDir.get(path.dirname(key))?.delete(key);
    this.interfaces.delete(key);
    for (const [name, k] of this.names) if (k === key) this.names.delete(name);
    this.publishEntry(key, undefined);
  }

  private publishEntry(key: string, entry: Entry | undefined): void {
    const before = this.targets.get(key) ?? new Set<string>();
    const after = new Set<string>(entry ? entry.diagnostics.keys() : []);
    // A template always gets a publish of its own, even when clean.
    if (entry?.result.template) after.add(key);
    for (const t of before) if (!after.has(t)) this.contributions.get(t)?.delete(key);
    for (const t of after) {
      const m = this.contributions.get(t) ?? new Map<string, Diagnostic[]>();
      m.set(key, entry?.diagnostics.get(t) ?? []);
      this.contributions.set(t, m);
    }
    if (after.size > 0) this.targets.set(key, after);
    else this.targets.delete(key);
    for (const t of new Set([...before, ...after])) this.publishTarget(t);
  }

  private publishTarget(target: string): void {
    const m = this.contributions.get(target);
    const diagnostics = mergeDiagnostics(m ? m.values() : []);
    if (m && m.size === 0) this.contributions.delete(target);
    this.options.publish(this.uriOf(target), diagnostics);
  }

  /** Keys of the templates whose findings may point into `target` (itself included). */
  contributorsOf(target: string): string[] {
    return [...new Set([target, ...(this.contributions.get(target)?.keys() ?? [])])];
  }

  /** Findings pointing into `target`, from the current (verified) analysis of every template contributing to it. */
  async findingsIn(target: string): Promise<{ entry: Entry; finding: Finding }[]> {
    const out: { entry: Entry; finding: Finding }[] = [];
    for (const key of this.contributorsOf(target)) {
      const entry = await this.verifiedEntry(key);
      if (!entry || !entry.settings.enable) continue;
      for (const finding of entry.result.findings) if (this.keyOfName(finding.file) === target) out.push({ entry, finding });
    }
    return out;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    if (this.watchTimer) clearTimeout(this.watchTimer);
  }
}

/**
 * Folder listings kept without a watcher: a listing is reused while the
 * folder's modification and change times and inode are those it had when it
 * was listed (adding, removing or renaming an entry changes them; one stat
 * instead of a listing). A listing taken within two seconds of the folder's
 * last change is not kept, since a coarse clock could hide a change made in
 * the same tick. Without it the working-directory search of every template
 * lists its ancestors' subfolders again, and a folder of N templates costs
 * N listings of N entries.
 */
export class StatListings {
  private readonly kept = new Map<string, { names: string[]; stamp: string }>();

  constructor(private readonly max = 4096) {}

  list(dir: string): string[] | undefined {
    let st: Stats | undefined;
    try {
      st = statSync(dir, { throwIfNoEntry: false });
    } catch {
      st = undefined;
    }
    if (!st?.isDirectory()) {
      this.kept.delete(dir);
      return st ? undefined : listDirBounded(dir);
    }
    const stamp = `${st.ino}:${st.mtimeMs}:${st.ctimeMs}`;
    const known = this.kept.get(dir);
    if (known && known.stamp === stamp) {
      // Most recently used last: the oldest goes first when the map is full.
      this.kept.delete(dir);
      this.kept.set(dir, known);
      return known.names;
    }
    const settled = Date.now() - Math.max(st.mtimeMs, st.ctimeMs) > 2000;
    const names = listDirBounded(dir);
    this.kept.delete(dir);
    if (names && settled) {
      if (this.kept.size >= this.max) this.kept.delete(this.kept.keys().next().value!);
      this.kept.set(dir, { names, stamp });
    }
    return names;
  }
}

/**
 * A file's text as the analysis reads it from disk: templates and container
 * files without their byte-order mark, as VS Code shows them (offsets must
 * agree with the editor's); any other file (an ansible.cfg, wherever
 * ANSIBLE_CONFIG points) as it is, since Ansible cannot read a config with a
 * BOM and the analysis must see it to say so. No fix edits such a file: its
 * plan is unknown.
 */
function analysisText(file: string, text: string): string {
  return isCandidateName(file) ? withoutBom(text) : text;
}

/** True for a file no one may write (mode without any w bit): root could, but its owner said no. */
function isReadOnly(file: string): boolean {
  try {
    return (statSync(file).mode & 0o222) === 0;
  } catch {
    return false;
  }
}

/** Runs `fn`, returning its value or what it threw. */
function outcome<T>(fn: () => T): { value?: T; error?: unknown } {
  try {
    return { value: fn() };
  } catch (error) {
    return { error };
  }
}

/** An error as one log line: its message and the frame that threw. */
export function errorText(e: unknown): string {
  const line = (s: string) => s.replace(/\s+/g, ' ').trim();
  if (e instanceof Error) {
    const frame = e.stack?.split('\n').find((l) => l.trim().startsWith('at '));
    return line(frame ? `${e.message} (${frame.trim()})` : e.message);
  }
  return line(String(e));
}
