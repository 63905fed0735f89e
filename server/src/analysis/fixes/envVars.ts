import type { Provisioner, Template } from '../types';
import type { KnownPlan } from '../socketPlan';
import { addAttribute, appendToList, quote, stringToList, type OffsetEdit } from './textEdits';

/**
 * Adds `entry` (`KEY=value`) to the `ansible_env_vars` that the plan's builder
 * uses: the override's own list when it has one, else the provisioner's.
 * Undefined when the list is not a literal that can be extended.
 */
export function addEnvVar(template: Template, plan: Pick<KnownPlan, 'provisioner' | 'override'>, entry: string): OffsetEdit | undefined {
  const p: Provisioner = plan.provisioner;
  const override = plan.override && p.overrides.find((o) => o.builder === plan.override!.builder);
  const holder = override?.attrs.has('ansible_env_vars') ? override : p;
  const attr = holder.attrs.get('ansible_env_vars');
  const syntax = holder.anchor.syntax;
  if (!attr) {
    return addAttribute(template.file, template.text, holder.anchor, holder.attrs, 'ansible_env_vars', `[${quote(syntax, entry)}]`);
  }
  const v = attr.value;
  if (v.kind === 'list') return appendToList(template.file, template.text, v, syntax, entry);
  if (v.kind === 'string' || v.kind === 'template') return stringToList(template.file, template.text, v, syntax, entry);
  return undefined;
}
