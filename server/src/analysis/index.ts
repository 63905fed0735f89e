/** The pure analysis core of packer-bake: parse, model, socket plan, rules, fixes. */
export * from './types';
export { Analyzer, DEFAULT_SETTINGS, PARSE_ERROR, SKIPPED, formatForName, ruleDocs } from './analyze';
export type { AnalysisHost, AnalysisResult, AnalysisSettings, RuleSeverity } from './analyze';
export { initHcl, hclReady, type HclRuntimeSource } from './parseHcl';
import { RULES as TEMPLATE_RULES } from './rules';
import { CONTAINER_RULES } from './containers';
/** Every rule, the templates' then the container files': ids, severities and descriptions for settings, the CLI and SARIF. */
export const RULES = [...TEMPLATE_RULES, ...CONTAINER_RULES];
export { containerFileKind, CONTAINER_DIRS } from './containers';
export type { Rule } from './rules';
export { applyEdits, fixAll } from './fixes/apply';
export type { SocketPlan, KnownPlan, SocketTarget } from './socketPlan';
