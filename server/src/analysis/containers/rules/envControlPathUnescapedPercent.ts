import type { RawFinding } from '../../rules/rule';
import { doublePercents, unescapedPercents } from '../percent';
import type { ContainerRule } from './rule';

export const envControlPathUnescapedPercent: ContainerRule = {
  id: 'env-control-path-unescaped-percent',
  defaultSeverity: 'error',
  description: 'ANSIBLE_SSH_CONTROL_PATH set in a dev container\'s or CI job\'s environment has a single % token such as %h; Ansible fails with "unsupported format character".',
  check(model) {
    const out: RawFinding[] = [];
    for (const e of model.env) {
      if (e.name !== 'ANSIBLE_SSH_CONTROL_PATH') continue;
      const bad = unescapedPercents(e.value);
      if (bad.length === 0) continue;
      const tokens = [...new Set(bad.map((i) => e.value.slice(i, i + 2)))].join(', ');
      const doubled = doublePercents(e.value);
      out.push({
        file: model.file,
        span: e.span,
        message: `ANSIBLE_SSH_CONTROL_PATH in ${e.where} goes through Python %-formatting in Ansible, so ${tokens} fails with "unsupported format character". Double the % signs for ssh to receive them: ${doubled}`,
        fixes: e.percentsDoubled === undefined ? [] : [{ title: `Double the % signs: ${doubled}`, isPreferred: true, edits: [{ file: model.file, start: e.span.start, end: e.span.end, newText: e.percentsDoubled }] }],
      });
    }
    return out;
  },
};
