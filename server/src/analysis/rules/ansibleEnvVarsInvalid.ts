import type { Attribute, Value } from '../types';
import { resolveValue } from '../evaluate';
import type { Rule, RawFinding } from './rule';

/**
 * What Packer 1.6.6 does with each shape (test/tools/facts.test.ts): a string
 * without `=`, a number, a bool or null is accepted and has no effect; an object
 * or a list entry, or a map instead of the list, is rejected; a single string
 * is a one-item list in legacy JSON but rejected in HCL2.
 */
export const ansibleEnvVarsInvalid: Rule = {
  id: 'ansible-env-vars-invalid',
  defaultSeverity: 'warning',
  description: 'An ansible_env_vars entry cannot work: it has no "=", or it is not a string.',
  check(ctx) {
    const out: RawFinding[] = [];
    const attrs: Attribute[] = [];
    for (const p of ctx.template.provisioners) {
      if (p.type !== 'ansible') continue;
      const a = p.attrs.get('ansible_env_vars');
      if (a) attrs.push(a);
      for (const o of p.overrides) {
        const oa = o.attrs.get('ansible_env_vars');
        if (oa) attrs.push(oa);
      }
    }
    const hcl = ctx.template.format !== 'json';
    const report = (v: Value, message: string, severity?: 'error') =>
      out.push({ file: ctx.template.file, span: v.span, message, fixes: [], ...(severity ? { severity } : {}) });
    for (const a of attrs) {
      const v = resolveValue(a.value, ctx.scope);
      if (v.kind === 'object') {
        report(a.value, 'ansible_env_vars must be a list of "KEY=value" strings: Packer rejects a map here.', 'error');
        continue;
      }
      if (v.kind === 'string' || v.kind === 'template') {
        if (hcl) report(a.value, 'HCL2 templates need a list here: Packer rejects a single string ("list of string required"). Write ["KEY=value"].', 'error');
        else check(a.value, resolveValue(a.value, ctx.scope));
        continue;
      }
      if (v.kind !== 'list') continue;
      for (const raw of v.items) check(raw, resolveValue(raw, ctx.scope));
    }
    return out;

    function check(raw: Value, item: Value): void {
      switch (item.kind) {
        case 'string':
          if (item.value.indexOf('=') <= 0) report(raw, `"${item.value}" has no KEY=value form: Packer passes it on and the environment ignores it, so it has no effect.`);
          return;
        case 'number':
        case 'bool':
        case 'null':
          report(raw, `This entry is not a "KEY=value" string: Packer turns it into a string without "=", so it has no effect.`);
          return;
        case 'object':
        case 'list':
          report(raw, `ansible_env_vars entries must be "KEY=value" strings: Packer rejects ${item.kind === 'object' ? 'an object' : 'a list'} here.`, 'error');
          return;
        default:
          return; // only known at build time
      }
    }
  },
};
