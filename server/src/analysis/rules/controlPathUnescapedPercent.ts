import { usable, valueFix, type RawFinding, type Rule } from './rule';
import { unescapedPercents } from '../socketPlan';
import { replaceValue } from '../settings';

export const controlPathUnescapedPercent: Rule = {
  id: 'control-path-unescaped-percent',
  defaultSeverity: 'error',
  description: 'ANSIBLE_SSH_CONTROL_PATH / control_path has a single % token such as %h; Ansible fails with "unsupported format character".',
  check(ctx) {
    const out: RawFinding[] = [];
    for (const plan of ctx.plans) {
      if (!usable(plan) || !plan.controlPath) continue;
      const used = [plan.ssh, plan.transfer].some((t) => t.kind === 'socket' && t.via === 'control_path');
      if (!used) continue;
      const cp = plan.controlPath;
      const bad = unescapedPercents(cp.value);
      if (bad.length === 0) continue;
      const tokens = [...new Set(bad.map((i) => cp.value.slice(i, i + 2)))].join(', ');
      const doubled = cp.value.replace(/%%|%\([A-Za-z_]+\)s|%/g, (m) => (m === '%' ? '%%' : m));
      out.push({
        file: cp.file,
        span: cp.span,
        message: `${cp.label} goes through Python %-formatting in Ansible, so ${tokens} fails with "unsupported format character". Double the % signs for ssh to receive them: ${doubled}`,
        fixes: valueFix(ctx, `Double the % signs: ${doubled}`, true, replaceValue(cp, doubled)),
      });
    }
    return out;
  },
};
