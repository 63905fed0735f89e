/**
 * A rule: a small query over the socket plans of one template. Rule ids are a
 * public contract (settings, the CLI and fixes key on them).
 */
import type { RequiredPlugin, Severity, Span, Template } from '../types';
import type { Flavor, Toolchain } from '../toolchain';
import type { KnownPlan, SocketPlan, SocketTarget } from '../socketPlan';
import type { Setting, ValueEdit } from '../settings';
import type { Scope } from '../evaluate';
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
  /** The version behaviour the plans assume. */
  flavor: Flavor;
  /** How many other times a variable or local (a piece's `via`) is used: a fix that edits its value is preferred only when it has no other use. */
  otherUses(via: string): number;
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
  /** The tool versions the rule's outcome depends on (its findings say which versions they assumed). */
  toolchain?: readonly ('packer' | 'ansiblePlugin' | 'ansible' | 'openssh')[];
  check(ctx: RuleContext): RawFinding[];
}

/** Fixes with at least one edit (a fix whose edit cannot be made exactly is not offered). */
export function fix(title: string, isPreferred: boolean, ...edits: (OffsetEdit | undefined)[]): RawFix[] {
  return edits.every((e): e is OffsetEdit => e !== undefined) && edits.length > 0 ? [{ title, isPreferred, edits }] : [];
}

/**
 * A fix that edits a value where it is written. When that is a variable's
 * default or a local used elsewhere too, the fix changes those uses as well:
 * it is offered, but not preferred (so fix-all and fix-on-save leave it), and
 * its title says so.
 */
export function valueFix(ctx: RuleContext, title: string, isPreferred: boolean, edit: ValueEdit | undefined): RawFix[] {
  if (!edit) return [];
  const uses = edit.via ? ctx.otherUses(edit.via) : 0;
  const where = edit.via ? ` (in ${edit.via.replace(/^user /, 'user variable ')}${uses > 0 ? `, used ${uses} more time${uses === 1 ? '' : 's'}` : ''})` : '';
  const { via: _via, ...offsets } = edit;
  return [{ title: `${title}${where}`, isPreferred: isPreferred && uses === 0, edits: [offsets] }];
}

/** A plan ssh can run with: known, and no setting that makes ssh fail outright (see the quoted-setting rule). */
export function usable(plan: SocketPlan): plan is KnownPlan {
  return plan.known && plan.broken.length === 0;
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
    if (!usable(plan)) continue;
    for (const t of [plan.ssh, plan.transfer]) {
      if (t.kind === 'socket' && t.path !== undefined && t.decidedBy && !t.inDefaultDir) yield { plan, socket: t as PlacedSocket };
    }
  }
}
