/**
 * Evaluates the few template expressions whose value can be known statically:
 * legacy `{{user `name`}}` and HCL2 `${var.name}` / `${local.name}` whose
 * variable has a literal default. Anything else makes the value unknown.
 */
import type { Value } from './types';

export type Resolved = { known: true; value: string } | { known: false; why: string };

export interface Scope {
  variables: Map<string, Value>;
  locals: Map<string, Value>;
  /** Directory of the template (`path.root` / `{{template_dir}}`). */
  templateDir?: string;
}

const GO_ACTION = /\{\{-?\s*(.*?)\s*-?\}\}/gs;
const GO_USER = /^user\s+(?:`([^`]*)`|"([^"]*)")$/;

/** Legacy JSON: resolves `{{user `x`}}` and `{{template_dir}}`; other actions are unknown. */
export function resolveGoTemplate(text: string, scope: Scope, depth = 0): Resolved {
  if (!text.includes('{{')) return { known: true, value: text };
  let out = '';
  let last = 0;
  for (const m of text.matchAll(GO_ACTION)) {
    out += text.slice(last, m.index);
    last = (m.index ?? 0) + m[0].length;
    const action = m[1];
    const user = GO_USER.exec(action);
    if (user) {
      const name = user[1] ?? user[2];
      const r = lookup(scope.variables, name, 'user variable', scope, depth);
      if (!r.known) return r;
      out += r.value;
    } else if (action === 'template_dir' && scope.templateDir !== undefined) {
      out += scope.templateDir;
    } else {
      return { known: false, why: `{{${action}}} is only known at build time` };
    }
  }
  out += text.slice(last);
  if (out.includes('{{')) return { known: false, why: 'unbalanced template action' };
  return { known: true, value: out };
}

const HCL_INTERP = /\$\{([^}]*)\}/g;
const HCL_REF = /^\s*(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)\s*$/;

/** HCL2 JSON syntax strings: resolves `${var.x}`, `${local.x}` and `${path.root}`. */
export function resolveHclTemplate(text: string, scope: Scope, depth = 0): Resolved {
  if (!text.includes('${') && !text.includes('%{')) return { known: true, value: text };
  if (/(^|[^%])%\{/.test(text)) return { known: false, why: 'template directive' };
  let out = '';
  let last = 0;
  for (const m of text.matchAll(HCL_INTERP)) {
    const start = m.index ?? 0;
    if (start > 0 && text[start - 1] === '$') continue; // `$${` escape
    out += text.slice(last, start);
    last = start + m[0].length;
    const r = resolveHclReference(m[1], scope, depth);
    if (!r.known) return r;
    out += r.value;
  }
  out += text.slice(last);
  return { known: true, value: out.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{') };
}

/** Resolves one HCL expression of the form `var.x`, `local.x` or `path.root`. */
export function resolveHclReference(expr: string, scope: Scope, depth = 0): Resolved {
  if (expr.trim() === 'path.root' && scope.templateDir !== undefined) return { known: true, value: scope.templateDir };
  const ref = HCL_REF.exec(expr);
  if (!ref) return { known: false, why: `\${${expr.trim()}} is only known at build time` };
  const map = ref[1] === 'var' ? scope.variables : scope.locals;
  return lookup(map, ref[2], ref[1] === 'var' ? 'variable' : 'local', scope, depth);
}

function lookup(
  map: Map<string, Value>,
  name: string,
  what: string,
  scope: Scope,
  depth: number,
): Resolved {
  const v = map.get(name);
  if (!v) return { known: false, why: `${what} ${name} has no default here` };
  if (depth > 8) return { known: false, why: 'variables refer to each other too deeply' };
  if (v.kind === 'string') return { known: true, value: v.value };
  if (v.kind === 'template') {
    return v.syntax === 'go' ? resolveGoTemplate(v.text, scope, depth + 1) : resolveHclTemplate(v.text, scope, depth + 1);
  }
  return { known: false, why: `${what} ${name} is not a plain string` };
}

/** The value of `v` with its template expressions evaluated where possible. */
export function resolveValue(v: Value, scope: Scope): Value {
  if (v.kind !== 'template') return v;
  const r = v.syntax === 'go' ? resolveGoTemplate(v.text, scope) : resolveHclTemplate(v.text, scope);
  if (!r.known) return { kind: 'unknown', span: v.span, why: r.why };
  // The value no longer maps character by character onto the source.
  return { kind: 'string', value: r.value, span: v.span, source: v.source && { ...v.source, offsets: undefined } };
}
