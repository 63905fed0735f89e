import type { Attribute, BodyAnchor, Provisioner, Template } from '../types';
import type { KnownPlan } from '../socketPlan';
import { addAttribute, appendToList, quote, stringToList, type OffsetEdit } from './textEdits';

type PlanRef = Pick<KnownPlan, 'provisioner' | 'override'>;

/** The body holding `attr` for the plan's builder: the override when it sets `attr`, else the provisioner. */
function holder(plan: PlanRef, attr: string): { attrs: Map<string, Attribute>; anchor: BodyAnchor } {
  const p: Provisioner = plan.provisioner;
  const override = plan.override && p.overrides.find((o) => o.builder === plan.override!.builder);
  return override?.attrs.has(attr) ? override : p;
}

/**
 * Adds string items to the list attribute `attr` (`ansible_env_vars`,
 * `extra_arguments`) that the plan's builder uses, creating it when absent.
 * Undefined when the value is not a literal that can be extended.
 */
export function addListItems(template: Template, plan: PlanRef, attr: string, ...items: string[]): OffsetEdit | undefined {
  const h = holder(plan, attr);
  const a = h.attrs.get(attr);
  const syntax = h.anchor.syntax;
  if (!a) return addAttribute(template.file, template.text, h.anchor, h.attrs, attr, `[${items.map((i) => quote(syntax, i)).join(', ')}]`);
  const v = a.value;
  if (v.kind === 'list') return appendToList(template.file, template.text, v, syntax, ...items);
  if (v.kind === 'string' || v.kind === 'template') return stringToList(template.file, template.text, v, syntax, ...items);
  return undefined;
}

/** Adds `KEY=value` to the plan's `ansible_env_vars`. */
export function addEnvVar(template: Template, plan: PlanRef, entry: string): OffsetEdit | undefined {
  return addListItems(template, plan, 'ansible_env_vars', entry);
}

/** Sets a boolean attribute that is absent (e.g. `use_sftp`). */
export function addBoolAttribute(template: Template, plan: PlanRef, attr: string, value: boolean): OffsetEdit | undefined {
  const h = holder(plan, attr);
  if (h.attrs.has(attr)) return undefined;
  return addAttribute(template.file, template.text, h.anchor, h.attrs, attr, String(value));
}
