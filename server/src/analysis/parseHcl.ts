/**
 * HCL2 native syntax (`.pkr.hcl`) to the model, with tree-sitter-hcl.
 * `initHcl()` must have resolved before `parseHcl()` is called.
 */
import type { Node as TsNode } from 'web-tree-sitter';
import type { Attribute, Provisioner, Template, Value, Span, ParseProblem } from './types';
import { decodeHclLiteral } from './stringOffsets';
import { parseTree } from './hclParser';

export { ParseTooSlow, hclReady, initHcl, type HclRuntimeSource } from './hclParser';

/** Values nested deeper than this are unknown (keeps recursion bounded on hostile input). */
const MAX_DEPTH = 64;

export function parseHcl(file: string, text: string): Template {
  const t: Template = {
    file, format: 'hcl', text, builders: [], provisioners: [], variables: new Map(), locals: new Map(), requiresInit: false, requiredPlugins: [], problems: [],
  };
  const tree = parseTree(text);
  try {
    collectProblems(tree.rootNode, t.problems);
    const body = tree.rootNode.namedChildren.find((c) => c?.type === 'body');
    if (!body) return t;
    const conv = (n: TsNode) => toValue(n, file, 0);
    for (const block of childrenOfType(body, 'block')) {
      const [type, labels] = blockHead(block);
      const inner = blockBody(block);
      if (type === 'variable' && labels.length === 1 && inner) {
        const d = attrsOf(inner, conv).get('default');
        if (d) t.variables.set(labels[0], d.value);
      } else if (type === 'locals' && inner) {
        for (const [name, a] of attrsOf(inner, conv)) t.locals.set(name, a.value);
      } else if (type === 'local' && labels.length === 1 && inner) {
        const e = attrsOf(inner, conv).get('expression');
        if (e) t.locals.set(labels[0], e.value);
      } else if (type === 'source' && labels.length === 2) {
        const c = inner && attrsOf(inner, conv).get('communicator');
        t.builders.push({ name: `${labels[0]}.${labels[1]}`, type: labels[0], communicator: c?.value.kind === 'string' ? c.value.value : undefined });
      } else if (type === 'packer' && inner) {
        for (const rp of childrenOfType(inner, 'block')) {
          if (blockHead(rp)[0] !== 'required_plugins') continue;
          t.requiresInit = true;
          const rpBody = blockBody(rp);
          for (const [name, a] of rpBody ? attrsOf(rpBody, conv) : []) {
            const spec = a.value;
            if (spec.kind !== 'object') continue;
            const get = (k: string) => spec.attrs.find((x) => x.name === k)?.value;
            const version = get('version');
            const source = get('source');
            t.requiredPlugins.push({
              name,
              source: source?.kind === 'string' ? source.value : undefined,
              version: version?.kind === 'string' ? version.value : undefined,
              versionValue: version,
            });
          }
        }
      } else if (type === 'build' && inner) {
        for (const pb of childrenOfType(inner, 'block')) {
          const [ptype, plabels] = blockHead(pb);
          const pbody = blockBody(pb);
          if (ptype !== 'provisioner' || plabels.length !== 1) continue;
          const labelNode = pb.namedChildren.filter((c) => c?.type === 'string_lit' || c?.type === 'identifier')[1];
          const open = pb.namedChildren.find((c) => c?.type === 'block_start');
          const close = pb.namedChildren.find((c) => c?.type === 'block_end');
          if (!labelNode || !open || !close) continue;
          const p: Provisioner = {
            type: plabels[0],
            typeSpan: spanOf(labelNode),
            span: spanOf(pb),
            // Only ansible provisioners are analysed: the others keep no attributes (they can be large).
            attrs: pbody && plabels[0] === 'ansible' ? attrsOf(pbody, conv) : new Map(),
            overrides: [],
            anchor: { syntax: 'hcl', open: open.endIndex, close: close.startIndex },
          };
          t.provisioners.push(p);
        }
      }
    }
  } finally {
    tree.delete();
  }
  return t;
}

/** Attribute values of a `.pkrvars.hcl` file (variable name → value). */
export function parseHclVarFile(file: string, text: string): Map<string, Value> {
  const tree = parseTree(text);
  const out = new Map<string, Value>();
  try {
    const body = tree.rootNode.namedChildren.find((c) => c?.type === 'body');
    if (body) for (const [name, a] of attrsOf(body, (n) => toValue(n, file, 0))) out.set(name, a.value);
  } finally {
    tree.delete();
  }
  return out;
}

function collectProblems(root: TsNode, problems: ParseProblem[]): void {
  if (!root.hasError) return;
  const stack: TsNode[] = [root];
  while (stack.length > 0 && problems.length < 20) {
    const n = stack.pop()!;
    if (n.isError) {
      problems.push({ message: `HCL syntax error near ${JSON.stringify(n.text.slice(0, 40))}`, span: spanOf(n) });
      continue;
    }
    if (n.isMissing) {
      problems.push({ message: `HCL syntax error: missing ${n.type}`, span: spanOf(n) });
      continue;
    }
    if (!n.hasError) continue;
    for (let i = n.childCount - 1; i >= 0; i--) {
      const c = n.child(i);
      if (c) stack.push(c);
    }
  }
  problems.sort((a, b) => a.span.start - b.span.start);
}

function childrenOfType(n: TsNode, type: string): TsNode[] {
  return n.namedChildren.filter((c): c is TsNode => c?.type === type);
}

function blockHead(block: TsNode): [string, string[]] {
  const [id, ...rest] = block.namedChildren.filter((c): c is TsNode => c?.type === 'identifier' || c?.type === 'string_lit');
  const labels = rest.map((l) => (l.type === 'identifier' ? l.text : literalText(l) ?? ''));
  return [id?.text ?? '', labels];
}

function blockBody(block: TsNode): TsNode | undefined {
  return block.namedChildren.find((c) => c?.type === 'body') ?? undefined;
}

function attrsOf(body: TsNode, conv: (n: TsNode) => Value): Map<string, Attribute> {
  const m = new Map<string, Attribute>();
  for (const a of childrenOfType(body, 'attribute')) {
    const id = a.namedChildren.find((c) => c?.type === 'identifier');
    const expr = a.namedChildren.find((c) => c?.type === 'expression');
    if (!id || !expr) continue;
    m.set(id.text, { name: id.text, nameSpan: spanOf(id), value: conv(expr), span: spanOf(a) });
  }
  return m;
}

/** Decoded text of a string_lit without interpolation. */
function literalText(n: TsNode): string | undefined {
  const parts = n.namedChildren.filter((c): c is TsNode => c?.type === 'template_literal');
  return parts.map((p) => decodeHclLiteral(p.text, p.startIndex).value).join('');
}

function toValue(n: TsNode, file: string, depth: number): Value {
  const span = spanOf(n);
  if (depth > MAX_DEPTH) return { kind: 'unknown', span, why: 'nested too deeply' };
  if (n.type === 'expression') {
    const kids = n.namedChildren.filter((c): c is TsNode => c !== null && c.type !== 'comment');
    if (kids[0]?.type === 'variable_expr') {
      // A traversal such as var.x or local.x: resolvable as `${var.x}`.
      return { kind: 'template', syntax: 'hcl', text: `\${${n.text}}`, span };
    }
    return kids.length === 1 ? toValue(kids[0], file, depth + 1) : { kind: 'unknown', span, why: `${n.text.slice(0, 40)} is only known at build time` };
  }
  switch (n.type) {
    case 'literal_value':
    case 'collection_value':
    case 'template_expr': {
      const k = n.namedChildren[0];
      return k ? toValue(k, file, depth + 1) : { kind: 'unknown', span, why: 'empty expression' };
    }
    case 'numeric_lit': return { kind: 'number', value: Number(n.text), span };
    case 'bool_lit': return { kind: 'bool', value: n.text === 'true', span };
    case 'null_lit': return { kind: 'null', span };
    case 'string_lit':
    case 'quoted_template': return quoted(n, file, span);
    case 'heredoc_template': {
      const lits = n.namedChildren.filter((c) => c?.type === 'template_literal');
      const other = n.namedChildren.some((c) => c?.type === 'template_interpolation' || c?.type === 'template_directive');
      if (other) return { kind: 'unknown', span, why: 'heredoc with template expressions' };
      return { kind: 'string', value: lits.map((l) => l!.text).join(''), span };
    }
    case 'tuple': {
      const items = n.namedChildren.filter((c): c is TsNode => c?.type === 'expression').map((c) => toValue(c, file, depth + 1));
      return { kind: 'list', items, span };
    }
    case 'object': {
      const attrs: Attribute[] = [];
      for (const e of n.namedChildren) {
        if (e?.type !== 'object_elem') continue;
        const [k, v] = e.namedChildren.filter((c): c is TsNode => c?.type === 'expression');
        if (!k || !v) continue;
        const kv = toValue(k, file, depth + 1);
        const name = kv.kind === 'string' ? kv.value : k.text;
        attrs.push({ name, nameSpan: spanOf(k), value: toValue(v, file, depth + 1), span: spanOf(e) });
      }
      return { kind: 'object', attrs, span };
    }
    default:
      return { kind: 'unknown', span, why: `${n.text.slice(0, 40)} is only known at build time` };
  }
}

/** A quoted string: a plain literal (with exact offsets), or an HCL template to resolve later. */
function quoted(n: TsNode, file: string, span: Span): Value {
  const parts = n.namedChildren.filter((c): c is TsNode => c !== null && c.type !== 'quoted_template_start' && c.type !== 'quoted_template_end');
  const source = { file, span, syntax: 'hcl' as const };
  if (parts.every((p) => p.type === 'template_literal')) {
    let value = '';
    const offsets: number[] = [];
    for (const p of parts) {
      const d = decodeHclLiteral(p.text, p.startIndex);
      value += d.value;
      offsets.push(...d.offsets.slice(0, -1));
    }
    offsets.push(parts.length ? parts[parts.length - 1].endIndex : span.start + 1);
    return { kind: 'string', value, span, source: { ...source, offsets } };
  }
  let text = '';
  for (const p of parts) {
    if (p.type === 'template_literal') text += decodeHclLiteral(p.text, p.startIndex).value.replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
    else if (p.type === 'template_interpolation') text += p.text;
    else return { kind: 'unknown', span, why: 'template directive' };
  }
  return { kind: 'template', syntax: 'hcl', text, span, source };
}

function spanOf(n: TsNode): Span {
  return { start: n.startIndex, end: n.endIndex };
}
