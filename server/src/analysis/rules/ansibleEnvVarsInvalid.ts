import type { Attribute, Value } from '../types';
import { resolveValue } from '../interpolation';
import type { Rule, RawFinding } from './rule';

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
    for (const a of attrs) {
      const v = resolveValue(a.value, ctx.scope);
      if (ctx.template.format !== 'json' && (v.kind === 'string' || v.kind === 'template')) {
        out.push({ file: ctx.template.file, span: a.value.span, severity: 'error', message: 'HCL2 templates need a list here: Packer rejects a single string ("list of string required"). Write ["KEY=value"].', fixes: [] });
        continue;
      }
      const items: Value[] = v.kind === 'list' ? v.items : [a.value];
      if (v.kind !== 'list' && v.kind !== 'string' && v.kind !== 'template' && v.kind !== 'unknown') {
        out.push({ file: ctx.template.file, span: a.value.span, severity: 'error', message: `ansible_env_vars must be a list of "KEY=value" strings; Packer rejects a ${v.kind}.`, fixes: [] });
        continue;
      }
      for (const raw of items) {
        const item = resolveValue(raw, ctx.scope);
        if (item.kind === 'string') {
          if (item.value.indexOf('=') > 0) continue;
          out.push({
            file: ctx.template.file,
            span: item.span,
            message: `"${item.value}" has no KEY=value form: Packer passes it on and the environment ignores it, so it has no effect.`,
            fixes: [],
          });
        } else if (item.kind !== 'unknown') {
          out.push({
            file: ctx.template.file,
            span: item.span,
            severity: 'error',
            message: `ansible_env_vars entries must be "KEY=value" strings; Packer rejects a ${item.kind} here.`,
            fixes: [],
          });
        }
      }
    }
    return out;
  },
};
