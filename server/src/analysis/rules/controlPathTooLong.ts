import { placedSockets, valueFix, type RawFinding, type Rule } from './rule';
import { replaceValue } from '../settings';
import type { KnownPlan } from '../socketPlan';

/**
 * The longest control path (after ssh expands its tokens) that works: the
 * socket address holds 108 bytes with the terminating NUL, and ssh first binds
 * the master socket at `<path>.<16 random characters>`. Measured with real
 * OpenSSH in test/tools (see docs/rules/control-path-too-long.md).
 */
export const MAX_CONTROL_PATH_BYTES = 90;

/** Worst-case widths of ssh's ControlPath tokens, in bytes (documented in the rule's page). */
export function tokenWidths(plan: Pick<KnownPlan, 'endpoint' | 'user'>): Record<string, number> {
  const host = plan.endpoint.hostBytes;
  const user = plan.user !== undefined ? Buffer.byteLength(plan.user) : 32; // Linux user names: at most 32 bytes
  return { '%': 1, C: 40, h: host, n: host, k: host, p: plan.endpoint.portBytes, r: user, u: 32, i: 10, L: 64, l: 64, d: 32, j: 0, T: 4 };
}

/** ssh's expansion of a ControlPath, by width only; `~` is taken as /root (a container's usual HOME). */
export function expandedLength(sshPath: string, widths: Record<string, number>): number {
  const p = sshPath.replace(/^~(?=\/|$)/, '/root').replace('<hash>', 'x'.repeat(10));
  let n = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '%' && i + 1 < p.length) {
      n += widths[p[i + 1]] ?? 2;
      i++;
    } else {
      n += Buffer.byteLength(p[i]);
    }
  }
  return n;
}

export const controlPathTooLong: Rule = {
  id: 'control-path-too-long',
  defaultSeverity: 'error',
  description: `The control socket path, expanded with worst-case values, is longer than the ${MAX_CONTROL_PATH_BYTES} bytes OpenSSH can use ("ControlPath too long").`,
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { plan, socket: t } of placedSockets(ctx)) {
      const length = expandedLength(t.path, tokenWidths(plan));
      if (length <= MAX_CONTROL_PATH_BYTES) continue;
      const replacement = t.via === 'control_path' ? '/tmp/ansible-%%C' : t.via === 'control_path_dir' ? '/tmp/ansible-cp' : '/tmp/ansible-%C';
      out.push({
        file: t.decidedBy.file,
        span: t.decidedBy.span,
        message: `The control socket path can reach ${length} bytes once ssh expands it (${t.path}${assumed(t.path, plan)}); OpenSSH fails above ${MAX_CONTROL_PATH_BYTES} ("ControlPath too long" or "too long for Unix domain socket"). Use a short path such as ${replacement}.`,
        fixes: valueFix(ctx, `Use the short path ${replacement}`, true, replaceValue(t.decidedBy, replacement)),
      });
    }
    return out;
  },
};

/** What the expansion assumed for the tokens the path uses, for the message. */
function assumed(sshPath: string, plan: KnownPlan): string {
  const said: string[] = [];
  if (/%[hnk]/.test(sshPath)) said.push(`%h as ${plan.endpoint.host}, ${plan.endpoint.hostBytes} bytes`);
  if (/%r/.test(sshPath) && plan.user === undefined) said.push('%r as a user name of up to 32 bytes');
  if (sshPath.startsWith('~')) said.push('~ as /root');
  return said.length ? `, with ${said.join(', ')}` : '';
}
