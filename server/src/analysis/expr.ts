/**
 * HCL2 native expressions as a small syntax tree, built from tree-sitter-hcl
 * nodes while the parse tree is alive, and evaluated later (`evaluate.ts`)
 * against what is known statically: variable defaults, locals, `path.root`,
 * `path.cwd`, and a set of pure functions.
 */
import type { Node as TsNode } from 'web-tree-sitter';
import type { Span, Value } from './types';
import { decodeHclLiteral } from './stringOffsets';

/** A step of a traversal: `.name`, `[expr]`, or a splat applying the rest to each element. */
export type Step = { kind: 'attr'; name: string } | { kind: 'index'; index: Expr } | { kind: 'splat'; steps: Step[] };

export type Expr =
  /** A literal value (strings carry their source offsets). */
  | { t: 'lit'; value: Value; span: Span }
  /** A quoted or heredoc template: literal runs and interpolations, in order. */
  | { t: 'tmpl'; parts: Array<{ lit: Extract<Value, { kind: 'string' }> } | { expr: Expr }>; span: Span }
  | { t: 'tuple'; items: Expr[]; span: Span }
  | { t: 'object'; entries: Array<{ key: Expr; value: Expr; span: Span; keySpan: Span }>; span: Span }
  /** `root.a[0].b`: a variable (`var`, `local`, `path`, a for-expression symbol...) and its traversal. */
  | { t: 'ref'; root: string; steps: Step[]; span: Span; text: string }
  | { t: 'call'; name: string; args: Expr[]; expand: boolean; span: Span; text: string }
  /** Traversal of a computed value: `f(x)[0]`, `(a ? b : c).d`. */
  | { t: 'traverse'; target: Expr; steps: Step[]; span: Span; text: string }
  | { t: 'cond'; cond: Expr; then: Expr; else: Expr; span: Span }
  | { t: 'unary'; op: string; operand: Expr; span: Span }
  | { t: 'binary'; op: string; left: Expr; right: Expr; span: Span }
  | {
      t: 'for';
      object: boolean;
      keyVar?: string;
      valueVar: string;
      collection: Expr;
      key?: Expr;
      value: Expr;
      cond?: Expr;
      group: boolean;
      span: Span;
    }
  /** Something that is never known statically (a template directive, a splat over a function...). */
  | { t: 'unknown'; why: string; span: Span };

/** Expressions nested deeper than this become unknown (bounds recursion on hostile input). */
export const MAX_EXPR_DEPTH = 64;

const span = (n: TsNode): Span => ({ start: n.startIndex, end: n.endIndex });
const named = (n: TsNode): TsNode[] => n.namedChildren.filter((c): c is TsNode => c !== null && c.type !== 'comment');
const short = (n: TsNode): string => n.text.replace(/\s+/g, ' ').slice(0, 60);
const unknown = (n: TsNode, why = `${short(n)} is only known at build time`): Expr => ({ t: 'unknown', why, span: span(n) });

/** The expression of an `expression` (or any expression-like) node. */
export function toExpr(n: TsNode, file: string, source: string, depth = 0): Expr {
  if (depth > MAX_EXPR_DEPTH) return unknown(n, 'nested too deeply');
  const sub = (c: TsNode) => toExpr(c, file, source, depth + 1);
  switch (n.type) {
    case 'expression': {
      const kids = n.children.filter((c): c is TsNode => c !== null && c.type !== 'comment');
      // `( expr )`
      if (kids[0]?.type === '(' && kids.length === 3) return sub(kids[1]);
      return sequence(named(n), n, file, source, depth);
    }
    case 'literal_value':
    case 'collection_value':
    case 'template_expr':
    case 'operation': {
      const k = named(n)[0];
      return k ? sub(k) : unknown(n, 'empty expression');
    }
    case 'numeric_lit': return { t: 'lit', value: { kind: 'number', value: Number(n.text), span: span(n) }, span: span(n) };
    case 'bool_lit': return { t: 'lit', value: { kind: 'bool', value: n.text === 'true', span: span(n) }, span: span(n) };
    case 'null_lit': return { t: 'lit', value: { kind: 'null', span: span(n) }, span: span(n) };
    case 'string_lit':
    case 'quoted_template': return quotedTemplate(n, file, source, depth);
    case 'heredoc_template': return heredoc(n, file, source, depth);
    case 'tuple': return { t: 'tuple', items: named(n).filter((c) => c.type === 'expression').map(sub), span: span(n) };
    case 'object': {
      const entries: Extract<Expr, { t: 'object' }>['entries'] = [];
      for (const e of named(n)) {
        if (e.type !== 'object_elem') continue;
        const [k, v] = named(e).filter((c) => c.type === 'expression');
        if (!k || !v) continue;
        // A bare identifier key is its name, not a variable.
        const kk = named(k);
        const key: Expr = kk.length === 1 && kk[0].type === 'variable_expr'
          ? { t: 'lit', value: { kind: 'string', value: kk[0].text, span: span(k) }, span: span(k) }
          : sub(k);
        entries.push({ key, value: sub(v), span: span(e), keySpan: span(k) });
      }
      return { t: 'object', entries, span: span(n) };
    }
    case 'variable_expr': return { t: 'ref', root: n.text, steps: [], span: span(n), text: n.text };
    case 'function_call': {
      const kids = named(n);
      const name = kids[0]?.text ?? '';
      const argsNode = kids.find((c) => c.type === 'function_arguments');
      const argNodes = argsNode ? named(argsNode).filter((c) => c.type === 'expression') : [];
      // `f(a, list...)`: the ellipsis ends the last argument's expression node (or follows it).
      const last = argNodes[argNodes.length - 1];
      const expand = !!argsNode && (named(argsNode).some((c) => c.type === 'ellipsis') || (!!last && named(last).some((c) => c.type === 'ellipsis')));
      const args = argNodes.map((c, i) => (i === argNodes.length - 1 && expand ? sequence(named(c).filter((x) => x.type !== 'ellipsis'), c, file, source, depth + 1) : sub(c)));
      return { t: 'call', name, args, expand, span: span(n), text: short(n) };
    }
    case 'conditional': return conditional(n, sub, depth);
    case 'unary_operation': {
      const op = n.children.find((c) => c && !c.isNamed)?.text ?? '';
      const operand = named(n);
      return operand.length ? { t: 'unary', op, operand: sequence(operand, n, file, source, depth), span: span(n) } : unknown(n);
    }
    case 'binary_operation': {
      // Operands are not wrapped: the operator token splits the children.
      const kids = n.children.filter((c): c is TsNode => c !== null && c.type !== 'comment');
      const at = kids.findIndex((c) => !c.isNamed);
      if (at <= 0) return unknown(n);
      const left = sequence(kids.slice(0, at), n, file, source, depth);
      const right = sequence(kids.slice(at + 1), n, file, source, depth);
      return { t: 'binary', op: kids[at].text, left, right, span: span(n) };
    }
    case 'for_expr': {
      const inner = named(n)[0];
      return inner ? sub(inner) : unknown(n);
    }
    case 'for_tuple_expr':
    case 'for_object_expr': {
      const kids = named(n);
      const intro = kids.find((c) => c.type === 'for_intro');
      if (!intro) return unknown(n);
      const ids = named(intro).filter((c) => c.type === 'identifier').map((c) => c.text);
      const collectionNode = named(intro).find((c) => c.type === 'expression');
      const bodies = kids.filter((c) => c.type === 'expression');
      const condNode = kids.find((c) => c.type === 'for_cond');
      const condExpr = condNode && named(condNode).find((c) => c.type === 'expression');
      if (!collectionNode || ids.length === 0 || bodies.length === 0) return unknown(n);
      const object = n.type === 'for_object_expr';
      return {
        t: 'for',
        object,
        keyVar: ids.length > 1 ? ids[0] : undefined,
        valueVar: ids[ids.length - 1],
        collection: sub(collectionNode),
        key: object ? sub(bodies[0]) : undefined,
        value: sub(object ? bodies[1] ?? bodies[0] : bodies[0]),
        cond: condExpr ? sub(condExpr) : undefined,
        group: kids.some((c) => c.type === 'ellipsis'),
        span: span(n),
      };
    }
    default:
      return unknown(n);
  }
}

/** A primary expression followed by traversal steps (`var.a[0].b`, `f(x)[1]`, `a.*.b`). */
function sequence(kids: TsNode[], whole: TsNode, file: string, source: string, depth: number): Expr {
  if (kids.length === 0) return unknown(whole, 'empty expression');
  const head = toExpr(kids[0], file, source, depth + 1);
  if (kids.length === 1) return head;
  const steps = stepsOf(kids.slice(1), file, source, depth);
  if (!steps) return unknown(whole);
  const s = { start: kids[0].startIndex, end: kids[kids.length - 1].endIndex };
  const text = source.slice(s.start, s.end).replace(/\s+/g, ' ').slice(0, 60);
  if (head.t === 'ref') return { ...head, steps: [...head.steps, ...steps], span: s, text };
  return { t: 'traverse', target: head, steps, span: s, text };
}

function stepsOf(nodes: TsNode[], file: string, source: string, depth: number): Step[] | undefined {
  const steps: Step[] = [];
  for (const n of nodes) {
    if (n.type === 'get_attr') {
      const id = named(n).find((c) => c.type === 'identifier');
      if (!id) return undefined;
      steps.push({ kind: 'attr', name: id.text });
    } else if (n.type === 'index') {
      const inner = named(n)[0];
      if (inner?.type === 'legacy_index') {
        const digits = /\d+/.exec(inner.text)?.[0];
        if (digits === undefined) return undefined;
        steps.push({ kind: 'index', index: { t: 'lit', value: { kind: 'number', value: Number(digits), span: span(inner) }, span: span(inner) } });
        continue;
      }
      const e = inner && named(inner).find((c) => c.type === 'expression');
      if (!e) return undefined;
      steps.push({ kind: 'index', index: toExpr(e, file, source, depth + 1) });
    } else if (n.type === 'splat') {
      const inner = named(n)[0];
      const rest = inner ? stepsOf(named(inner), file, source, depth) : undefined;
      if (!rest) return undefined;
      steps.push({ kind: 'splat', steps: rest });
    } else {
      return undefined;
    }
  }
  return steps;
}

/**
 * A quoted template. tree-sitter-hcl leaves whitespace next to an
 * interpolation (and a string of only spaces) out of its `template_literal`
 * nodes, so the literal runs are read from the source between the nodes.
 */
function quotedTemplate(n: TsNode, file: string, source: string, depth: number): Expr {
  const kids = n.children.filter((c): c is TsNode => c !== null);
  const open = kids.find((c) => c.type === 'quoted_template_start');
  const close = [...kids].reverse().find((c) => c.type === 'quoted_template_end');
  const start = open ? open.endIndex : n.startIndex;
  const end = close ? close.startIndex : n.endIndex;
  const inner = named(n).filter((c) => c.type === 'template_interpolation' || c.type === 'template_directive');
  return templateParts(n, inner, start, end, file, source, depth);
}

function templateParts(n: TsNode, inner: TsNode[], start: number, end: number, file: string, source: string, depth: number, escapes = true): Expr {
  const parts: Extract<Expr, { t: 'tmpl' }>['parts'] = [];
  let at = start;
  const literal = (from: number, to: number) => {
    if (to <= from) return;
    const d = decodeHclLiteral(source.slice(from, to), from, escapes);
    parts.push({ lit: { kind: 'string', value: d.value, span: { start: from, end: to }, pieces: [{ at: 0, file, offsets: d.offsets, syntax: 'hcl' }] } });
  };
  for (const c of inner) {
    if (c.type === 'template_directive') return unknown(n, 'template directive (%{...})');
    literal(at, c.startIndex);
    const e = named(c).find((x) => x.type === 'expression');
    if (!e) return unknown(n);
    parts.push({ expr: toExpr(e, file, source, depth + 1) });
    at = c.endIndex;
  }
  literal(at, end);
  // A template that is one literal run is a plain string literal (with its source, for fixes).
  if (parts.length === 0) {
    return { t: 'lit', value: { kind: 'string', value: '', span: span(n), source: { file, span: span(n), offsets: [start], syntax: 'hcl' } }, span: span(n) };
  }
  if (parts.length === 1 && 'lit' in parts[0]) {
    const lit = parts[0].lit;
    return { t: 'lit', value: { kind: 'string', value: lit.value, span: span(n), source: { file, span: span(n), offsets: lit.pieces![0].offsets, syntax: 'hcl' } }, span: span(n) };
  }
  return { t: 'tmpl', parts, span: span(n) };
}

/**
 * A conditional. tree-sitter-hcl reads `a ? b : c ? d : e` as
 * `(a ? b : c) ? d : e` (its rule is left-associative); HCL, and so Packer,
 * as `a ? b : (c ? d : e)` (hclsyntax reads a whole expression after the
 * `:`; test/tools/hclEvaluation.test.ts asks `packer console`). The chain is
 * read down its left spine and rebuilt to the right. A condition in
 * parentheses is `expression > ( expression )`, not `expression >
 * conditional`, and stays as written.
 */
function conditional(n: TsNode, sub: (c: TsNode) => Expr, depth: number): Expr {
  // levels[0] is `n`: [condition, then, else]; each next level is the condition of the one before.
  const levels: TsNode[][] = [];
  for (let at: TsNode | undefined = n; at; ) {
    const parts = named(at).filter((x) => x.type === 'expression');
    if (parts.length !== 3) return unknown(n);
    if (depth + levels.length > MAX_EXPR_DEPTH) return unknown(n, 'nested too deeply');
    levels.push(parts);
    const inner = named(parts[0]);
    at = inner.length === 1 && inner[0].type === 'conditional' ? inner[0] : undefined;
  }
  const last = levels.length - 1;
  let rest = sub(levels[0][2]);
  for (let k = 0; k < last; k++) {
    const cond = levels[k + 1][2];
    rest = { t: 'cond', cond: sub(cond), then: sub(levels[k][1]), else: rest, span: { start: cond.startIndex, end: n.endIndex } };
  }
  return { t: 'cond', cond: sub(levels[last][0]), then: sub(levels[last][1]), else: rest, span: span(n) };
}

/** A heredoc: its lines between the opening line and the closing marker (`<<-` strips the common indentation). */
function heredoc(n: TsNode, file: string, source: string, depth: number): Expr {
  const ids = named(n).filter((c) => c.type === 'heredoc_identifier');
  if (ids.length < 2) return unknown(n);
  const bodyStart = source.indexOf('\n', ids[0].endIndex) + 1;
  const closeLine = source.lastIndexOf('\n', ids[ids.length - 1].startIndex - 1) + 1;
  if (bodyStart <= 0 || closeLine < bodyStart) return unknown(n);
  const strip = named(n).some((c) => c.type === 'heredoc_start' && c.text.includes('-'));
  const inner = named(n).filter((c) => c.type === 'template_interpolation' || c.type === 'template_directive');
  if (strip) {
    // Indentation stripping does not map character by character: evaluate, but offer no edits.
    if (inner.length > 0) return unknown(n, 'indented heredoc with template expressions');
    const lines = source.slice(bodyStart, closeLine).split('\n');
    const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length));
    const value = lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n');
    return { t: 'lit', value: { kind: 'string', value, span: span(n) }, span: span(n) };
  }
  // Heredocs take no backslash escapes, only `$${` and `%%{`.
  return templateParts(n, inner, bodyStart, closeLine, file, source, depth, false);
}
