import { placedSockets, valueFix, type RawFinding, type Rule } from './rule';
import { replaceValue } from '../settings';

export const sshArgsDoubledPercent: Rule = {
  id: 'ssh-args-doubled-percent',
  defaultSeverity: 'warning',
  description: 'A ControlPath inside ssh arguments uses %%h-style tokens, which ssh turns into a literal %h shared by every host.',
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { socket: t } of placedSockets(ctx)) {
      const token = t.via === 'ssh-arg' ? /%%[A-Za-z]/.exec(t.path)?.[0] : undefined;
      if (!token) continue;
      const s = t.decidedBy;
      const single = s.value.replace(/%%([A-Za-z])/g, '%$1');
      out.push({
        file: s.file,
        span: s.span,
        message: `A ControlPath inside ssh arguments goes to ssh untouched, so ${token} names a literal "${token.slice(1)}" file that every host shares. Use single % tokens here: ${single}`,
        fixes: valueFix(ctx, `Use single % tokens: ${single}`, true, replaceValue(s, single)),
      });
    }
    return out;
  },
};
