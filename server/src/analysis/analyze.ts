/**
 * The entry point of the analysis core: template text in, findings out.
 * Files beside the template (ansible.cfg, sibling HCL files with variables,
 * locals and sources) come through an `AnalysisHost`, never from `fs`.
 */
import * as path from 'path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Builder, Finding, RequiredPlugin, Severity, Template, TemplateFormat, Value } from './types';
import { isLegacyTemplate, jsonTemplate, parseJsonTree } from './parseJson';
import { ParseTooSlow, parseHcl, parseHclVarFile } from './parseHcl';
import { HclNotLoaded } from './hclParser';
import { readAnsibleCfg, type AnsibleCfg } from './ansibleCfg';
import { socketPlans, type ArgPart, type PlanContext, type SocketPlan, type SocketTarget } from './socketPlan';
import type { Setting } from './settings';
import { RULES, type Rule } from './rules';
import type { RuleContext } from './rules/rule';
import { relativePaths, workingDirectory } from './workingDirectory';
import { atLeast, describeFlavors, flavorsFor, OPENSSH_SCP_USES_SFTP, type Flavor } from './toolchain';
import { DOCS_BASE } from './rules/rule';
import { DEFAULT_SAFE_DIRS } from './rules/controlPathUnsafeDir';
import type { RawFinding } from './rules/rule';
import type { Scope } from './evaluate';
import type { Toolchain } from './toolchain';
import { analyzeContainerFile, containerFileKind } from './containers';

export interface AnalysisHost {
  /** File contents, or undefined when absent or unreadable. */
  readFile(file: string): string | undefined;
  /** Entry names of a directory, or undefined when it cannot be listed. */
  listDir(dir: string): string[] | undefined;
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

interface FolderContext {
  variables: Map<string, Value>;
  locals: Map<string, Value>;
  builders: Builder[];
  requiredPlugins: RequiredPlugin[];
  /** The folder's other files define the same names: Packer builds this file on its own. */
  standalone: boolean;
  /** Every source the folder's build blocks run, as -only names. */
  builds: string[];
  /** The texts the folder's variables and locals are referenced in (to tell whether a variable has other uses). */
  texts: string[];
}

export class Analyzer {
  private readonly siblings = new Map<string, Cached<Template | undefined>>();
  private readonly cfgs = new Map<string, Cached<AnsibleCfg>>();
  private readonly workingDirectories = new Map<string, ReturnType<typeof workingDirectory>>();
  private settings: AnalysisSettings;

  constructor(private readonly host: AnalysisHost, settings: Partial<AnalysisSettings> = {}) {
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
  }

  configure(settings: Partial<AnalysisSettings>): void {
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
  }

  /** Parses a template; undefined when the file is not one. */
  parse(file: string, text: string): Template | undefined {
    const kind = formatForName(file);
    if (!kind) return undefined;
    if (kind === 'hcl') return parseHcl(file, text);
    // Most `.json` files are not legacy templates (package.json, tsconfig.json...): one without a "builders" key
    // cannot be one. A key can only be spelt otherwise with \u escapes; a text with any is parsed to be sure.
    if (kind === 'maybe-json' && !couldBeLegacyTemplate(text)) return undefined;
    const { root, problems } = parseJsonTree(text, file);
    if (kind === 'maybe-json') {
      if (!isLegacyTemplate(root)) return undefined;
      return jsonTemplate(file, text, 'json', root, problems);
    }
    return jsonTemplate(file, text, 'hcl-json', root, problems);
  }

  /**
   * `document`, when the caller has one for this text (the language server's
   * open document), gives the positions: it keeps its line offsets across
   * edits, so they are not computed again for every analysis.
   */
  analyze(file: string, text: string, document?: Pick<TextDocument, 'positionAt'>): AnalysisResult {
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
      template = this.parse(file, text);
    } catch (e) {
      if (!(e instanceof RangeError) && !(e instanceof ParseTooSlow)) throw e;
      const why = e instanceof ParseTooSlow ? `the HCL parser gave up on it (${e.message})` : 'it is nested too deeply to analyse';
      return { ...empty, findings: [{ ruleId: SKIPPED, severity: 'info', message: `packer-bake skipped this file: ${why}.`, file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, fixes: [] }] };
    }
    if (!template) return empty;
    const doc = document ?? TextDocument.create(file, 'packer', 0, text);
    const docs = new Map<string, Pick<TextDocument, 'positionAt'>>([[file, doc]]);
    // Findings and fixes may point into another file: an ansible.cfg, a sibling's variable default.
    const docOf = (f: string): Pick<TextDocument, 'positionAt'> => {
      let d = docs.get(f);
      if (!d) {
        d = TextDocument.create(f, 'text', 0, this.siblings.get(f)?.text ?? this.cfgs.get(f)?.text ?? this.host.readFile(f) ?? '');
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
      variables: new Map([...template.variables, ...(merged ? folder.variables : [])]),
      locals: new Map([...(merged ? folder.locals : []), ...template.locals]),
      templateDir: absolute ? dir : undefined,
    };
    const cwd = absolute ? this.workingDirectoryOf(template, baseScope) : undefined;
    for (const c of cwd?.checked ?? []) dependsOn.add(c);
    const scope: Scope = { ...baseScope, cwd: cwd?.dir };
    const builders = [...template.builders, ...(merged ? folder.builders.filter((b) => !template!.builders.some((t) => t.name === b.name)) : [])];
    const loadCfg = (cfgFile: string): AnsibleCfg | undefined => {
      dependsOn.add(cfgFile);
      const cfg = this.loadCfg(cfgFile);
      if (cfg) docs.set(cfgFile, TextDocument.create(cfgFile, 'ini', 0, cfg.text));
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
    const texts = [template.text, ...(merged ? folder.texts : [])];
    const flavors = flavorsFor(this.settings.toolchain);
    const ansible = template.provisioners.filter((p) => p.type === 'ansible');
    const allPlans: SocketPlan[] = [];
    const results: VariantFindings[] = [];
    const variants = absolute ? this.varFileVariants(template, [dir, path.join(dir, 'vars'), ...(cwd && cwd.dir !== dir ? [cwd.dir, path.join(cwd.dir, 'vars')] : [])], scope, texts, dependsOn) : [{ variables: scope.variables }];
    for (const variant of variants) {
      const vscope: Scope = { ...scope, variables: variant.variables };
      const vplan: PlanContext = { ...planContext, scope: vscope };
      // Flavors whose plans come out the same need the rules run once (most templates).
      const seen = new Map<string, Finding[]>();
      const transferMatters = atLeast(this.settings.toolchain.openssh, OPENSSH_SCP_USES_SFTP) === true;
      for (const flavor of flavors) {
        const plans = ansible.flatMap((p) => socketPlans(p, vplan, flavor));
        allPlans.push(...plans);
        const signature = planSignature(plans, transferMatters);
        const same = seen.get(signature);
        if (same) {
          results.push({ flavor, varFile: variant.varFile, findings: same });
          continue;
        }
        const ctx: RuleContext = {
          template,
          plans,
          scope: vscope,
          safeDirs: [...DEFAULT_SAFE_DIRS, ...this.settings.safeDirectories.map((d) => d.replace(/\/+$/, ''))],
          toolchain: this.settings.toolchain,
          requiredPlugins: [...template.requiredPlugins, ...(merged ? folder.requiredPlugins : [])],
          flavor,
          otherUses: (via) => otherUses(via, texts),
        };
        const out: Finding[] = [];
        for (const rule of RULES) {
          const severity = this.settings.rules[rule.id] ?? rule.defaultSeverity;
          if (severity === 'off') continue;
          for (const raw of rule.check(ctx)) out.push(toFinding(rule, raw, severity, docOf, this.settings.toolchain));
        }
        results.push({ flavor, varFile: variant.varFile, findings: out });
        seen.set(signature, out);
      }
    }
    findings.push(...mergeVariants(results, flavors, variants.map((v) => v.varFile)));
    const wd = cwd ? { dir: cwd.dir, reason: cwd.reason } : undefined;
    const builds = template.format === 'json'
      ? [...new Set(template.builders.map((b) => b.name))]
      : [...new Set([...template.builds.flatMap((b) => b.sources.map((x) => x.name)), ...(merged ? folder.builds : [])])];
    return { template, findings, plans: allPlans, dependsOn: [...dependsOn], workingDirectory: wd, builds };
  }

  /**
   * The values the template is analysed with: its defaults; or, when some
   * variable it uses has no default and var files next to it (not
   * `*.auto.pkrvars.hcl`, which Packer loads itself) set it, each of those
   * var files in turn, as `packer build -var-file=...` would.
   */
  private varFileVariants(template: Template, dirs: string[], scope: Scope, texts: string[], dependsOn: Set<string>): { varFile?: string; variables: Map<string, Value> }[] {
    const base = [{ variables: scope.variables }];
    if (template.format === 'json') return base;
    const out: { varFile?: string; variables: Map<string, Value> }[] = [];
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
        const needed = [...values.keys()].some((k) => !scope.variables.has(k) && texts.some((t) => new RegExp(`\\bvar\\.${k.replace(/[^A-Za-z0-9_-]/g, '')}\\b`).test(t)));
        if (!needed) continue;
        dependsOn.add(file);
        out.push({ varFile: path.relative(path.dirname(template.file), file), variables: new Map([...scope.variables, ...values]) });
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
    const key = `${template.file}\0${given ?? ''}\0${roots.join('\0')}\0${relativePaths(template, scope).map((r) => `${r.from}=${r.path}`).join('\0')}`;
    const known = this.workingDirectories.get(key);
    if (known) return known;
    const wd = workingDirectory({ template, scope, listDir: (d) => this.host.listDir(d), roots, given });
    if (this.workingDirectories.size >= 1000) this.workingDirectories.clear();
    this.workingDirectories.set(key, wd);
    return wd;
  }

  /** Forgets cached sibling templates and config files (call when a file changes on disk). */
  invalidate(file?: string): void {
    this.workingDirectories.clear();
    if (file === undefined) {
      this.siblings.clear();
      this.cfgs.clear();
    } else {
      this.siblings.delete(file);
      this.cfgs.delete(file);
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
   */
  private folderContext(dir: string, self: string, template: Template, dependsOn: Set<string>): FolderContext {
    const ctx: FolderContext = { variables: new Map(), locals: new Map(), builders: [], requiredPlugins: [], standalone: false, builds: [], texts: [] };
    if (template.format === 'json') return ctx;
    const names = (this.host.listDir(dir) ?? []).sort();
    const overrides = new Map<string, Value>();
    const own = new Set([...[...template.variables.keys()].map((k) => `var.${k}`), ...[...template.locals.keys()].map((k) => `local.${k}`), ...template.builders.map((b) => `source.${b.name}`)]);
    for (const name of names) {
      const file = path.join(dir, name);
      if (file === self) continue;
      const lower = name.toLowerCase();
      if (lower.endsWith('.auto.pkrvars.hcl')) {
        const text = this.host.readFile(file);
        dependsOn.add(file);
        if (text === undefined || text.length > this.settings.maxFileSize) continue;
        try {
          for (const [k, v] of parseHclVarFile(file, text)) overrides.set(k, v);
        } catch (e) {
          if (!(e instanceof ParseTooSlow)) throw e; // a var file the parser gives up on sets nothing we can know
        }
        continue;
      }
      if (!lower.endsWith('.pkr.hcl') && !lower.endsWith('.pkr.json')) continue;
      dependsOn.add(file);
      const t = this.sibling(file);
      if (!t) continue;
      const defined = [...[...t.variables.keys()].map((k) => `var.${k}`), ...[...t.locals.keys()].map((k) => `local.${k}`), ...t.builders.map((b) => `source.${b.name}`)];
      if (defined.some((d) => own.has(d))) ctx.standalone = true;
      for (const [k, v] of t.variables) ctx.variables.set(k, v);
      for (const [k, v] of t.locals) ctx.locals.set(k, v);
      ctx.builders.push(...t.builders);
      ctx.requiredPlugins.push(...t.requiredPlugins);
      ctx.builds.push(...t.builds.flatMap((b) => b.sources.map((x) => x.name)));
      ctx.texts.push(t.text);
    }
    for (const [k, v] of overrides) ctx.variables.set(k, v);
    return ctx;
  }

  private sibling(file: string): Template | undefined {
    const text = this.host.readFile(file);
    if (text === undefined || text.length > this.settings.maxFileSize) return undefined;
    const c = this.siblings.get(file);
    if (c && c.text === text) return c.value;
    let t: Template | undefined;
    try {
      t = this.parse(file, text);
    } catch (e) {
      if (e instanceof HclNotLoaded) throw e; // not a verdict on the file: the caller loads the parser and asks again
      t = undefined;
    }
    this.siblings.set(file, { text, value: t });
    return t;
  }
}

/**
 * What the rules read of a set of plans, as text: equal signatures give equal
 * findings (the transfer tool only matters to the rules once the OpenSSH
 * version is known; messages name it, and the first flavor's words are kept).
 */
function planSignature(plans: SocketPlan[], transferMatters: boolean): string {
  const setting = (s: Setting | undefined) => (s ? `${s.label}=${s.value}@${s.file}:${s.span.start}` : '');
  const target = (t: SocketTarget) => (t.kind === 'none' ? `none:${t.why}` : `${t.path}|${t.inDefaultDir}|${t.via}|${setting(t.decidedBy)}`);
  return plans.map((p) => {
    if (!p.known) return `?${p.why}`;
    const args = (parts: ArgPart[]) => parts.map((x) => `${setting(x.setting)}:${x.args.join('\u0001')}`).join(';');
    return [target(p.ssh), target(p.transfer), transferMatters ? `${p.transferTool}${p.transferFallsBack ? '+piped' : ''}` : '', args(p.argv.ssh), args(p.argv.transfer), setting(p.controlPath), setting(p.controlPathDir),
      setting(p.sshArgs), setting(p.sshCommonArgs), setting(p.sshExtraArgs), setting(p.transferExtraArgs), p.broken.map((b) => `${setting(b.setting)}:${b.why}`).join(','), p.override?.builder ?? '',
      `${p.useProxy}|${p.user}|${p.endpoint.hostBytes}|${p.endpoint.portBytes}`].join('\u0002');
  }).join('\n');
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

/** How many times a variable or local is referenced in the folder's texts, besides the one use at hand. */
function otherUses(via: string, texts: string[]): number {
  const m = /^(var|local|user) (.+)$/.exec(via.replace('.', ' '));
  if (!m) return 0;
  const name = m[2].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = m[1] === 'user' ? new RegExp(`\\{\\{\\s*user\\s+[\`"]${name}[\`"]`, 'g') : new RegExp(`\\b${m[1]}\\.${name}\\b`, 'g');
  let n = 0;
  for (const t of texts) n += t.match(re)?.length ?? 0;
  return Math.max(0, n - 1);
}

function toFinding(rule: Rule, raw: RawFinding, severity: Severity, doc: (file: string) => Pick<TextDocument, 'positionAt'>, toolchain: Toolchain): Finding {
  const range = (file: string, s: { start: number; end: number }) => ({ start: doc(file).positionAt(s.start), end: doc(file).positionAt(s.end) });
  const assumes = rule.toolchain && Object.fromEntries(rule.toolchain.flatMap((k) => (toolchain[k] ? [[k, toolchain[k]]] : [])));
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
