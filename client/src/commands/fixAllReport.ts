/**
 * What "Packer: Fix All Control-Socket Problems in Workspace" tells the user
 * once the server answered: how many fixes were applied and, when some were
 * withheld (a file outside the workspace folders, a symbolic link leaving
 * them, a read-only or non-UTF-8 file, text that changed meanwhile), which
 * files were left alone and why. Pure, so it is tested without VS Code.
 */
import type { FixAllResult } from '../../../server/src/shared/protocol';

export interface FixAllReport {
  /** 'warning' when a fix was withheld. */
  level: 'info' | 'warning';
  /** The notification's text. */
  message: string;
  /** One line per file left alone and why, for the output channel; empty when none. */
  details: string[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `label` names a file for the user (a path relative to its workspace folder). */
export function fixAllReport(result: FixAllResult, label: (uri: string) => string): FixAllReport {
  const applied = result.applied === 0 ? 'nothing fixed' : `applied ${plural(result.applied, 'fix', 'fixes')}`;
  const byFile = new Map<string, Map<string, string[]>>();
  for (const w of result.withheld ?? []) {
    const reasons = byFile.get(w.uri) ?? new Map<string, string[]>();
    byFile.set(w.uri, reasons);
    reasons.set(w.reason, [...(reasons.get(w.reason) ?? []), w.rule]);
  }
  if (byFile.size === 0) {
    return { level: 'info', message: result.applied === 0 ? 'Packer Bake: nothing to fix.' : `Packer Bake: ${applied}.`, details: [] };
  }
  const details: string[] = [];
  for (const [uri, reasons] of byFile) {
    for (const [reason, rules] of reasons) details.push(`not fixed: ${label(uri)} (${[...new Set(rules)].join(', ')}): ${reason}`);
  }
  const names = [...byFile.keys()].map(label);
  const shown = names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
  return {
    level: 'warning',
    message: `Packer Bake: ${applied}; ${plural(byFile.size, 'file')} left alone (${shown}): ${byFile.size === 1 ? [...byFile.values()][0].keys().next().value : 'see the Packer Bake output for why'}.`,
    details,
  };
}
