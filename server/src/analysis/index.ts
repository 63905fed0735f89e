/** The pure analysis core of packer-bake: parse, model, socket plan, rules, fixes. */
export * from './types';
export { Analyzer, DEFAULT_SETTINGS, PARSE_ERROR, SKIPPED, formatForName, ruleDocs } from './analyze';
export type { AnalysisHost, AnalysisResult, AnalysisSettings, RuleSeverity } from './analyze';
export { initHcl, hclReady, type HclRuntimeSource } from './parseHcl';
export { RULES } from './rules';
export type { Rule } from './rules';
export { applyEdits, fixAll } from './fixes/apply';
export type { SocketPlan, KnownPlan, SocketTarget } from './socketPlan';
