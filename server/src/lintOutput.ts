/**
 * What `packer-bake lint` prints: findings as text (with a reviewdog `-efm`),
 * JSON, SARIF 2.1.0 (GitHub code scanning), GitHub Actions workflow commands
 * (annotations), or reviewdog's rdjson.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type * as Sarif from 'sarif';
import { PARSE_ERROR, RULES, SKIPPED, ruleDocs, type Finding, type Severity } from './analysis';
import { REPOSITORY_URL, RULE_DOCS_BASE } from './shared/repository';

/** The values of `--format`. */
export const FORMATS = ['text', 'json', 'sarif', 'github', 'rdjson'] as const;
export type Format = (typeof FORMATS)[number];

export interface RenderContext {
  /** Paths in text, JSON and rdjson are relative to this folder (the current one). */
  cwd: string;
  toolVersion: string;
  /** The text of a file the findings point into (for byte columns, fingerprints and suggestions). */
  readText(file: string): string | undefined;
  /** The environment: `GITHUB_WORKSPACE` is the root SARIF and annotation paths are relative to. */
  env?: Record<string, string | undefined>;
}

export function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.file}\0${f.ruleId}\0${JSON.stringify(f.range)}\0${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function display(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

/**
 * Characters that would let a file name or a value from a template forge
 * lines of the text report, or reorder what a terminal shows: C0/C1 controls,
 * DEL, line and paragraph separators, bidirectional overrides.
 */
const FORGING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A file name as the text report prints it: as is, or JSON-quoted when it holds such a character (or starts with a quote). */
export function displayText(file: string, cwd: string): string {
  const shown = display(file, cwd);
  return FORGING.test(shown) || shown.startsWith('"') ? JSON.stringify(shown) : shown;
}

/** A message for one line of the text report: those characters escaped as in JSON. */
function oneLine(message: string): string {
  return FORGING.test(message) ? JSON.stringify(message).slice(1, -1) : message;
}

export function render(format: Format, findings: Finding[], ctx: RenderContext): string {
  switch (format) {
    case 'json':
      return JSON.stringify(findings.map((f) => ({ file: display(f.file, ctx.cwd), rule: f.ruleId, severity: f.severity, message: f.message, range: f.range })), null, 2);
    case 'sarif':
      return JSON.stringify(sarif(findings, ctx), null, 2);
    case 'github':
      return githubCommands(findings, ctx);
    case 'rdjson':
      return JSON.stringify(rdjson(findings, ctx), null, 2);
    case 'text':
      return text(findings, ctx.cwd);
  }
}

/**
 * Annotations to print (on stderr) beside the text report when running in
 * GitHub Actions, as ansible-lint does: the runner turns them into annotations
 * on the pull request. Machine formats (json, sarif, rdjson) get none: their
 * consumer reports the findings itself.
 */
export function annotationsBeside(format: Format, findings: Finding[], ctx: RenderContext): string | undefined {
  return format === 'text' && ctx.env?.GITHUB_ACTIONS === 'true' && findings.length > 0 ? githubCommands(findings, ctx) : undefined;
}

// ---- text ----------------------------------------------------------------

/**
 * `<file>:<line>:<column>: <severity> <rule>: <message>`, 1-based, the
 * column in UTF-16 code units as editors count. reviewdog reads it with
 * the `-efm` patterns in the README (rdjson has byte-exact columns).
 */
function text(findings: Finding[], cwd: string): string {
  if (findings.length === 0) return 'packer-bake: no problems found';
  const lines = findings.map((f) => `${displayText(f.file, cwd)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.ruleId}: ${oneLine(f.message)}`);
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  lines.push('', `${findings.length} problem${findings.length === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})`);
  return lines.join('\n');
}


// ---- paths ----------------------------------------------------------------

/**
 * The folder repository-relative paths start from: `GITHUB_WORKSPACE` in
 * GitHub Actions when the files are inside it (annotations and code
 * scanning want paths from the repository root), else the current folder.
 */
function repositoryRoot(ctx: RenderContext): string {
  const ws = ctx.env?.GITHUB_WORKSPACE;
  if (ws && path.isAbsolute(ws)) {
    const rel = path.relative(ws, ctx.cwd);
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) return ws;
  }
  return ctx.cwd;
}

// ---- GitHub Actions workflow commands --------------------------------------

const ANNOTATION_LEVEL: Record<Severity, 'error' | 'warning' | 'notice'> = { error: 'error', warning: 'warning', info: 'notice', hint: 'notice' };

/** Escaping of a workflow command's message (as @actions/core does). */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escaping of a workflow command's property value: also `:` and `,`, which delimit properties. */
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * One `::error title=…,file=…,line=…,endLine=…,col=…,endColumn=…::message`
 * per finding. Columns only for findings on one line: GitHub ignores them
 * on a range over several lines.
 */
function githubCommands(findings: Finding[], ctx: RenderContext): string {
  const root = repositoryRoot(ctx);
  return findings
    .map((f) => {
      const { start, end } = f.range;
      // The order @actions/core writes them in.
      const props: [string, string | number][] = [['title', `packer-bake ${f.ruleId}`], ['file', display(f.file, root)], ['line', start.line + 1], ['endLine', end.line + 1]];
      if (start.line === end.line) props.push(['col', start.character + 1], ['endColumn', Math.max(end.character, start.character + 1)]);
      return `::${ANNOTATION_LEVEL[f.severity]} ${props.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',')}::${escapeData(f.message)}`;
    })
    .join('\n');
}

// ---- SARIF 2.1.0 -------------------------------------------------------------

const SARIF_LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/** Rules for the SARIF driver: every rule, plus the two findings that are not rules (parse errors, skipped files). */
function sarifRules(): Sarif.ReportingDescriptor[] {
  const rules: Sarif.ReportingDescriptor[] = RULES.map((r) => {
    const helpUri = ruleDocs(r.id);
    return {
      id: r.id,
      name: r.id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase()),
      shortDescription: { text: r.description },
      fullDescription: { text: r.description },
      helpUri,
      help: { text: `${r.description} See ${helpUri}`, markdown: ruleHelpMarkdown(r.id) ?? `${r.description}\n\n[Documentation](${helpUri})` },
      defaultConfiguration: { level: SARIF_LEVEL[r.defaultSeverity] },
      properties: { tags: ['packer', 'ansible', 'ssh'] },
    };
  });
  rules.push(
    { id: PARSE_ERROR, name: 'ParseError', shortDescription: { text: 'The template cannot be parsed.' }, defaultConfiguration: { level: 'error' } },
    { id: SKIPPED, name: 'FileSkipped', shortDescription: { text: 'The file was not analysed (too large, or cannot be read as text).' }, defaultConfiguration: { level: 'note' } },
  );
  return rules;
}

/**
 * The rule's page shipped beside the bundle (dist/docs/rules/), with its
 * relative links made absolute against the repository's docs: GitHub shows
 * it next to the alert. Undefined where the page is not there (sources).
 */
function ruleHelpMarkdown(ruleId: string): string | undefined {
  let page: string;
  try {
    page = fs.readFileSync(path.join(__dirname, 'docs', 'rules', `${ruleId}.md`), 'utf8');
  } catch {
    return undefined;
  }
  return page.replace(/\]\(([^)\s]+)\)/g, (whole, target: string) => (/^([a-z][a-z0-9+.-]*:|#)/i.test(target) ? whole : `](${new URL(target, RULE_DOCS_BASE).href})`));
}

/** A URI reference for a path relative to the root (segments percent-encoded), or a file: URI for one outside it. */
function artifactLocation(file: string, root: string): Sarif.ArtifactLocation {
  const shown = display(file, root);
  if (path.isAbsolute(shown)) return { uri: `file://${shown.split(path.sep).map(encodeURIComponent).join('/')}` };
  return { uri: shown.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
}

function sarif(findings: Finding[], ctx: RenderContext): Sarif.Log {
  const root = repositoryRoot(ctx);
  const rules = sarifRules();
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const seen = new Map<string, number>();
  const results: Sarif.Result[] = findings.map((f) => {
    const location = artifactLocation(f.file, root);
    // Stable across runs and line shifts: the rule, the file and the flagged text, numbered when they repeat.
    const flagged = flaggedText(f, ctx) ?? `${f.range.start.line}:${f.range.start.character}`;
    const key = `${f.ruleId}\0${location.uri}\0${flagged}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId) ?? -1,
      level: SARIF_LEVEL[f.severity],
      message: { text: f.message },
      locations: [{
        physicalLocation: {
          artifactLocation: location,
          region: { startLine: f.range.start.line + 1, startColumn: f.range.start.character + 1, endLine: f.range.end.line + 1, endColumn: f.range.end.character + 1 },
        },
      }],
      partialFingerprints: { 'packerBakeFinding/v1': createHash('sha256').update(`${key}\0${n}`).digest('hex').slice(0, 32) },
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'packer-bake', version: ctx.toolVersion, semanticVersion: ctx.toolVersion, informationUri: REPOSITORY_URL, rules } },
      originalUriBaseIds: { '%SRCROOT%': { uri: `file://${root.split(path.sep).map(encodeURIComponent).join('/')}/` } },
      // LSP positions: UTF-16 code units, as SARIF's default assumes.
      columnKind: 'utf16CodeUnits',
      results,
    }],
  };
}

/** The text a finding's range covers, when the file can be read. */
function flaggedText(f: Finding, ctx: RenderContext): string | undefined {
  const lines = linesOf(f.file, ctx);
  if (!lines) return undefined;
  const { start, end } = f.range;
  if (start.line === end.line) return lines[start.line]?.slice(start.character, end.character);
  return [lines[start.line]?.slice(start.character), ...lines.slice(start.line + 1, end.line), lines[end.line]?.slice(0, end.character)].join('\n');
}

const lineCache = new WeakMap<RenderContext, Map<string, string[] | undefined>>();

function linesOf(file: string, ctx: RenderContext): string[] | undefined {
  let files = lineCache.get(ctx);
  if (!files) lineCache.set(ctx, (files = new Map()));
  if (!files.has(file)) files.set(file, ctx.readText(file)?.split(/\r\n|\r|\n/));
  return files.get(file);
}

// ---- reviewdog rdjson --------------------------------------------------------

interface RdPosition { line: number; column: number }
interface RdRange { start: RdPosition; end: RdPosition }

const RD_SEVERITY: Record<Severity, 'ERROR' | 'WARNING' | 'INFO'> = { error: 'ERROR', warning: 'WARNING', info: 'INFO', hint: 'INFO' };

/**
 * reviewdog's DiagnosticResult (`-f=rdjson`). Columns are 1-based UTF-8 byte
 * counts there, ends exclusive; the preferred fix's edits in the same file
 * become suggestions (reviewdog's github-pr-review reporter offers them).
 */
function rdjson(findings: Finding[], ctx: RenderContext) {
  const position = (file: string, p: { line: number; character: number }): RdPosition => {
    const line = linesOf(file, ctx)?.[p.line];
    return { line: p.line + 1, column: (line === undefined ? p.character : Buffer.byteLength(line.slice(0, p.character), 'utf8')) + 1 };
  };
  const range = (file: string, r: Finding['range']): RdRange => ({ start: position(file, r.start), end: position(file, r.end) });
  return {
    source: { name: 'packer-bake', url: REPOSITORY_URL },
    diagnostics: findings.map((f) => {
      const preferred = f.fixes.find((x) => x.isPreferred);
      const edits = preferred && preferred.edits.every((e) => e.file === f.file) ? preferred.edits.flatMap((e) => e.edits) : [];
      const isRule = RULES.some((r) => r.id === f.ruleId);
      return {
        message: f.message,
        location: { path: display(f.file, ctx.cwd), range: range(f.file, f.range) },
        severity: RD_SEVERITY[f.severity],
        code: isRule ? { value: f.ruleId, url: ruleDocs(f.ruleId) } : { value: f.ruleId },
        ...(edits.length ? { suggestions: edits.map((e) => ({ range: range(f.file, e.range), text: e.newText })) } : {}),
      };
    }),
  };
}
