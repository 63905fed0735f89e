/**
 * Every template the server knows (open documents and files found in the
 * workspace folders), its analysis, and the diagnostics it contributes to
 * each file. One analysis per document version and settings generation:
 * diagnostics, code actions and the custom requests all read the same entry.
 */
import { promises as fsp, readFileSync, readdirSync, statSync } from 'fs';
import * as path from 'path';
import type { Diagnostic, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { Analyzer, SKIPPED, formatForName, type AnalysisHost, type AnalysisResult, type Finding } from './analysis';
import { analysisName, isFileKey, keyOfUri, uriOfKey } from './documentKeys';
import { mergeDiagnostics, toDiagnostic } from './diagnostics';
import { analysisSettings, type SettingsStore } from './settings';
import { DEFAULT_MAX_FILE_SIZE, type PackerBakeSettings } from './shared/settings';
import { inSkippedDir, isCandidateName, scanFolder } from './workspaceScan';

/** Delay between the last keystroke and the analysis of a changed document. */
export const DEBOUNCE_MS = 150;

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
}

type Source = { text: string; languageId?: string; document?: TextDocument } | { tooLarge: number };

const EMPTY: AnalysisResult = { findings: [], plans: [], dependsOn: [] };

export class WorkspaceIndex {
  readonly analyzer: Analyzer;
  /** Workspace folder path → URI. */
  private readonly folders = new Map<string, string>();
  /** Candidate template files found on disk inside the folders. */
  private readonly diskFiles = new Set<string>();
  private readonly diskVersions = new Map<string, number>();
  /** Open documents: key → URI as the client sent it. */
  private readonly openUris = new Map<string, string>();
  private readonly justOpened = new Set<string>();
  private readonly cache = new Map<string, Entry>();
  /** Target key → template key → the diagnostics that template contributes to it. */
  private readonly contributions = new Map<string, Map<string, Diagnostic[]>>();
  /** Template key → target keys it contributed to at the last publish. */
  private readonly targets = new Map<string, Set<string>>();
  /** Analysis names that are not keys (untitled documents) → key. */
  private readonly names = new Map<string, string>();
  private readonly tokens = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private scans: Promise<void> = Promise.resolve();
  /** The size guard of host reads: the limit of the analysis running now. */
  private maxFileSize = DEFAULT_MAX_FILE_SIZE;
  /** Disk reads and folder listings of the analysis host, kept until the file (or something in the folder) changes. */
  private readonly diskReads = new Map<string, { text: string | undefined; limit: number }>();
  private readonly listings = new Map<string, string[] | undefined>();

  constructor(private readonly options: IndexOptions) {
    const host: AnalysisHost = {
      readFile: (file) => this.readForAnalysis(file),
      listDir: (dir) => {
        if (this.listings.has(dir)) return this.listings.get(dir);
        let names: string[] | undefined;
        try {
          names = readdirSync(dir);
        } catch {
          names = undefined;
        }
        if (this.options.cacheDiskReads) this.listings.set(dir, names);
        return names;
      },
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
    for (const file of [...this.diskFiles]) {
      if (this.folderOf(file) !== undefined) continue;
      this.diskFiles.delete(file);
      if (!this.openUris.has(file)) this.drop(file);
    }
  }

  /** Resolves when every scan started so far has finished. */
  scanned(): Promise<void> {
    return this.scans;
  }

  private async scan(root: string): Promise<void> {
    const limit = () => this.options.log(`stopped scanning ${root} after too many candidate files; open a template to analyse it`);
    for await (const { file } of scanFolder(root, limit)) {
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
    this.schedule(key, 0);
    this.invalidateDependents(key, DEBOUNCE_MS);
  }

  changed(doc: TextDocument): void {
    const key = keyOfUri(doc.uri);
    if (!key || !this.openUris.has(key)) return;
    this.schedule(key, this.justOpened.delete(key) ? 0 : DEBOUNCE_MS);
    this.invalidateDependents(key, DEBOUNCE_MS);
  }

  closed(doc: TextDocument): void {
    const key = keyOfUri(doc.uri);
    if (!key) return;
    this.openUris.delete(key);
    this.justOpened.delete(key);
    if (this.diskFiles.has(key)) this.schedule(key, 0);
    else this.drop(key);
    this.invalidateDependents(key, 0);
  }

  /** A `workspace/didChangeWatchedFiles` event (created, changed, or deleted). */
  fileChanged(uri: string, deleted: boolean): void {
    const file = keyOfUri(uri);
    if (!file || !isFileKey(file)) return;
    this.analyzer.invalidate(file);
    this.forgetDiskReads(file);
    this.diskVersions.set(file, (this.diskVersions.get(file) ?? 0) + 1);
    if (deleted) {
      for (const key of [...this.diskFiles, ...this.cache.keys()]) {
        if (key !== file && !key.startsWith(file + path.sep)) continue;
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
    this.invalidateDependents(file, 0);
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

  /**
   * Templates whose result depends on `file` (an ansible.cfg, a sibling HCL
   * file, a variables file) are analysed again. A file created next to an
   * HCL2 template is not in its `dependsOn` yet, so the folder counts too.
   */
  private invalidateDependents(file: string, delay: number): void {
    const dir = path.dirname(file);
    const sibling = /\.(pkr\.hcl|pkr\.json|pkrvars\.hcl)$/i.test(file);
    for (const [key, e] of [...this.cache]) {
      if (key === file) continue;
      const hcl = e.result.template && e.result.template.format !== 'json';
      const depends = e.result.dependsOn.some((d) => d === file || d.startsWith(file + path.sep)) || (hcl && sibling && path.dirname(key) === dir);
      if (!depends) continue;
      this.cache.delete(key);
      this.schedule(key, delay);
    }
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
      const source = await this.read(key, settings);
      // The document or the settings moved on while reading: read again.
      if (!last && (generation !== this.options.settings.generation || stamp !== this.stamp(key))) continue;
      if (!source) return undefined;
      const entry = this.analyse(key, source, settings, stamp, generation);
      if (track) this.cache.set(key, entry);
      return entry;
    }
  }

  private analyse(key: string, source: Source, settings: PackerBakeSettings, stamp: string, generation: number): Entry {
    const name = 'text' in source ? analysisName(key, source.languageId) : key;
    if (name !== key) this.names.set(name, key);
    let result: AnalysisResult;
    if ('tooLarge' in source) {
      result = skipped(key, settings.maxFileSize);
    } else {
      this.analyzer.configure(analysisSettings(settings, { folder: isFileKey(key) ? this.folderOf(key) : undefined, roots: [...this.folders.keys()] }));
      this.maxFileSize = settings.maxFileSize;
      try {
        result = this.analyzer.analyze(name, source.text, source.document);
      } catch (e) {
        this.options.log(`analysis of ${key} failed: ${errorText(e)}`);
        result = EMPTY;
      }
    }
    const diagnostics = new Map<string, Diagnostic[]>();
    if (settings.enable) {
      for (const f of result.findings) {
        const target = this.keyOfName(f.file);
        const list = diagnostics.get(target) ?? [];
        list.push(toDiagnostic(f, this.openDocument(target)?.version ?? null));
        diagnostics.set(target, list);
      }
    }
    return { key, name, stamp, generation, settings, result, diagnostics };
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
    try {
      const stat = await fsp.stat(key);
      if (!stat.isFile()) return undefined;
      if (stat.size > settings.maxFileSize) return { tooLarge: stat.size };
      return { text: stripBom(await fsp.readFile(key, 'utf8')) };
    } catch {
      return undefined;
    }
  }

  /** The analysis host's reads: open documents first, then disk, never a file above the size limit. */
  private readForAnalysis(file: string): string | undefined {
    const doc = this.openDocument(file);
    if (doc) return doc.getText();
    const known = this.diskReads.get(file);
    if (known && known.limit === this.maxFileSize) return known.text;
    let text: string | undefined;
    try {
      const stat = statSync(file);
      text = !stat.isFile() || stat.size > this.maxFileSize ? undefined : stripBom(readFileSync(file, 'utf8'));
    } catch {
      text = undefined;
    }
    if (this.options.cacheDiskReads) this.diskReads.set(file, { text, limit: this.maxFileSize });
    return text;
  }

  /** A file (or folder) changed on disk: forget what was read of it and the listing of its folder. */
  private forgetDiskReads(file: string): void {
    this.listings.delete(path.dirname(file));
    for (const map of [this.diskReads, this.listings] as Map<string, unknown>[]) {
      for (const key of map.keys()) if (key === file || key.startsWith(file + path.sep)) map.delete(key);
    }
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
    const entry = await this.entry(key);
    if (this.tokens.get(key) !== token) return;
    if (!entry || (!this.openUris.has(key) && !this.diskFiles.has(key))) this.drop(key);
    else this.publishEntry(key, entry);
  }

  /** Forgets a template and withdraws its diagnostics. */
  private drop(key: string): void {
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.delete(key);
    this.tokens.set(key, (this.tokens.get(key) ?? 0) + 1);
    this.cache.delete(key);
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

  /** Findings pointing into `target`, from the current analysis of every template contributing to it. */
  async findingsIn(target: string): Promise<{ entry: Entry; finding: Finding }[]> {
    const out: { entry: Entry; finding: Finding }[] = [];
    for (const key of this.contributorsOf(target)) {
      const entry = await this.entry(key);
      if (!entry || !entry.settings.enable) continue;
      for (const finding of entry.result.findings) if (this.keyOfName(finding.file) === target) out.push({ entry, finding });
    }
    return out;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}

/** The one informational finding for a template file above the size limit (not read at all). */
function skipped(file: string, maxFileSize: number): AnalysisResult {
  const format = formatForName(file);
  if (format !== 'hcl' && format !== 'hcl-json') return EMPTY;
  const zero = { line: 0, character: 0 };
  const message = `packer-bake skipped this file: it is larger than ${Math.round(maxFileSize / 1024)} KB (setting packerBake.maxFileSize).`;
  return { ...EMPTY, findings: [{ ruleId: SKIPPED, severity: 'info', message, file, range: { start: zero, end: zero }, fixes: [] }] };
}

/** VS Code drops a UTF-8 byte order mark from document text; disk reads must agree on offsets. */
function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
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
