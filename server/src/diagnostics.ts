/** Findings of the analysis core as LSP diagnostics. */
import { Diagnostic, DiagnosticSeverity, Range } from 'vscode-languageserver/node';
import { PARSE_ERROR, RULES, SKIPPED, ruleDocs, type Finding, type Severity } from './analysis';

/** `Diagnostic.source` of every packer-bake diagnostic. */
export const SOURCE = 'packer-bake';

/** What a diagnostic carries for its code actions. */
export interface DiagnosticData {
  /**
   * The version of the document the diagnostic is shown in, as analysed (null
   * when it was read from disk). A code action for a diagnostic whose version
   * is not the document's current one is refused: its ranges are out of date.
   */
  version: number | null;
  /** The tool versions the finding assumed (rules that depend on them; a version absent was unknown). */
  toolchain?: Partial<Record<'packer' | 'ansiblePlugin' | 'ansible' | 'openssh', string>>;
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

const RULE_IDS = new Set(RULES.map((r) => r.id));

/** A rule id's documentation link: https by default, a client command when the client named one. */
let ruleLink: (ruleId: string) => string = ruleDocs;

/**
 * Links rule ids to `command:<command>?["<id>"]` instead of the https page
 * (the client's `initializationOptions.ruleDocsCommand`; VS Code opens the
 * page shipped in the extension). Undefined or malformed: https links.
 */
export function useRuleDocsCommand(command: unknown): void {
  ruleLink = typeof command === 'string' && /^[\w.-]+$/.test(command)
    ? (id) => `command:${command}?${encodeURIComponent(JSON.stringify([id]))}`
    : ruleDocs;
}

/** True for the ids of rules (which have a documentation page), false for `parse-error` and `file-skipped`. */
export function isRuleId(id: string): boolean {
  return RULE_IDS.has(id) && id !== PARSE_ERROR && id !== SKIPPED;
}

export function toDiagnostic(f: Finding, version: number | null): Diagnostic {
  const d: Diagnostic = {
    range: f.range,
    severity: SEVERITY[f.severity] ?? DiagnosticSeverity.Warning,
    code: f.ruleId,
    source: SOURCE,
    message: f.message,
  };
  if (isRuleId(f.ruleId)) d.codeDescription = { href: ruleLink(f.ruleId) };
  d.data = (f.assumes ? { version, toolchain: f.assumes } : { version }) satisfies DiagnosticData;
  return d;
}

export function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

function compareRange(a: Range, b: Range): number {
  return a.start.line - b.start.line || a.start.character - b.start.character || a.end.line - b.end.line || a.end.character - b.end.character;
}

/**
 * One list from the diagnostics several templates contribute to a file (two
 * templates using one ansible.cfg report its problem once), in document order.
 */
export function mergeDiagnostics(lists: Iterable<Diagnostic[]>): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const list of lists) {
    for (const d of list) {
      const key = JSON.stringify([d.code, d.range, d.message, d.severity]);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(d);
    }
  }
  return out.sort((a, b) => compareRange(a.range, b.range) || String(a.code).localeCompare(String(b.code)));
}

/** The version a diagnostic was computed for, or undefined when it carries none (not one of ours). */
export function diagnosticVersion(d: Diagnostic): number | null | undefined {
  const data = d.data as Partial<DiagnosticData> | undefined;
  if (!data || typeof data !== 'object' || !('version' in data)) return undefined;
  return typeof data.version === 'number' ? data.version : null;
}
