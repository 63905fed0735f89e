/**
 * A rule: a small query over the socket plans of one template. Rule ids are a
 * public contract (settings, the CLI and fixes key on them).
 */
import type { RequiredPlugin, Severity, Span, Template } from '../types';
import type { Toolchain } from '../toolchain';
import type { KnownPlan, SocketPlan, SocketTarget } from '../socketPlan';
import type { Setting } from '../settings';
import type { Scope } from '../interpolation';
import type { OffsetEdit } from '../fixes/textEdits';

// From package.json's repository field, injected by the build (server/src/shared/repository.ts).
export { RULE_DOCS_BASE as DOCS_BASE } from '../../shared/repository';

export interface RuleContext {
  template: Template;
  plans: SocketPlan[];
  scope: Scope;
  /** Directories where a control socket is known to work in a container (absolute, no trailing slash). */
  safeDirs: string[];
  /** The versions that will run the build, as far as known. */
  toolchain: Toolchain;
  /** `required_plugins` of the template and the other HCL2 files of its folder. */
  requiredPlugins: RequiredPlugin[];
}

export interface RawFix {
  title: string;
  isPreferred: boolean;
  edits: OffsetEdit[];
}

export interface RawFinding {
  file: string;
  span: Span;
  message: string;
  /** Overrides the rule's default severity (e.g. where Packer itself rejects the template). */
  severity?: Severity;
  fixes: RawFix[];
}

export interface Rule {
  id: string;
  defaultSeverity: Severity;
  /** One line for the README and settings descriptions. */
  description: string;
  check(ctx: RuleContext): RawFinding[];
}

/** Fixes with at least one edit (a fix whose edit cannot be made exactly is not offered). */
export function fix(title: string, isPreferred: boolean, ...edits: (OffsetEdit | undefined)[]): RawFix[] {
  return edits.every((e): e is OffsetEdit => e !== undefined) && edits.length > 0 ? [{ title, isPreferred, edits }] : [];
}

/** Where a plan's finding about the provisioner as a whole points: the override key, or the provisioner type. */
export function planSpan(plan: SocketPlan): Span {
  return plan.override?.nameSpan ?? plan.provisioner.typeSpan;
}

/** A socket whose place a setting decides (not Ansible's default directory). */
export type PlacedSocket = Extract<SocketTarget, { kind: 'socket' }> & { path: string; decidedBy: Setting };

/** The placed sockets of every known plan: ssh's, then the transfer's (the same setting may place both). */
export function* placedSockets(ctx: RuleContext): Generator<{ plan: KnownPlan; socket: PlacedSocket }> {
  for (const plan of ctx.plans) {
    if (!plan.known) continue;
    for (const t of [plan.ssh, plan.transfer]) {
      if (t.kind === 'socket' && t.path !== undefined && t.decidedBy && !t.inDefaultDir) yield { plan, socket: t as PlacedSocket };
    }
  }
}
