/**
 * The entry point of the container analysis: a dev container configuration
 * or CI file in, findings out, through the same host and settings as the
 * template analysis (files beside it, such as a Dockerfile or compose files,
 * come through the host, never from `fs`).
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisHost, AnalysisResult, AnalysisSettings } from '../analyze';
import type { Finding, Severity } from '../types';
import { containerFileKind } from './files';
import { readDevcontainer } from './devcontainer';
import { readWorkflow } from './githubWorkflow';
import { readJenkinsfile } from './jenkinsfile';
import type { ContainerModel } from './model';
import { CONTAINER_RULES } from './rules';

/** Reads a container file into the model the rules query; undefined when the file is not one. */
export function readContainerFile(file: string, text: string, host: AnalysisHost, maxFileSize: number): ContainerModel | undefined {
  switch (containerFileKind(file)) {
    case 'devcontainer':
      return readDevcontainer(file, text, host, maxFileSize);
    case 'github-workflow':
      return readWorkflow(file, text);
    case 'jenkinsfile':
      return readJenkinsfile(file, text);
    default:
      return undefined;
  }
}

export function analyzeContainerFile(
  file: string,
  text: string,
  host: AnalysisHost,
  settings: AnalysisSettings,
  document?: Pick<TextDocument, 'positionAt'>,
): AnalysisResult {
  const model = readContainerFile(file, text, host, settings.maxFileSize);
  if (!model) return { findings: [], plans: [], dependsOn: [] };
  const doc = document ?? TextDocument.create(file, 'text', 0, text);
  const findings: Finding[] = [];
  for (const rule of CONTAINER_RULES) {
    const severity = settings.rules[rule.id] ?? rule.defaultSeverity;
    if (severity === 'off') continue;
    for (const raw of rule.check(model)) {
      const range = (s: { start: number; end: number }) => ({ start: doc.positionAt(s.start), end: doc.positionAt(s.end) });
      findings.push({
        ruleId: rule.id,
        // A finding may carry its own severity; a severity the user set wins.
        severity: severity !== rule.defaultSeverity ? severity : raw.severity ?? (severity as Severity),
        message: raw.message,
        file: raw.file,
        range: range(raw.span),
        fixes: raw.fixes.map((f) => ({
          title: f.title,
          isPreferred: f.isPreferred,
          edits: [{ file, edits: f.edits.map((e) => ({ range: range(e), newText: e.newText })) }],
        })),
      });
    }
  }
  return { findings, plans: [], dependsOn: model.dependsOn };
}
