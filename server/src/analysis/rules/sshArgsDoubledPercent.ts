import { fix, type Rule, type RawFinding } from './rule';
import { replaceValue } from '../settings';
import type { SocketTarget } from '../socketPlan';

export const sshArgsDoubledPercent: Rule = {
  id: 'ssh-args-doubled-percent',
  defaultSeverity: 'warning',
  description: 'A ControlPath inside ssh arguments uses %%h-style tokens, which ssh turns into a literal %h shared by every host.',
  check(ctx) {
    const out: RawFinding[] = [];
    for (const plan of ctx.plans) {
      if (!plan.known) continue;
      for (const t of [plan.ssh, plan.transfer] as SocketTarget[]) {
        if (t.kind !== 'socket' || t.via !== 'ssh-arg' || !t.decidedBy || !t.path || !/%%[A-Za-z]/.test(t.path)) continue;
        const s = t.decidedBy;
        const single = s.value.replace(/%%([A-Za-z])/g, '%$1');
        out.push({
          file: s.file,
          span: s.span,
          message: `A ControlPath inside ssh arguments goes to ssh untouched, so ${s.value.match(/%%[A-Za-z]/)![0]} names a literal "${s.value.match(/%%[A-Za-z]/)![0].slice(1)}" file that every host shares. Use single % tokens here: ${single}`,
          fixes: fix(`Use single % tokens: ${single}`, true, replaceValue(s, single)),
        });
      }
    }
    return out;
  },
};
