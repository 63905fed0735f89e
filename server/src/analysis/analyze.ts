/**
 * The entry point of the analysis core: template text in, findings out.
 * Files beside the template (ansible.cfg, sibling HCL files with variables,
 * locals and sources) come through an `AnalysisHost`, never from `fs`.
 */
import * as path from 'path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding, RequiredPlugin, Severity, Template, TemplateFormat, Value } from './types';
import { isLegacyTemplate, jsonTemplate, parseJsonTree } from './parseJson';
import { ParseTooSlow, parseHcl, parseHclVarFile } from './parseHcl';
import { readAnsibleCfg, type AnsibleCfg } from './ansibleCfg';
import { socketPlans, type SocketPlan } from './socketPlan';
import { RULES, type Rule } from './rules';
import { DOCS_BASE } from './rules/rule';
import { DEFAULT_SAFE_DIRS } from './rules/controlPathUnsafeDir';
import type { RawFinding } from './rules/rule';
import type { Scope } from './interpolation';
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
  /** Versions of Packer, the ansible plugin and OpenSSH that will run the build, when known. */
  toolchain: Toolchain;
}

export const DEFAULT_SETTINGS: AnalysisSettings = { rules: {}, safeDirectories: [], maxFileSize: 5 * 1024 * 1024, toolchain: {} };

/** Finding ids that are not rules: the template could not be read. */
export const PARSE_ERROR = 'parse-error';
export const SKIPPED = 'file-skipped';

export interface AnalysisResult {
  /** Undefined when the file is not a Packer template (or was skipped). */
  template?: Template;
  findings: Finding[];
  /** The socket plans the rules ran over. */
  plans: SocketPlan[];
  /** Other files the result depends on (ansible.cfg files, sibling templates): re-analyse when they change. */
  dependsOn: string[];
  /**
   * The directory Packer runs in, as the analysis assumed it (where ansible.cfg
   * and relative paths are read from), and why. Undefined for unsaved documents.
   */
  workingDirectory?: { dir: string; reason: string };
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

export class Analyzer {
  private readonly siblings = new Map<string, Cached<Template | undefined>>();
  private readonly cfgs = new Map<string, Cached<AnsibleCfg>>();
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
    const { root, problems } = parseJsonTree(text);
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
    const empty: AnalysisResult = { findings: [], plans: [], dependsOn: [] };
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
    const findings: Finding[] = template.problems.map((p) => ({
      ruleId: PARSE_ERROR, severity: 'error' as Severity, message: p.message, file, range: { start: doc.positionAt(p.span.start), end: doc.positionAt(p.span.end) }, fixes: [],
    }));

    const dependsOn = new Set<string>();
    const dir = path.dirname(file);
    const context = path.isAbsolute(file)
      ? this.directoryContext(dir, file, template, dependsOn)
      : { variables: new Map<string, Value>(), locals: new Map<string, Value>(), builders: [] as { name: string; communicator?: string }[], requiredPlugins: [] as RequiredPlugin[] };
    const scope: Scope = {
      variables: new Map([...template.variables, ...context.variables]),
      locals: new Map([...context.locals, ...template.locals]),
      templateDir: path.isAbsolute(file) ? dir : undefined,
    };
    const builders = [...template.builders, ...context.builders.filter((b) => !template!.builders.some((t) => t.name === b.name))];
    const loadCfg = (cfgFile: string): AnsibleCfg | undefined => {
      dependsOn.add(cfgFile);
      const cfg = this.loadCfg(cfgFile);
      if (cfg) docs.set(cfgFile, TextDocument.create(cfgFile, 'ini', 0, cfg.text));
      return cfg;
    };
    const plans = template.provisioners
      .filter((p) => p.type === 'ansible')
      .flatMap((p) => socketPlans(p, { template: template!, scope, loadCfg, builders }));

    const ctx = {
      template,
      plans,
      scope,
      safeDirs: [...DEFAULT_SAFE_DIRS, ...this.settings.safeDirectories.map((d) => d.replace(/\/+$/, ''))],
      toolchain: this.settings.toolchain,
      requiredPlugins: [...template.requiredPlugins, ...context.requiredPlugins],
    };
    const seen = new Set<string>();
    for (const rule of RULES) {
      const severity = this.settings.rules[rule.id] ?? rule.defaultSeverity;
      if (severity === 'off') continue;
      for (const raw of rule.check(ctx)) {
        const f = toFinding(rule, raw, severity, docs);
        const key = `${f.ruleId}\0${f.file}\0${raw.span.start}\0${raw.span.end}\0${f.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        findings.push(f);
      }
    }
    const workingDirectory = path.isAbsolute(file) ? { dir, reason: 'the template\'s folder' } : undefined;
    return { template, findings, plans, dependsOn: [...dependsOn], workingDirectory };
  }

  /** Forgets cached sibling templates and config files (call when a file changes on disk). */
  invalidate(file?: string): void {
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

  /** Variables, locals and sources of the other HCL2 files in the template's folder (Packer loads the folder as one). */
  private directoryContext(dir: string, self: string, template: Template, dependsOn: Set<string>) {
    const variables = new Map<string, Value>();
    const locals = new Map<string, Value>();
    const builders: { name: string; communicator?: string }[] = [];
    const requiredPlugins: RequiredPlugin[] = [];
    if (template.format === 'json') return { variables, locals, builders, requiredPlugins };
    const names = (this.host.listDir(dir) ?? []).sort();
    const overrides = new Map<string, Value>();
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
      for (const [k, v] of t.variables) variables.set(k, v);
      for (const [k, v] of t.locals) locals.set(k, v);
      builders.push(...t.builders);
      requiredPlugins.push(...t.requiredPlugins);
    }
    for (const [k, v] of overrides) variables.set(k, v);
    return { variables, locals, builders, requiredPlugins };
  }

  private sibling(file: string): Template | undefined {
    const text = this.host.readFile(file);
    if (text === undefined || text.length > this.settings.maxFileSize) return undefined;
    const c = this.siblings.get(file);
    if (c && c.text === text) return c.value;
    let t: Template | undefined;
    try {
      t = this.parse(file, text);
    } catch {
      t = undefined;
    }
    this.siblings.set(file, { text, value: t });
    return t;
  }
}

function toFinding(rule: Rule, raw: RawFinding, severity: Severity, docs: Map<string, Pick<TextDocument, 'positionAt'>>): Finding {
  const doc = (file: string) => docs.get(file) ?? TextDocument.create(file, 'text', 0, '');
  const range = (file: string, s: { start: number; end: number }) => ({ start: doc(file).positionAt(s.start), end: doc(file).positionAt(s.end) });
  return {
    ruleId: rule.id,
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
