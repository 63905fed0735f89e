/**
 * The entry point of the analysis core: template text in, findings out.
 * Files beside the template (ansible.cfg, sibling HCL files with variables,
 * locals and sources) come through an `AnalysisHost`, never from `fs`.
 */
import * as path from 'path';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { LineIndex } from './lineIndex';
import type { Builder, Finding, Provisioner, RequiredPlugin, Severity, Template, TemplateFormat, Value } from './types';
import { isLegacyTemplate, jsonTemplate, parseJsonPruned, parseJsonTree } from './parseJson';
import { ParseTooSlow, parseHcl, parseHclVarFile } from './parseHcl';
import { HclNotLoaded } from './hclParser';
import { readAnsibleCfg, type AnsibleCfg } from './ansibleCfg';
import type { PrunedText } from './prunedText';
import { socketPlans, type ArgPart, type PlanContext, type SocketPlan, type SocketTarget } from './socketPlan';
import type { Setting } from './settings';
import { RULES, type Rule } from './rules';
import type { RuleContext } from './rules/rule';
import { relativePaths, relativePathsKey, workingDirectory, type ChildPick } from './workingDirectory';
import { atLeast, describeFlavors, flavorsFor, OPENSSH_SCP_USES_SFTP, type Flavor } from './toolchain';
import { DOCS_BASE } from './rules/rule';
import { DEFAULT_SAFE_DIRS } from './rules/controlPathUnsafeDir';
import type { RawFinding } from './rules/rule';
import type { Names, Scope } from './evaluate';
import type { Toolchain } from './toolchain';
import { analyzeContainerFile, containerFileKind } from './containers';
import { ownCopy } from './shiftSpans';

export interface AnalysisHost {
  /** File contents, or undefined when absent or unreadable. */
  readFile(file: string): string | undefined;
  /** Entry names of a directory, or undefined when it cannot be listed. */
  listDir(dir: string): string[] | undefined;
  /**
   * Optional: a token that changes whenever `listDir(dir)`, or `readFile` of
   * a file directly in `dir`, would return something else; undefined when the
   * host cannot tell. While it stays the same, what the analysis took from an
   * HCL2 folder (its files' variables, locals and sources) is reused without
   * reading every file of the folder again for every template in it.
   */
  folderVersion?(dir: string): string | undefined;
}

export type RuleSeverity = Severity | 'off';

export interface AnalysisSettings {
  /** Per-rule severity; `off` disables a rule. Rules not listed keep their default. */
  rules: Record<string, RuleSeverity>;
  /** Directories besides /tmp and /dev/shm where sockets are known to work. */
  safeDirectories: string[];
  /** Templates larger than this (bytes) are skipped with one informational finding. */
  maxFileSize: number;
  /** Versions of Packer, the ansible plugin, ansible-core and OpenSSH that will run the build, when known. */
  toolchain: Toolchain;
  /** The directory Packer runs in, when the user says (absolute); else it is inferred per template. */
  workingDirectory?: string;
  /** Folders the working-directory search stays inside (workspace folders, the CLI's paths). */
  roots?: string[];
}

export const DEFAULT_SETTINGS: AnalysisSettings = { rules: {}, safeDirectories: [], maxFileSize: 5 * 1024 * 1024, toolchain: {}, roots: [] };

/** Finding ids that are not rules: the template could not be read. */
export const PARSE_ERROR = 'parse-error';
export const SKIPPED = 'file-skipped';

export interface AnalysisResult {
  /** Undefined when the file is not a Packer template (or was skipped). */
  template?: Template;
  findings: Finding[];
  /** The socket plans the rules ran over (every flavor's). */
  plans: SocketPlan[];
  /** Other files the result depends on (ansible.cfg files, sibling templates): re-analyse when they change. */
  dependsOn: string[];
  /**
   * The directory Packer runs in, as the analysis assumed it (where ansible.cfg
   * and relative paths are read from), and why. Undefined for unsaved documents.
   */
  workingDirectory?: { dir: string; reason: string };
  /** The builds `-only` can name: legacy builders' names; HCL2 `<type>.<name>` of the sources the folder's build blocks run. */
  builds?: string[];
}

/**
 * False when a `.json` text cannot be a legacy template, without parsing it:
 * it has no `"builders"` anywhere (a key in JSON is a quoted string, and the
 * letters of this one can only be written otherwise as `\u` escapes).
 */
export function couldBeLegacyTemplate(text: string): boolean {
  return text.includes('"builders"') || text.includes('\\u');
}

/** The template format a file name implies, before looking at the content. */
export function formatForName(file: string): TemplateFormat | 'maybe-json' | undefined {
  const base = file.toLowerCase();
  if (base.endsWith('.pkr.hcl')) return 'hcl';
  if (base.endsWith('.pkr.json')) return 'hcl-json';
  if (base.endsWith('.json')) return 'maybe-json';
  return undefined;
}

interface Cached<T> {
  text: string;
  value: T;
}

/** The folder as one template sees it: the other files of its HCL2 folder (`Analyzer.folderContext`). */
interface FolderContext {
  /** The other files' variables, then `*.auto.pkrvars.hcl` values over them. */
  variables: Names;
  locals: Names;
  builders: Builder[];
  requiredPlugins: RequiredPlugin[];
  /** The folder's other files define the same names: Packer builds this file on its own. */
  standalone: boolean;
  /** Every source the other files' build blocks run, as -only names (computed when asked). */
  builds(): string[];
  /** How many times the other files match `pattern` (a global regular expression): references of a variable or local. */
  count(pattern: RegExp): number;
}

/** A name defined in a file of a folder. */
interface Definition {
  file: string;
  value: Value;
}

/**
 * What Packer loads from an HCL2 folder, read and parsed once for all the
 * templates of the folder: each template's `FolderContext` is a view of it
 * without that template's own file, so analysing every file of a folder of
 * N files reads and merges N files, not N². Kept while the host's
 * `folderVersion` (or else the listing and every file's text) is the same.
 */
interface FolderAggregate {
  version: string | undefined;
  maxFileSize: number;
  /** The host's listing and, sorted, the names it was built from. */
  listing: string[] | undefined;
  names: string[];
  /** The folder's templates and `*.auto.pkrvars.hcl` files, in name order (what its templates depend on), and their places. */
  files: string[];
  order: Map<string, number>;
  /** Every file read, and what it held. */
  reads: Map<string, string | undefined>;
  /**
   * The template the aggregate was made for, not read yet: its own analysis
   * does not need it (its text may be an open document's, and would be parsed
   * twice at every keystroke); the next template's analysis reads it.
   */
  pending: string | undefined;
  /** The members' builders and required plugins flattened (see `Analyzer.flattened`), until the members change. */
  flat?: { builders: Builder[]; builderRuns: Map<string, [number, number]>; requiredPlugins: RequiredPlugin[]; pluginRuns: Map<string, [number, number]> };
  /** Files `invalidate()` named since: read again at the next use, whatever their text. */
  dirty: Set<string>;
  /** The templates of the folder that parsed, in name order. */
  members: Template[];
  /** `*.auto.pkrvars.hcl` values, the later files' over the earlier ones. */
  overrides: Map<string, Value>;
  /** Every definition of each name, in name order of the files (the last wins). */
  variables: Map<string, Definition[]>;
  locals: Map<string, Definition[]>;
  /** The files defining each `var.x`, `local.x`, `source.x`. */
  definers: Map<string, Set<string>>;
  /** Matches of a pattern in all the templates and per template, by its source (see FolderContext.count), as of `changes[seen]`. */
  counts: Map<string, PatternCount>;
  /** The templates taken in or out since the aggregate was made, in order: a count catches up with them when next asked. */
  changes: string[];
  byFile: Map<string, Template>;
}

/** The last definition of `name` in a file other than `self`. */
function definedElsewhere(defs: Map<string, Definition[]>, name: string, self: string): Value | undefined {
  const list = defs.get(name);
  if (!list) return undefined;
  for (let i = list.length - 1; i >= 0; i--) if (list[i].file !== self) return list[i].value;
  return undefined;
}

/** The names a template defines that make its folder one configuration (`var.x`, `local.x`, `source.x`). */
function definedNames(t: Template): string[] {
  return [...[...t.variables.keys()].map((k) => `var.${k}`), ...[...t.locals.keys()].map((k) => `local.${k}`), ...t.builders.map((b) => `source.${b.name}`)];
}

interface PatternCount {
  pattern: RegExp;
  total: number;
  perFile: Map<string, number>;
  seen: number;
}

/** Adds a template's matches of a pattern to its counts. */
function countIn(c: PatternCount, t: Template): void {
  const n = t.text.match(c.pattern)?.length ?? 0;
  c.total += n;
  if (n > 0) c.perFile.set(t.file, n);
}

/** Names looked up in `first`, then in `second`. */
function layered(first: Names, second: Names): Names {
  return { get: (k) => first.get(k) ?? second.get(k), has: (k) => first.has(k) || second.has(k) };
}

/** A variable or local referenced as `var.name` / `local.name` (the name escaped for a regular expression). */
function referencePattern(kind: string, name: string): RegExp {
  return new RegExp(`\\b${kind}\\.${name}\\b`, 'g');
}

function safeDirsOf(settings: AnalysisSettings): string[] {
  return [...DEFAULT_SAFE_DIRS, ...settings.safeDirectories.map((d) => d.replace(/\/+$/, ''))];
}

export class Analyzer {
  private readonly siblings = new Map<string, Cached<Template | undefined>>();
  private readonly folders = new Map<string, FolderAggregate>();
  private readonly cfgs = new Map<string, Cached<AnsibleCfg>>();
  private readonly workingDirectories = new Map<string, ReturnType<typeof workingDirectory>>();
  /** The working directory search's picks among a folder's subfolders (workingDirectory.ts), until a file changes. */
  private readonly childPicks = new Map<string, ChildPick>();
  private settings: AnalysisSettings;
  /** The directories that hold sockets safely: the defaults and the settings'. */
  private safeDirs: string[];

  /**
   * `findingsOnly`: the caller reads findings and fixes only (the lint), not
   * the builds or every syntax error: HCL2 build blocks no finding can depend
   * on are left out of the parse (hclPrune.ts).
   */
  constructor(private readonly host: AnalysisHost, settings: Partial<AnalysisSettings> = {}, private readonly options: { findingsOnly?: boolean } = {}) {
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
    this.safeDirs = safeDirsOf(this.settings);
  }

  configure(settings: Partial<AnalysisSettings>): void {
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
    this.safeDirs = safeDirsOf(this.settings);
  }

  /**
   * Parses a template; undefined when the file is not one. `pruned`: the text
   * is pruned already (prunedText.ts), parse it as it is.
   */
  parse(file: string, text: string, pruned = false): Template | undefined {
    const kind = formatForName(file);
    if (!kind) return undefined;
    const prune = this.options.findingsOnly && !pruned;
    if (kind === 'hcl') return parseHcl(file, text, { prune, pruned });
    // Most `.json` files are not legacy templates (package.json, tsconfig.json...): one without a "builders" key
    // cannot be one. A key can only be spelt otherwise with \u escapes; a text with any is parsed to be sure.
    if (kind === 'maybe-json' && !couldBeLegacyTemplate(text)) return undefined;
    const { root, problems } = prune ? parseJsonPruned(text, kind === 'maybe-json' ? 'legacy' : 'hcl-json') : parseJsonTree(text, file);
    if (kind === 'maybe-json') {
      if (!isLegacyTemplate(root)) return undefined;
      return jsonTemplate(file, text, 'json', root, problems);
    }
    return jsonTemplate(file, text, 'hcl-json', root, problems);
  }

  /**
   * `document`, when the caller has one for this text (the language server's
   * open document), gives the positions: it keeps its line offsets across
   * edits, so they are not computed again for every analysis. `pruned`: the
   * text is the lint's pruned text of the template (prunedText.ts), whose
   * left-out part references count too.
   */
  analyze(file: string, text: string, document?: Pick<TextDocument, 'positionAt'>, pruned?: Pick<PrunedText, 'hidden'>): AnalysisResult {
    const empty: AnalysisResult = { findings: [], plans: [], dependsOn: [], builds: [] };
    // Dev container configurations and CI files: the containers Packer runs in (containers/).
    if (containerFileKind(file)) return this.skipReason(text) ? empty : analyzeContainerFile(file, text, this.host, this.settings, document);
    if (!formatForName(file)) return empty;
    const skip = this.skipReason(text);
    if (skip) {
      // Only say so for files that are templates by name; other big JSON is not ours.
      if (formatForName(file) === 'maybe-json') return empty;
      return { ...empty, findings: [{ ruleId: SKIPPED, severity: 'info', message: skip, file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, fixes: [] }] };
    }
    let template: Template | undefined;
    try {
      template = this.parse(file, text, pruned !== undefined);
    } catch (e) {
      if (!(e instanceof RangeError) && !(e instanceof ParseTooSlow)) throw e;
      const why = e instanceof ParseTooSlow ? `the HCL parser gave up on it (${e.message})` : 'it is nested too deeply to analyse';
      return { ...empty, findings: [{ ruleId: SKIPPED, severity: 'info', message: `packer-bake skipped this file: ${why}.`, file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, fixes: [] }] };
    }
    if (!template) return empty;
    const doc = document ?? new LineIndex(text);
    const docs = new Map<string, Pick<TextDocument, 'positionAt'>>([[file, doc]]);
    // Findings and fixes may point into another file: an ansible.cfg, a sibling's variable default.
    const docOf = (f: string): Pick<TextDocument, 'positionAt'> => {
      let d = docs.get(f);
      if (!d) {
        // Read through the host even when the text is known (a folder's file): a host may keep what each analysis
        // read of the files its fixes edit, to offer a fix only while they hold that text.
        const read = this.host.readFile(f);
        d = new LineIndex(this.siblings.get(f)?.text ?? this.cfgs.get(f)?.text ?? read ?? '');
        docs.set(f, d);
      }
      return d;
    };
    const findings: Finding[] = template.problems.map((p) => ({
      ruleId: PARSE_ERROR, severity: 'error' as Severity, message: p.message, file, range: { start: doc.positionAt(p.span.start), end: doc.positionAt(p.span.end) }, fixes: [],
    }));

    const dependsOn = new Set<string>();
    const absolute = path.isAbsolute(file);
    const dir = path.dirname(file);
    const folder = absolute ? this.folderContext(dir, file, template, dependsOn) : undefined;
    const merged = folder && !folder.standalone;
    const baseScope: Scope = {
      // The folder's variables over the template's own; the template's locals over the folder's.
      variables: merged ? layered(folder.variables, template.variables) : template.variables,
      locals: merged ? layered(template.locals, folder.locals) : template.locals,
      templateDir: absolute ? dir : undefined,
    };
    const cwd = absolute ? this.workingDirectoryOf(template, baseScope) : undefined;
    if (cwd) for (let k = 0; k < cwd.checked.length; k++) dependsOn.add(cwd.checked[k]);
    const scope: Scope = { ...baseScope, cwd: cwd?.dir };
    // No other file of a merged folder defines one of the template's sources (else it would be standalone).
    const builders = merged ? [...template.builders, ...folder.builders] : template.builders;
    const loadCfg = (cfgFile: string): AnsibleCfg | undefined => {
      dependsOn.add(cfgFile);
      const cfg = this.loadCfg(cfgFile);
      if (cfg) docs.set(cfgFile, new LineIndex(cfg.text));
      return cfg;
    };
    const planContext: PlanContext = {
      template, scope, cwd: cwd?.dir, loadCfg, builders,
      isDir: (f) => this.host.listDir(f) !== undefined,
      readFile: (f) => {
        dependsOn.add(f);
        const t = this.host.readFile(f);
        return t !== undefined && t.length <= this.settings.maxFileSize ? t : undefined;
      },
    };
    // References in the template's text and, when the folder is one configuration, in its other files.
    let hidden: string | undefined;
    const count = (pattern: RegExp) =>
      (template!.text.match(pattern)?.length ?? 0) + (pruned ? ((hidden ??= pruned.hidden()).match(pattern)?.length ?? 0) : 0) + (merged ? folder.count(pattern) : 0);
    const requiredPlugins = [...template.requiredPlugins, ...(merged ? folder.requiredPlugins : [])];
    const flavors = flavorsFor(this.settings.toolchain);
    const ansible = template.provisioners.filter((p) => p.type === 'ansible');
    const allPlans: SocketPlan[] = [];
    const results: VariantFindings[] = [];
    const variants = absolute ? this.varFileVariants(template, [dir, path.join(dir, 'vars'), ...(cwd && cwd.dir !== dir ? [cwd.dir, path.join(cwd.dir, 'vars')] : [])], scope, count, dependsOn) : [{ variables: scope.variables }];
    const run: VariantRun = { template, scope, planContext, ansible, flavors, requiredPlugins, count, docOf, allPlans, results };
    for (const variant of variants) this.analyzeVariant(run, variant);
    findings.push(...mergeVariants(results, flavors, variants.map((v) => v.varFile)));
    const wd = cwd ? { dir: cwd.dir, reason: cwd.reason } : undefined;
    const t = template;
    const listBuilds = () => t.format === 'json'
      ? [...new Set(t.builders.map((b) => b.name))]
      : [...new Set([...t.builds.flatMap((b) => b.sources.map((x) => x.name)), ...(merged ? folder.builds() : [])])];
    const result: AnalysisResult = { template, findings, plans: allPlans, dependsOn: [...dependsOn], workingDirectory: wd };
    // The lint reads findings only. An accessor on each result gives each a map of its own, which the
    // optimizing compiler meets as a new shape every time (docs/BENCHMARKS.md, measure d, (21)).
    if (this.options.findingsOnly) return result;
    // Listed when read (the bake's picks, the template summaries): the folder's builds would make every result of a folder of N files hold N names.
    let builds: string[] | undefined;
    Object.defineProperty(result, 'builds', { enumerable: true, configurable: true, get: () => (builds ??= listBuilds()), set: (v: string[]) => void (builds = v) });
    return result;
  }

  /**
   * The plans and findings of one variant (var file) for every flavor, into
   * `run.allPlans` and `run.results`. A method of its own, apart from
   * analyze(): V8 compiles a function again whole when a call inlined into it
   * meets a new shape, and a lint runs slower code while such compilations
   * wait (docs/BENCHMARKS.md, measure d, (21)).
   */
  private analyzeVariant(run: VariantRun, variant: { varFile?: string; variables: Names }): void {
    const { template, flavors, results } = run;
    const vscope: Scope = { ...run.scope, variables: variant.variables };
    const vplan: PlanContext = { ...run.planContext, scope: vscope };
    // Flavors whose plans come out the same need the rules run once (most templates).
    const seen = new Map<string, Finding[]>();
    const transferMatters = atLeast(this.settings.toolchain.openssh, OPENSSH_SCP_USES_SFTP) === true;
    const byProvisioner = run.ansible.map((p) => socketPlans(p, vplan, flavors));
    // Flavors that decided a plan alike share its parts (socketPlan.ts): its signature is made once.
    const signatures = new WeakMap<object, string>();
    for (let i = 0; i < flavors.length; i++) {
      const flavor = flavors[i];
      const plans: SocketPlan[] = [];
      for (let k = 0; k < byProvisioner.length; k++) {
        const own = byProvisioner[k][i];
        for (let j = 0; j < own.length; j++) plans.push(own[j]);
      }
      for (let k = 0; k < plans.length; k++) run.allPlans.push(plans[k]);
      const signature = planSignature(plans, transferMatters, signatures);
      const same = seen.get(signature);
      if (same) {
        results.push({ flavor, varFile: variant.varFile, findings: same });
        continue;
      }
      const ctx: RuleContext = {
        template,
        plans,
        scope: vscope,
        safeDirs: this.safeDirs,
        toolchain: this.settings.toolchain,
        requiredPlugins: run.requiredPlugins,
        flavor,
        otherUses: (via) => otherUses(via, run.count),
      };
      const out: Finding[] = [];
      for (const rule of RULES) {
        const severity = this.settings.rules[rule.id] ?? rule.defaultSeverity;
        if (severity === 'off') continue;
        for (const raw of rule.check(ctx)) out.push(toFinding(rule, raw, severity, run.docOf, this.settings.toolchain));
      }
      results.push({ flavor, varFile: variant.varFile, findings: out });
      seen.set(signature, out);
    }
  }

  /**
   * The values the template is analysed with: its defaults; or, when some
   * variable it uses has no default and var files next to it (not
   * `*.auto.pkrvars.hcl`, which Packer loads itself) set it, each of those
   * var files in turn, as `packer build -var-file=...` would.
   */
  private varFileVariants(template: Template, dirs: string[], scope: Scope, count: (pattern: RegExp) => number, dependsOn: Set<string>): { varFile?: string; variables: Names }[] {
    const base = [{ variables: scope.variables }];
    if (template.format === 'json') return base;
    const out: { varFile?: string; variables: Names }[] = [];
    for (const dir of [...new Set(dirs)]) {
      for (const name of (this.host.listDir(dir) ?? []).sort()) {
        const lower = name.toLowerCase();
        if (!lower.endsWith('.pkrvars.hcl') || lower.endsWith('.auto.pkrvars.hcl')) continue;
        const file = path.join(dir, name);
        const text = this.host.readFile(file);
        if (text === undefined || text.length > this.settings.maxFileSize) continue;
        let values: Map<string, Value>;
        try {
          values = parseHclVarFile(file, text);
        } catch (e) {
          if (!(e instanceof ParseTooSlow)) throw e;
          continue;
        }
        // Only var files that set a variable the template uses and has no default for.
        const needed = [...values.keys()].some((k) => !scope.variables.has(k) && count(referencePattern('var', k.replace(/[^A-Za-z0-9_-]/g, ''))) > 0);
        if (!needed) continue;
        dependsOn.add(file);
        out.push({ varFile: path.relative(path.dirname(template.file), file), variables: layered(values, scope.variables) });
      }
    }
    return out.length > 0 ? out : base;
  }

  /**
   * The directory Packer runs in, remembered per template and relative paths
   * (the search lists folders around the template) until a file changes.
   */
  private workingDirectoryOf(template: Template, scope: Scope): ReturnType<typeof workingDirectory> {
    const given = this.settings.workingDirectory;
    const roots = this.settings.roots ?? [];
    const paths = relativePaths(template, scope);
    const rels = { paths, key: relativePathsKey(paths) };
    const key = `${template.file}\0${given ?? ''}\0${roots.join('\0')}\0${rels.key}`;
    const known = this.workingDirectories.get(key);
    if (known) return known;
    const wd = workingDirectory({ template, scope, listDir: (d) => this.host.listDir(d), roots, given, memo: this.childPicks, rels });
    if (this.workingDirectories.size >= 1000) this.workingDirectories.clear();
    // Copies: the key and the reason are built from slices of the template's text, which would keep every
    // remembered template's whole text alive (V8's sliced and concatenated strings point into their source).
    this.workingDirectories.set(ownCopy(key), { dir: ownCopy(wd.dir), reason: ownCopy(wd.reason), checked: wd.checked.map(ownCopy) });
    return wd;
  }

  /** Forgets cached sibling templates and config files (call when a file changes on disk). */
  invalidate(file?: string): void {
    this.workingDirectories.clear();
    this.childPicks.clear();
    if (file === undefined) {
      this.siblings.clear();
      this.cfgs.clear();
      this.folders.clear();
    } else {
      this.siblings.delete(file);
      this.cfgs.delete(file);
      // The folder's aggregate takes the file again at its next use (the others stay); a folder itself is forgotten.
      const agg = this.folders.get(path.dirname(file));
      if (agg) {
        agg.version = undefined;
        agg.dirty.add(file);
      }
      this.folders.delete(file);
    }
  }

  private skipReason(text: string): string | undefined {
    const max = this.settings.maxFileSize;
    if (text.length > max || (text.length * 3 > max && Buffer.byteLength(text, 'utf8') > max)) {
      return `packer-bake skipped this file: it is larger than ${Math.round(this.settings.maxFileSize / 1024)} KB (setting packerBake.maxFileSize).`;
    }
    if (text.slice(0, 8192).includes('\0')) return 'packer-bake skipped this file: it looks binary.';
    return undefined;
  }

  private loadCfg(file: string): AnsibleCfg | undefined {
    const text = this.host.readFile(file);
    if (text === undefined) return undefined;
    const c = this.cfgs.get(file);
    if (c && c.text === text) return c.value;
    const cfg = readAnsibleCfg(file, text);
    this.cfgs.set(file, { text, value: cfg });
    return cfg;
  }

  /**
   * Variables, locals and sources of the other HCL2 files in the template's
   * folder (Packer loads the folder as one), and `*.auto.pkrvars.hcl` values.
   * A folder whose files define the same variable, local or source twice
   * cannot be loaded as one: each of its files is then built on its own.
   * The template's own file is left out (the text analysed may differ from
   * the disk's).
   */
  private folderContext(dir: string, self: string, template: Template, dependsOn: Set<string>): FolderContext | undefined {
    if (template.format === 'json') return undefined;
    const agg = this.folderAggregate(dir, self);
    for (const f of agg.files) if (f !== self) dependsOn.add(f);
    const standalone = definedNames(template).some((n) => [...agg.definers.get(n) ?? []].some((f) => f !== self));
    const flat = this.flattened(agg);
    // The folder's builders and required plugins without the template's own (a run of each list, members being in order).
    const without = <T>(list: T[], ranges: Map<string, [number, number]>): T[] => {
      const r = ranges.get(self);
      return r ? list.slice(0, r[0]).concat(list.slice(r[1])) : list;
    };
    const variables: Names = {
      get: (k) => agg.overrides.get(k) ?? definedElsewhere(agg.variables, k, self),
      has: (k) => agg.overrides.has(k) || definedElsewhere(agg.variables, k, self) !== undefined,
    };
    const locals: Names = {
      get: (k) => definedElsewhere(agg.locals, k, self),
      has: (k) => definedElsewhere(agg.locals, k, self) !== undefined,
    };
    return {
      variables,
      locals,
      builders: without(flat.builders, flat.builderRuns),
      requiredPlugins: without(flat.requiredPlugins, flat.pluginRuns),
      standalone,
      builds: () => agg.members.filter((t) => t.file !== self).flatMap((t) => t.builds.flatMap((b) => b.sources.map((x) => x.name))),
      count: (pattern) => {
        let c = agg.counts.get(pattern.source);
        const changed = c && c.seen < agg.changes.length ? new Set(agg.changes.slice(c.seen)) : undefined;
        if (!c || (changed && changed.size > agg.members.length / 2)) {
          c = { pattern, total: 0, perFile: new Map(), seen: agg.changes.length };
          for (const t of agg.members) countIn(c, t);
          agg.counts.set(pattern.source, c);
        } else if (changed) {
          for (const f of changed) {
            c.total -= c.perFile.get(f) ?? 0;
            c.perFile.delete(f);
            const t = agg.byFile.get(f);
            if (t) countIn(c, t);
          }
          c.seen = agg.changes.length;
        }
        return c.total - (c.perFile.get(self) ?? 0);
      },
    };
  }

  /**
   * The aggregate of the folder for the analysis of `self`: read again only
   * when the host says (or shows) that something in the folder changed.
   */
  private folderAggregate(dir: string, self: string): FolderAggregate {
    const version = this.host.folderVersion?.(dir);
    let agg = this.folders.get(dir);
    if (agg && agg.maxFileSize !== this.settings.maxFileSize) agg = undefined;
    if (agg && (version === undefined || agg.version !== version)) {
      // Something may have changed: the same listing and var files with a few templates changed (a fix applied, a
      // keystroke) are taken in place; anything else is read again.
      const changed = this.changedFiles(agg, dir);
      if (changed === undefined || changed.some((f) => f.toLowerCase().endsWith('.auto.pkrvars.hcl'))) agg = undefined;
      else {
        for (const f of changed) {
          this.removeMember(agg, f);
          if (f !== self) this.addMember(agg, f);
          else {
            // The template analysed now (an open document at each keystroke): the next other template reads it.
            agg.reads.delete(f);
            if (agg.pending !== undefined) this.addMember(agg, agg.pending);
            agg.pending = f;
          }
        }
      }
    }
    if (agg) agg.version = version;
    else {
      const listing = this.host.listDir(dir);
      const names = [...(listing ?? [])].sort();
      agg = {
        version, maxFileSize: this.settings.maxFileSize, listing, names, files: [], order: new Map(), reads: new Map(), pending: undefined, dirty: new Set(),
        members: [], overrides: new Map(), variables: new Map(), locals: new Map(), definers: new Map(), counts: new Map(), changes: [], byFile: new Map(),
      };
      for (const name of names) {
        const file = path.join(dir, name);
        const lower = name.toLowerCase();
        const varFile = lower.endsWith('.auto.pkrvars.hcl');
        if (!varFile && !lower.endsWith('.pkr.hcl') && !lower.endsWith('.pkr.json')) continue;
        agg.order.set(file, agg.files.length);
        agg.files.push(file);
        if (!varFile) {
          if (file === self) agg.pending = file;
          else this.addMember(agg, file);
          continue;
        }
        const text = this.host.readFile(file);
        agg.reads.set(file, text);
        if (text === undefined || text.length > this.settings.maxFileSize) continue;
        try {
          for (const [k, v] of parseHclVarFile(file, text)) agg.overrides.set(k, v);
        } catch (e) {
          if (!(e instanceof ParseTooSlow)) throw e; // a var file the parser gives up on sets nothing we can know
        }
      }
      // A folder of one template has nothing to share: not kept (a workspace of 20,000 folders would hold 20,000 empty aggregates).
      if (agg.files.some((f) => f !== self)) this.folders.set(dir, agg);
    }
    if (agg.pending !== undefined && agg.pending !== self) {
      this.addMember(agg, agg.pending);
      agg.pending = undefined;
    }
    return agg;
  }

  /** The builders and required plugins of the folder's templates in one list each, and each template's run in it. */
  private flattened(agg: FolderAggregate): NonNullable<FolderAggregate['flat']> {
    if (!agg.flat) {
      const flat: NonNullable<FolderAggregate['flat']> = { builders: [], builderRuns: new Map(), requiredPlugins: [], pluginRuns: new Map() };
      for (const t of agg.members) {
        flat.builderRuns.set(t.file, [flat.builders.length, flat.builders.length + t.builders.length]);
        flat.builders.push(...t.builders);
        flat.pluginRuns.set(t.file, [flat.requiredPlugins.length, flat.requiredPlugins.length + t.requiredPlugins.length]);
        flat.requiredPlugins.push(...t.requiredPlugins);
      }
      agg.flat = flat;
    }
    return agg.flat;
  }

  /** Reads a template of the folder into its aggregate, in its place in name order. */
  private addMember(agg: FolderAggregate, file: string): void {
    const { text, template: t } = this.sibling(file);
    agg.reads.set(file, text);
    if (!t) return;
    const at = agg.order.get(file)!;
    const insert = <T>(list: T[], item: T, fileOf: (x: T) => string) => {
      let i = list.length;
      while (i > 0 && agg.order.get(fileOf(list[i - 1]))! > at) i--;
      list.splice(i, 0, item);
    };
    insert(agg.members, t, (m) => m.file);
    agg.byFile.set(file, t);
    agg.changes.push(file);
    agg.flat = undefined;
    const define = (defs: Map<string, Definition[]>, name: string, value: Value) => {
      const list = defs.get(name) ?? [];
      insert(list, { file, value }, (d) => d.file);
      defs.set(name, list);
    };
    for (const [k, v] of t.variables) define(agg.variables, k, v);
    for (const [k, v] of t.locals) define(agg.locals, k, v);
    for (const n of definedNames(t)) {
      const set = agg.definers.get(n) ?? new Set<string>();
      set.add(file);
      agg.definers.set(n, set);
    }
  }

  /** Takes a template of the folder out of its aggregate (its text changed). */
  private removeMember(agg: FolderAggregate, file: string): void {
    if (!agg.byFile.has(file)) return;
    const i = agg.members.findIndex((m) => m.file === file);
    const [t] = agg.members.splice(i, 1);
    agg.byFile.delete(file);
    agg.changes.push(file);
    agg.flat = undefined;
    const undefine = (defs: Map<string, Definition[]>, name: string) => {
      const list = defs.get(name)?.filter((d) => d.file !== file) ?? [];
      if (list.length > 0) defs.set(name, list);
      else defs.delete(name);
    };
    for (const k of t.variables.keys()) undefine(agg.variables, k);
    for (const k of t.locals.keys()) undefine(agg.locals, k);
    for (const n of definedNames(t)) {
      const set = agg.definers.get(n);
      set?.delete(file);
      if (set?.size === 0) agg.definers.delete(n);
    }
  }

  /**
   * The files the aggregate read whose text is not what it read (through the
   * host), or that `invalidate()` named; undefined when the folder's listing changed.
   */
  private changedFiles(agg: FolderAggregate, dir: string): string[] | undefined {
    const listing = this.host.listDir(dir);
    if (listing !== agg.listing) {
      if (listing === undefined || agg.listing === undefined || listing.length !== agg.names.length) return undefined;
      const names = [...listing].sort();
      if (names.some((n, i) => n !== agg.names[i])) return undefined;
      agg.listing = listing;
    }
    const changed: string[] = [];
    for (const [file, text] of agg.reads) if (this.host.readFile(file) !== text || agg.dirty.has(file)) changed.push(file);
    agg.dirty.clear();
    return changed;
  }

  /** A sibling file's text as read, and its template (parsed once per text). */
  private sibling(file: string): { text: string | undefined; template: Template | undefined } {
    const text = this.host.readFile(file);
    if (text === undefined || text.length > this.settings.maxFileSize) return { text, template: undefined };
    const c = this.siblings.get(file);
    if (c && c.text === text) return { text, template: c.value };
    let t: Template | undefined;
    try {
      t = this.parse(file, text);
    } catch (e) {
      if (e instanceof HclNotLoaded) throw e; // not a verdict on the file: the caller loads the parser and asks again
      t = undefined;
    }
    this.siblings.set(file, { text, value: t });
    return { text, template: t };
  }
}

/**
 * What the rules read of a set of plans, as text: equal signatures give equal
 * findings (the transfer tool only matters to the rules once the OpenSSH
 * version is known; messages name it, and the first flavor's words are kept).
 */
function planSignature(plans: SocketPlan[], transferMatters: boolean, made: WeakMap<object, string>): string {
  const setting = (s: Setting | undefined) => (s ? `${s.label}=${s.value}@${s.file}:${s.span.start}` : '');
  const target = (t: SocketTarget) => (t.kind === 'none' ? `none:${t.why}` : `${t.path}|${t.inDefaultDir}|${t.via}|${setting(t.decidedBy)}`);
  return plans.map((p) => {
    if (!p.known) return `?${p.why}`;
    const known = made.get(p.argv);
    if (known !== undefined) return known;
    const args = (parts: ArgPart[]) => parts.map((x) => `${setting(x.setting)}:${x.args.join('\u0001')}`).join(';');
    const signature = [target(p.ssh), target(p.transfer), transferMatters ? `${p.transferTool}${p.transferFallsBack ? '+piped' : ''}` : '', args(p.argv.ssh), args(p.argv.transfer), setting(p.controlPath), setting(p.controlPathDir),
      setting(p.sshArgs), setting(p.sshCommonArgs), setting(p.sshExtraArgs), setting(p.transferExtraArgs), p.broken.map((b) => `${setting(b.setting)}:${b.why}`).join(','), p.override?.builder ?? '',
      `${p.useProxy}|${p.user}|${p.endpoint.hostBytes}|${p.endpoint.portBytes}`].join('\u0002');
    made.set(p.argv, signature);
    return signature;
  }).join('\n');
}

/** What analyzeVariant needs of the analysis of one template. */
interface VariantRun {
  template: Template;
  scope: Scope;
  planContext: PlanContext;
  /** The template's ansible provisioners. */
  ansible: Provisioner[];
  flavors: Flavor[];
  requiredPlugins: RequiredPlugin[];
  /** References to a pattern in the template's text and, when the folder is one configuration, in its other files. */
  count: (pattern: RegExp) => number;
  docOf: (file: string) => Pick<TextDocument, 'positionAt'>;
  /** Every flavor's plans, of every variant (out). */
  allPlans: SocketPlan[];
  results: VariantFindings[];
}

interface VariantFindings {
  flavor: Flavor;
  /** The var file the variant was analysed with (relative to the template), if any. */
  varFile?: string;
  findings: Finding[];
}

/**
 * One list of findings from the findings of each variant (version flavor,
 * var file): a finding every variant has (same rule and place) once; one
 * that only some have, once, saying which versions and var files it holds for.
 */
function mergeVariants(results: VariantFindings[], flavors: Flavor[], varFiles: (string | undefined)[]): Finding[] {
  const byKey = new Map<string, { finding: Finding; flavors: Flavor[]; varFiles: Set<string | undefined> }>();
  for (const { flavor, varFile, findings } of results) {
    for (const f of findings) {
      // One finding per rule and place: flavors may word it differently (scp or sftp), the first flavor's words are kept.
      const key = `${f.ruleId}\0${f.file}\0${JSON.stringify(f.range)}`;
      const e = byKey.get(key) ?? { finding: f, flavors: [], varFiles: new Set() };
      if (!e.flavors.includes(flavor)) e.flavors.push(flavor);
      e.varFiles.add(varFile);
      byKey.set(key, e);
    }
  }
  const out: Finding[] = [];
  for (const { finding, flavors: holds, varFiles: files } of byKey.values()) {
    const parts: string[] = [];
    const versions = describeFlavors(holds, flavors);
    if (versions) parts.push(versions);
    if (files.size < new Set(varFiles).size) parts.push(`-var-file=${[...files].join(' or -var-file=')}`);
    const holdsFor = parts.length ? parts.join(', with ') : undefined;
    out.push(holdsFor ? { ...finding, holdsFor, message: `${finding.message} (With ${holdsFor}.)` } : finding);
  }
  // In reading order per file, rules in their listed order at the same place.
  const rank = (f: Finding) => RULES.findIndex((r) => r.id === f.ruleId);
  return out.sort((a, b) => (a.file === b.file ? 0 : a.file < b.file ? -1 : 1)
    || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || rank(a) - rank(b));
}

/** How many times a variable or local is referenced in the folder's texts (`count`), besides the one use at hand. */
function otherUses(via: string, count: (pattern: RegExp) => number): number {
  const m = /^(var|local|user) (.+)$/.exec(via.replace('.', ' '));
  if (!m) return 0;
  const name = m[2].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = m[1] === 'user' ? new RegExp(`\\{\\{\\s*user\\s+[\`"]${name}[\`"]`, 'g') : referencePattern(m[1], name);
  return Math.max(0, count(re) - 1);
}

function toFinding(rule: Rule, raw: RawFinding, severity: Severity, doc: (file: string) => Pick<TextDocument, 'positionAt'>, toolchain: Toolchain): Finding {
  const range = (file: string, s: { start: number; end: number }) => ({ start: doc(file).positionAt(s.start), end: doc(file).positionAt(s.end) });
  const assumes = rule.toolchain && Object.fromEntries(rule.toolchain.filter((k) => toolchain[k]).map((k) => [k, toolchain[k]]));
  return {
    ruleId: rule.id,
    ...(assumes ? { assumes } : {}),
    // A finding may carry its own severity (Packer rejects the template); a severity the user set wins.
    severity: severity !== rule.defaultSeverity ? severity : raw.severity ?? severity,
    message: raw.message,
    file: raw.file,
    range: range(raw.file, raw.span),
    fixes: raw.fixes.map((f) => {
      const byFile = new Map<string, { range: ReturnType<typeof range>; newText: string }[]>();
      for (const e of f.edits) {
        const list = byFile.get(e.file) ?? [];
        list.push({ range: range(e.file, e), newText: e.newText });
        byFile.set(e.file, list);
      }
      return { title: f.title, isPreferred: f.isPreferred, edits: [...byFile].map(([file, edits]) => ({ file, edits })) };
    }),
  };
}

/** The documentation page of a rule. */
export function ruleDocs(ruleId: string): string {
  return `${DOCS_BASE}${ruleId}.md`;
}
