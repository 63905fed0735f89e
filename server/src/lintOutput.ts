/**
 * What `packer-bake lint` prints: findings as text, JSON or SARIF.
 */
import * as path from 'path';
import { SarifBuilder, SarifRunBuilder, SarifResultBuilder, SarifRuleBuilder } from 'node-sarif-builder';
import { RULES, ruleDocs, type Finding } from './analysis';

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

export function render(format: string, findings: Finding[], cwd: string, toolVersion: string): string {
  if (format === 'json') {
    return JSON.stringify(findings.map((f) => ({ file: display(f.file, cwd), rule: f.ruleId, severity: f.severity, message: f.message, range: f.range })), null, 2);
  }
  if (format === 'sarif') return sarif(findings, cwd, toolVersion);
  if (findings.length === 0) return 'packer-bake: no problems found';
  const lines = findings.map((f) => `${displayText(f.file, cwd)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.ruleId}: ${oneLine(f.message)}`);
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  lines.push('', `${findings.length} problem${findings.length === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})`);
  return lines.join('\n');
}

function sarif(findings: Finding[], cwd: string, toolVersion: string): string {
  const builder = new SarifBuilder();
  const runBuilder = new SarifRunBuilder().initSimple({ toolDriverName: 'packer-bake', toolDriverVersion: toolVersion, url: 'https://github.com/packer-bake/packer-bake' });
  for (const r of RULES) {
    runBuilder.addRule(new SarifRuleBuilder().initSimple({ ruleId: r.id, shortDescriptionText: r.description, helpUri: ruleDocs(r.id) }));
  }
  for (const f of findings) {
    runBuilder.addResult(new SarifResultBuilder().initSimple({
      level: f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'note',
      messageText: f.message,
      ruleId: f.ruleId,
      fileUri: display(f.file, cwd),
      startLine: f.range.start.line + 1,
      startColumn: f.range.start.character + 1,
      endLine: f.range.end.line + 1,
      endColumn: f.range.end.character + 1,
    }));
  }
  builder.addRun(runBuilder);
  return builder.buildSarifJsonString({ indent: true });
}
