/**
 * Evaluates what a template's values will be, as far as that is known
 * statically: legacy `{{user `x`}}` / `{{template_dir}}` / `{{pwd}}`, HCL2
 * `${...}` in `.pkr.json` strings, and HCL2 native expressions (references
 * with traversals, a set of pure functions, conditionals, for-expressions,
 * operators) over variable defaults, locals, `path.root` and `path.cwd`.
 * Anything else (`env`, `timestamp`, a variable without default, `build.*`)
 * makes the value `unknown`, and unknown values never produce findings.
 *
 * Strings remember where their characters are written (`Piece`s), through
 * interpolation, variables and string functions that keep characters
 * (`join`, `format`, `split`...), so a fix can edit the literal that holds
 * the text it changes, even in another file.
 */
import * as path from 'path';
import type { Piece, Span, Value } from './types';
import type { Expr, Step } from './expr';

/** Values by name, as evaluation reads them (a Map, or a view over several: a folder's files). */
export interface Names {
  get(name: string): Value | undefined;
  has(name: string): boolean;
}

export interface Scope {
  variables: Names;
  locals: Names;
  /** Directory of the template (`path.root` / `{{template_dir}}`). */
  templateDir?: string;
  /** Directory Packer runs in (`path.cwd` / `{{pwd}}`). */
  cwd?: string;
}

type Str = Extract<Value, { kind: 'string' }>;
type Unknown = Extract<Value, { kind: 'unknown' }>;

/** Evaluation steps allowed for one value (bounds work on hostile input: locals that double a list at each level). */
const BUDGET = 20_000;
/** How deep variables and locals may refer to each other. */
const MAX_REF_DEPTH = 16;

interface Ctx {
  scope: Scope;
  symbols: Map<string, Value>;
  depth: number;
  steps: { n: number };
  /** Names of the variables/locals being evaluated (a cycle is unknown). */
  active: Set<string>;
}

const memo = new WeakMap<Scope, Map<string, Value>>();

/** The value of `v` with its expressions evaluated where possible (lists and objects deeply). */
export function resolveValue(v: Value, scope: Scope): Value {
  return evalValue(v, { scope, symbols: new Map(), depth: 0, steps: { n: 0 }, active: new Set() });
}

function evalValue(v: Value, ctx: Ctx): Value {
  switch (v.kind) {
    case 'expr': return evalExpr(v.expr, ctx);
    case 'template': return v.syntax === 'go' ? goTemplate(v, ctx) : hclJsonTemplate(v, ctx);
    case 'list': return v.items.every(isPlain) ? v : { ...v, items: v.items.map((i) => evalValue(i, ctx)) };
    case 'object': return v.attrs.every((a) => isPlain(a.value)) ? v : { ...v, attrs: v.attrs.map((a) => ({ ...a, value: evalValue(a.value, ctx) })) };
    default: return v;
  }
}

function isPlain(v: Value): boolean {
  return v.kind !== 'expr' && v.kind !== 'template' && v.kind !== 'list' && v.kind !== 'object';
}

const unknownAt = (span: Span, why: string): Unknown => ({ kind: 'unknown', span, why });

/* ------------------------------------------------------------------ strings and pieces */

/** Where the characters of a string value are written: its pieces, or its literal's offsets. */
export function piecesOf(v: Str): Piece[] {
  if (v.pieces) return v.pieces;
  const s = v.source;
  if (s?.offsets && s.offsets.length === v.value.length + 1) return [{ at: 0, file: s.file, offsets: s.offsets, syntax: s.syntax }];
  return [];
}

/** A string made of parts, keeping where each part's characters are written. */
export function concatStrings(parts: Str[], span: Span): Str {
  let value = '';
  const pieces: Piece[] = [];
  for (const p of parts) {
    for (const piece of piecesOf(p)) pieces.push({ ...piece, at: piece.at + value.length });
    value += p.value;
  }
  return { kind: 'string', value, span, pieces };
}

/** `s.slice(from, to)` with its pieces. */
export function sliceString(s: Str, from: number, to: number, span: Span = s.span): Str {
  const pieces: Piece[] = [];
  for (const p of piecesOf(s)) {
    const len = p.offsets.length - 1;
    const a = Math.max(from, p.at);
    const b = Math.min(to, p.at + len);
    if (b < a || (b === a && len > 0)) continue;
    pieces.push({ ...p, at: a - from, offsets: p.offsets.slice(a - p.at, b - p.at + 1) });
  }
  return { kind: 'string', value: s.value.slice(from, to), span, pieces };
}

const str = (value: string, span: Span): Str => ({ kind: 'string', value, span, pieces: [] });

/** cty's conversion of a primitive to a string; undefined for anything else. */
function asString(v: Value): Str | undefined {
  if (v.kind === 'string') return v;
  if (v.kind === 'number') return str(numberText(v.value), v.span);
  if (v.kind === 'bool') return str(String(v.value), v.span);
  return undefined;
}

function numberText(n: number): string {
  return String(n);
}

/* ------------------------------------------------------------------ legacy and .pkr.json templates */

const GO_ACTION = /\{\{-?\s*(.*?)\s*-?\}\}/gs;
const GO_USER = /^user\s+(?:`([^`]*)`|"([^"]*)")$/;

/** The literal run `text[from, to)` of a template string, with its source offsets. */
function templateRun(v: Extract<Value, { kind: 'template' }>, from: number, to: number): Str {
  const offsets = v.source?.offsets;
  const pieces: Piece[] = offsets && offsets.length === v.text.length + 1 && to > from
    ? [{ at: 0, file: v.source!.file, offsets: offsets.slice(from, to + 1), syntax: v.source!.syntax }]
    : [];
  return { kind: 'string', value: v.text.slice(from, to), span: v.span, pieces };
}

/** Legacy JSON: `{{user `x`}}`, `{{template_dir}}`, `{{pwd}}`; other actions are unknown. */
function goTemplate(v: Extract<Value, { kind: 'template' }>, ctx: Ctx): Value {
  const text = v.text;
  const parts: Str[] = [];
  let last = 0;
  for (const m of text.matchAll(GO_ACTION)) {
    const at = m.index ?? 0;
    parts.push(templateRun(v, last, at));
    last = at + m[0].length;
    const action = m[1];
    const user = GO_USER.exec(action);
    if (user) {
      const r = lookup(ctx.scope.variables, 'var', user[1] ?? user[2], 'user variable', v.span, ctx);
      const s = asString(r);
      if (!s) return r.kind === 'unknown' ? { ...r, span: v.span } : unknownAt(v.span, `user variable ${user[1] ?? user[2]} is not a string`);
      parts.push(s);
    } else if (action === 'template_dir' && ctx.scope.templateDir !== undefined) {
      parts.push(str(ctx.scope.templateDir, v.span));
    } else if (action === 'pwd' && ctx.scope.cwd !== undefined) {
      parts.push(str(ctx.scope.cwd, v.span));
    } else {
      return unknownAt(v.span, `{{${action}}} is only known at build time`);
    }
  }
  parts.push(templateRun(v, last, text.length));
  const out = concatStrings(parts, v.span);
  if (out.value.includes('{{')) return unknownAt(v.span, 'unbalanced template action');
  return out;
}

/** `.pkr.json` strings: `${...}` references (var, local, path) with traversals; `$${` escapes. */
function hclJsonTemplate(v: Extract<Value, { kind: 'template' }>, ctx: Ctx): Value {
  const text = v.text;
  if (/(^|[^%])%\{/.test(text)) return unknownAt(v.span, 'template directive');
  const parts: Str[] = [];
  let last = 0;
  let i = 0;
  const literal = (from: number, to: number) => {
    // `$${` and `%%{` stand for `${` and `%{`.
    let run = from;
    for (let j = from; j < to; j++) {
      if ((text[j] === '$' || text[j] === '%') && text[j + 1] === text[j] && text[j + 2] === '{') {
        parts.push(templateRun(v, run, j + 1));
        run = j + 2;
        j++;
      }
    }
    parts.push(templateRun(v, run, to));
  };
  while ((i = text.indexOf('${', i)) >= 0) {
    if (i > 0 && text[i - 1] === '$') {
      i += 2;
      continue;
    }
    const close = text.indexOf('}', i);
    if (close < 0) return unknownAt(v.span, 'unbalanced ${');
    literal(last, i);
    const r = evalReferenceText(text.slice(i + 2, close), v.span, ctx);
    const s = asString(r);
    if (!s) return r.kind === 'unknown' ? { ...r, span: v.span } : unknownAt(v.span, `\${${text.slice(i + 2, close).trim()}} is not a string`);
    parts.push(s);
    last = i = close + 1;
  }
  literal(last, text.length);
  return concatStrings(parts, v.span);
}

const REF_TEXT = /^\s*([A-Za-z_][A-Za-z0-9_-]*)((?:\s*\.\s*[A-Za-z_][A-Za-z0-9_-]*|\s*\[\s*(?:\d+|"[^"]*")\s*\])*)\s*$/;

/** A reference written as text (`var.x`, `local.y.z[0]`, `path.root`) in a `.pkr.json` string. */
function evalReferenceText(text: string, span: Span, ctx: Ctx): Value {
  const m = REF_TEXT.exec(text);
  if (!m) return unknownAt(span, `\${${text.trim()}} is only known at build time`);
  const steps: Step[] = [];
  for (const s of m[2].matchAll(/\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\[\s*(\d+|"[^"]*")\s*\]/g)) {
    if (s[1] !== undefined) steps.push({ kind: 'attr', name: s[1] });
    else {
      const k = s[2];
      const value: Value = k.startsWith('"') ? str(k.slice(1, -1), span) : { kind: 'number', value: Number(k), span };
      steps.push({ kind: 'index', index: { t: 'lit', value, span } });
    }
  }
  return evalExpr({ t: 'ref', root: m[1], steps, span, text: text.trim() }, ctx);
}

/* ------------------------------------------------------------------ HCL2 expressions */

function evalExpr(e: Expr, ctx: Ctx): Value {
  if (++ctx.steps.n > BUDGET) return unknownAt(e.span, 'the expression is too complex to evaluate');
  switch (e.t) {
    case 'lit': return e.value;
    case 'unknown': return unknownAt(e.span, e.why);
    case 'tmpl': {
      // "${x}" alone is x itself, of whatever type (HCL's unwrapping of a lone interpolation).
      if (e.parts.length === 1 && 'expr' in e.parts[0]) return evalExpr(e.parts[0].expr, ctx);
      const parts: Str[] = [];
      for (const p of e.parts) {
        if ('lit' in p) {
          parts.push(p.lit);
          continue;
        }
        const v = evalExpr(p.expr, ctx);
        const s = asString(v);
        if (!s) return v.kind === 'unknown' ? { ...v, span: e.span } : unknownAt(e.span, 'an interpolation that is not a string');
        parts.push(s);
      }
      return concatStrings(parts, e.span);
    }
    case 'tuple': return { kind: 'list', items: e.items.map((i) => evalExpr(i, ctx)), span: e.span };
    case 'object': {
      const attrs = [];
      for (const en of e.entries) {
        const k = asString(evalExpr(en.key, ctx));
        if (!k) return unknownAt(e.span, 'an object key only known at build time');
        attrs.push({ name: k.value, nameSpan: en.keySpan, value: evalExpr(en.value, ctx), span: en.span });
      }
      return { kind: 'object', attrs, span: e.span };
    }
    case 'ref': return evalRef(e, ctx);
    case 'traverse': return traverse(evalExpr(e.target, ctx), e.steps, e.span, e.text, ctx);
    case 'call': return call(e, ctx);
    case 'cond': {
      const c = evalExpr(e.cond, ctx);
      if (c.kind === 'bool') return evalExpr(c.value ? e.then : e.else, ctx);
      // Both branches agree: the condition does not matter.
      const a = evalExpr(e.then, ctx);
      const b = evalExpr(e.else, ctx);
      if (a.kind !== 'unknown' && sameValue(a, b)) return a;
      return c.kind === 'unknown' ? { ...c, span: e.span } : unknownAt(e.span, 'a condition that is not a bool');
    }
    case 'unary': {
      const v = evalExpr(e.operand, ctx);
      if (e.op === '!' && v.kind === 'bool') return { kind: 'bool', value: !v.value, span: e.span };
      if (e.op === '-' && v.kind === 'number') return { kind: 'number', value: -v.value, span: e.span };
      return v.kind === 'unknown' ? v : unknownAt(e.span, `${e.op} on a ${v.kind}`);
    }
    case 'binary': return binary(e, ctx);
    case 'for': return forExpr(e, ctx);
  }
}

function evalRef(e: Extract<Expr, { t: 'ref' }>, ctx: Ctx): Value {
  const sym = ctx.symbols.get(e.root);
  if (sym) return traverse(sym, e.steps, e.span, e.text, ctx);
  const [first, ...rest] = e.steps;
  if ((e.root === 'var' || e.root === 'local') && first?.kind === 'attr') {
    const map = e.root === 'var' ? ctx.scope.variables : ctx.scope.locals;
    const v = lookup(map, e.root, first.name, e.root === 'var' ? 'variable' : 'local', e.span, ctx);
    return traverse(v, rest, e.span, e.text, ctx);
  }
  if (e.root === 'path' && first?.kind === 'attr' && rest.length === 0) {
    const dir = first.name === 'root' ? ctx.scope.templateDir : first.name === 'cwd' ? ctx.scope.cwd : undefined;
    if (dir !== undefined) return str(dir, e.span);
  }
  return unknownAt(e.span, `${e.text} is only known at build time`);
}

/** A variable's default (or var-file value) or a local, evaluated once per scope. */
function lookup(map: Names, root: string, name: string, what: string, span: Span, ctx: Ctx): Value {
  const key = `${root}.${name}`;
  const cache = memo.get(ctx.scope) ?? new Map<string, Value>();
  memo.set(ctx.scope, cache);
  const cached = cache.get(key);
  if (cached) return cached;
  const v = map.get(name);
  if (!v) return unknownAt(span, `${what} ${name} has no default here`);
  if (ctx.active.has(key) || ctx.depth > MAX_REF_DEPTH) return unknownAt(span, 'variables refer to each other too deeply');
  ctx.active.add(key);
  // Locals and defaults see only the top-level scope, never a for-expression's symbols.
  const r = tagVia(evalValue(v, { ...ctx, symbols: new Map(), depth: ctx.depth + 1 }), root === 'var' && what === 'user variable' ? `user ${name}` : key);
  ctx.active.delete(key);
  if (ctx.steps.n <= BUDGET) cache.set(key, r);
  return r;
}

/** Marks the literal runs of a variable's or local's value as reached through it (the innermost name wins). */
function tagVia(v: Value, via: string): Value {
  switch (v.kind) {
    case 'string': {
      const pieces = piecesOf(v);
      return pieces.every((p) => p.via) ? v : { ...v, pieces: pieces.map((p) => (p.via ? p : { ...p, via })) };
    }
    case 'list': return { ...v, items: v.items.map((i) => tagVia(i, via)) };
    case 'object': return { ...v, attrs: v.attrs.map((a) => ({ ...a, value: tagVia(a.value, via) })) };
    default: return v;
  }
}

function traverse(v: Value, steps: Step[], span: Span, text: string, ctx: Ctx): Value {
  let cur = v;
  for (let i = 0; i < steps.length; i++) {
    if (cur.kind === 'unknown') return cur;
    const s = steps[i];
    if (s.kind === 'splat') {
      if (cur.kind === 'null') return { kind: 'list', items: [], span };
      const items = cur.kind === 'list' ? cur.items : [cur];
      cur = { kind: 'list', items: items.map((x) => traverse(x, s.steps, span, text, ctx)), span };
      continue;
    }
    const key = s.kind === 'attr' ? str(s.name, span) : evalExpr(s.index, ctx);
    if (key.kind === 'unknown') return key;
    if (cur.kind === 'object') {
      const k = asString(key);
      const found = k && [...cur.attrs].reverse().find((a) => a.name === k.value);
      if (!found) return unknownAt(span, `${text} has no such attribute here`);
      cur = found.value;
    } else if (cur.kind === 'list' && key.kind === 'number' && Number.isInteger(key.value) && key.value >= 0 && key.value < cur.items.length) {
      cur = cur.items[key.value];
    } else {
      return unknownAt(span, `${text} cannot be read here`);
    }
  }
  return cur;
}

function binary(e: Extract<Expr, { t: 'binary' }>, ctx: Ctx): Value {
  const l = evalExpr(e.left, ctx);
  if (e.op === '&&' && l.kind === 'bool' && !l.value) return { kind: 'bool', value: false, span: e.span };
  if (e.op === '||' && l.kind === 'bool' && l.value) return { kind: 'bool', value: true, span: e.span };
  const r = evalExpr(e.right, ctx);
  if (l.kind === 'unknown') return l;
  if (r.kind === 'unknown') return r;
  const bool = (value: boolean): Value => ({ kind: 'bool', value, span: e.span });
  switch (e.op) {
    case '==': return bool(sameValue(l, r));
    case '!=': return bool(!sameValue(l, r));
    case '&&':
    case '||':
      return l.kind === 'bool' && r.kind === 'bool' ? bool(e.op === '&&' ? l.value && r.value : l.value || r.value) : unknownAt(e.span, `${e.op} needs bools`);
  }
  const a = l.kind === 'number' ? l.value : l.kind === 'string' && l.value.trim() !== '' ? Number(l.value) : NaN;
  const b = r.kind === 'number' ? r.value : r.kind === 'string' && r.value.trim() !== '' ? Number(r.value) : NaN;
  if (Number.isNaN(a) || Number.isNaN(b)) return unknownAt(e.span, `${e.op} needs numbers`);
  const num = (value: number): Value => (Number.isFinite(value) ? { kind: 'number', value, span: e.span } : unknownAt(e.span, 'not a finite number'));
  switch (e.op) {
    case '+': return num(a + b);
    case '-': return num(a - b);
    case '*': return num(a * b);
    case '/': return num(a / b);
    case '%': return num(a % b);
    case '<': return bool(a < b);
    case '>': return bool(a > b);
    case '<=': return bool(a <= b);
    case '>=': return bool(a >= b);
    default: return unknownAt(e.span, `operator ${e.op}`);
  }
}

function forExpr(e: Extract<Expr, { t: 'for' }>, ctx: Ctx): Value {
  const coll = evalExpr(e.collection, ctx);
  if (coll.kind === 'unknown') return coll;
  const entries: [Value, Value][] = coll.kind === 'list'
    ? coll.items.map((v, i) => [{ kind: 'number', value: i, span: v.span }, v])
    : coll.kind === 'object' ? coll.attrs.map((a) => [str(a.name, a.nameSpan), a.value]) : [];
  if (coll.kind !== 'list' && coll.kind !== 'object') return unknownAt(e.span, 'for over a value that is not a collection');
  const items: Value[] = [];
  const attrs: Extract<Value, { kind: 'object' }>['attrs'] = [];
  for (const [k, v] of entries) {
    const symbols = new Map(ctx.symbols);
    if (e.keyVar) symbols.set(e.keyVar, k);
    symbols.set(e.valueVar, v);
    const inner: Ctx = { ...ctx, symbols };
    if (e.cond) {
      const c = evalExpr(e.cond, inner);
      if (c.kind !== 'bool') return c.kind === 'unknown' ? c : unknownAt(e.span, 'a for condition that is not a bool');
      if (!c.value) continue;
    }
    const value = evalExpr(e.value, inner);
    if (!e.object) {
      items.push(value);
      continue;
    }
    const key = asString(evalExpr(e.key!, inner));
    if (!key) return unknownAt(e.span, 'a for key only known at build time');
    attrs.push({ name: key.value, nameSpan: key.span, value, span: e.span });
  }
  return e.object ? { kind: 'object', attrs, span: e.span } : { kind: 'list', items, span: e.span };
}

/** Structural equality, ignoring where values are written. */
export function sameValue(a: Value, b: Value): boolean {
  // HCL's == compares types too: "1" == 1 is false.
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'string': return a.value === (b as Str).value;
    case 'number': return a.value === (b as typeof a).value;
    case 'bool': return a.value === (b as typeof a).value;
    case 'null': return true;
    case 'list': {
      const bl = b as typeof a;
      return a.items.length === bl.items.length && a.items.every((x, i) => sameValue(x, bl.items[i]));
    }
    case 'object': {
      const bo = b as typeof a;
      return a.attrs.length === bo.attrs.length && a.attrs.every((x) => bo.attrs.some((y) => y.name === x.name && sameValue(x.value, y.value)));
    }
    default: return false;
  }
}

/* ------------------------------------------------------------------ functions */

type Fn = (args: Value[], span: Span, ctx: Ctx) => Value;

const listOf = (items: Value[], span: Span): Value => ({ kind: 'list', items, span });
const firstUnknown = (vs: Value[]): Unknown | undefined => vs.find((v): v is Unknown => v.kind === 'unknown');

function strings(v: Value): Str[] | undefined {
  if (v.kind !== 'list') return undefined;
  const out: Str[] = [];
  for (const i of v.items) {
    const s = asString(i);
    if (!s) return undefined;
    out.push(s);
  }
  return out;
}

function splitString(sep: string, s: Str, span: Span): Value {
  if (sep === '') return unknownAt(span, 'split with an empty separator');
  const items: Value[] = [];
  let from = 0;
  for (;;) {
    const at = s.value.indexOf(sep, from);
    if (at < 0) break;
    items.push(sliceString(s, from, at, span));
    from = at + sep.length;
  }
  items.push(sliceString(s, from, s.value.length, span));
  return listOf(items, span);
}

/** Go's fmt verbs as HCL's `format` has them: `%s`, `%d`, `%v`, `%%`; anything fancier is unknown. */
function format(args: Value[], span: Span): Value {
  const [f, ...rest] = args;
  if (f?.kind !== 'string') return unknownAt(span, 'format with a format that is not a string');
  const parts: Str[] = [];
  let last = 0;
  let arg = 0;
  for (let i = 0; i < f.value.length; i++) {
    if (f.value[i] !== '%') continue;
    parts.push(sliceString(f, last, i, span));
    const verb = f.value[i + 1];
    if (verb === '%') {
      parts.push(sliceString(f, i + 1, i + 2, span));
    } else if (verb === 's' || verb === 'd' || verb === 'v') {
      const a = rest[arg++];
      const s = a && asString(a);
      if (!s) return a?.kind === 'unknown' ? a : unknownAt(span, 'format argument that is not a string');
      parts.push(s);
    } else {
      return unknownAt(span, `format verb %${verb ?? ''}`);
    }
    i++;
    last = i + 1;
  }
  parts.push(sliceString(f, last, f.value.length, span));
  return concatStrings(parts, span);
}

const stringFn = (fn: (s: string, ...rest: string[]) => string | undefined): Fn => (args, span) => {
  const ss = args.map(asString);
  if (ss.some((s) => !s)) return firstUnknown(args) ?? unknownAt(span, 'a string function on a value that is not a string');
  const r = fn(ss[0]!.value, ...ss.slice(1).map((s) => s!.value));
  return r === undefined ? unknownAt(span, 'not evaluated') : str(r, span);
};

const FUNCTIONS: Record<string, Fn> = {
  concat: (args, span) => {
    const items: Value[] = [];
    for (const a of args) {
      if (a.kind !== 'list') return firstUnknown([a]) ?? unknownAt(span, 'concat of a value that is not a list');
      items.push(...a.items);
    }
    return listOf(items, span);
  },
  compact: ([l], span) => (l?.kind === 'list' ? listOf(l.items.filter((i) => !(i.kind === 'null' || (i.kind === 'string' && i.value === ''))), span) : l ?? unknownAt(span, 'compact')),
  flatten: ([l], span) => {
    if (l?.kind !== 'list') return l ?? unknownAt(span, 'flatten');
    const out: Value[] = [];
    const walk = (v: Value) => (v.kind === 'list' ? v.items.forEach(walk) : out.push(v));
    l.items.forEach(walk);
    return listOf(out, span);
  },
  distinct: ([l], span) => (l?.kind === 'list' ? listOf(l.items.filter((x, i) => l.items.findIndex((y) => sameValue(x, y)) === i), span) : l ?? unknownAt(span, 'distinct')),
  join: ([sep, ...lists], span) => {
    const s = sep && asString(sep);
    if (!s) return sep?.kind === 'unknown' ? sep : unknownAt(span, 'join separator');
    const parts: Str[] = [];
    for (const l of lists) {
      const items = strings(l);
      if (!items) return firstUnknown(l.kind === 'list' ? l.items : [l]) ?? unknownAt(span, 'join of a value that is not a list of strings');
      for (const i of items) {
        if (parts.length > 0) parts.push(s);
        parts.push(i);
      }
    }
    return concatStrings(parts, span);
  },
  split: ([sep, s], span) => {
    const a = sep && asString(sep);
    const b = s && asString(s);
    return a && b ? splitString(a.value, b, span) : firstUnknown([sep, s].filter(Boolean) as Value[]) ?? unknownAt(span, 'split');
  },
  format: (args, span) => format(args, span),
  coalesce: (args, span) => {
    for (const a of args) {
      if (a.kind === 'unknown') return a;
      if (a.kind === 'null' || (a.kind === 'string' && a.value === '')) continue;
      return a;
    }
    return unknownAt(span, 'coalesce of no value');
  },
  coalescelist: (args, span) => {
    for (const a of args) {
      if (a.kind === 'unknown') return a;
      if (a.kind === 'list' && a.items.length > 0) return a;
    }
    return listOf([], span);
  },
  element: ([l, i], span) => (l?.kind === 'list' && i?.kind === 'number' && l.items.length > 0 ? l.items[((Math.floor(i.value) % l.items.length) + l.items.length) % l.items.length] : firstUnknown([l, i].filter(Boolean) as Value[]) ?? unknownAt(span, 'element')),
  length: ([v], span) => (v?.kind === 'list' ? { kind: 'number', value: v.items.length, span } : v?.kind === 'object' ? { kind: 'number', value: v.attrs.length, span } : v?.kind === 'string' ? { kind: 'number', value: [...v.value].length, span } : v ?? unknownAt(span, 'length')),
  lookup: ([m, k, d], span) => {
    const key = k && asString(k);
    if (m?.kind !== 'object' || !key) return firstUnknown([m, k].filter(Boolean) as Value[]) ?? unknownAt(span, 'lookup');
    const found = [...m.attrs].reverse().find((a) => a.name === key.value);
    return found ? found.value : d ?? unknownAt(span, `lookup of a missing key ${key.value}`);
  },
  merge: (args, span) => {
    const attrs: Extract<Value, { kind: 'object' }>['attrs'] = [];
    for (const a of args) {
      if (a.kind === 'null') continue;
      if (a.kind !== 'object') return firstUnknown([a]) ?? unknownAt(span, 'merge of a value that is not an object');
      for (const at of a.attrs) {
        const i = attrs.findIndex((x) => x.name === at.name);
        if (i >= 0) attrs.splice(i, 1);
        attrs.push(at);
      }
    }
    return { kind: 'object', attrs, span };
  },
  contains: ([l, v], span) => (l?.kind === 'list' && v && v.kind !== 'unknown' && l.items.every((i) => i.kind !== 'unknown') ? { kind: 'bool', value: l.items.some((i) => sameValue(i, v)), span } : firstUnknown([l, v].filter(Boolean) as Value[]) ?? unknownAt(span, 'contains')),
  keys: ([m], span) => (m?.kind === 'object' ? listOf([...m.attrs].sort((a, b) => (a.name < b.name ? -1 : 1)).map((a) => str(a.name, a.nameSpan)), span) : m ?? unknownAt(span, 'keys')),
  values: ([m], span) => (m?.kind === 'object' ? listOf([...m.attrs].sort((a, b) => (a.name < b.name ? -1 : 1)).map((a) => a.value), span) : m ?? unknownAt(span, 'values')),
  tolist: ([l], span) => (l?.kind === 'list' ? l : l ?? unknownAt(span, 'tolist')),
  // cty sets of strings iterate in lexical order.
  toset: ([l], span) => {
    const items = l && strings(l);
    if (!items) return l?.kind === 'list' && l.items.length === 0 ? l : (l && firstUnknown(l.kind === 'list' ? l.items : [l])) ?? unknownAt(span, 'toset');
    const sorted = [...items].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)).filter((x, i, all) => i === 0 || all[i - 1].value !== x.value);
    return listOf(sorted, span);
  },
  tomap: ([m], span) => (m?.kind === 'object' ? m : m ?? unknownAt(span, 'tomap')),
  tostring: ([v], span) => (v && asString(v)) ?? v ?? unknownAt(span, 'tostring'),
  lower: stringFn((s) => s.toLowerCase()),
  upper: stringFn((s) => s.toUpperCase()),
  trimspace: ([s], span) => {
    const v = s && asString(s);
    if (!v) return s ?? unknownAt(span, 'trimspace');
    const start = v.value.length - v.value.trimStart().length;
    return sliceString(v, start, start + v.value.trim().length, span);
  },
  trimprefix: ([s, p], span) => {
    const v = s && asString(s);
    const q = p && asString(p);
    if (!v || !q) return firstUnknown([s, p].filter(Boolean) as Value[]) ?? unknownAt(span, 'trimprefix');
    return v.value.startsWith(q.value) ? sliceString(v, q.value.length, v.value.length, span) : v;
  },
  trimsuffix: ([s, p], span) => {
    const v = s && asString(s);
    const q = p && asString(p);
    if (!v || !q) return firstUnknown([s, p].filter(Boolean) as Value[]) ?? unknownAt(span, 'trimsuffix');
    return v.value.endsWith(q.value) ? sliceString(v, 0, v.value.length - q.value.length, span) : v;
  },
  // A literal substring replacement (a /regex/ pattern is not evaluated).
  replace: stringFn((s, sub, rep) => (sub.length > 1 && sub.startsWith('/') && sub.endsWith('/') ? undefined : sub === '' ? undefined : s.split(sub).join(rep))),
  startswith: ([s, p], span) => {
    const a = s && asString(s);
    const b = p && asString(p);
    return a && b ? { kind: 'bool', value: a.value.startsWith(b.value), span } : firstUnknown([s, p].filter(Boolean) as Value[]) ?? unknownAt(span, 'startswith');
  },
  endswith: ([s, p], span) => {
    const a = s && asString(s);
    const b = p && asString(p);
    return a && b ? { kind: 'bool', value: a.value.endsWith(b.value), span } : firstUnknown([s, p].filter(Boolean) as Value[]) ?? unknownAt(span, 'endswith');
  },
  strcontains: ([s, p], span) => {
    const a = s && asString(s);
    const b = p && asString(p);
    return a && b ? { kind: 'bool', value: a.value.includes(b.value), span } : firstUnknown([s, p].filter(Boolean) as Value[]) ?? unknownAt(span, 'strcontains');
  },
  basename: stringFn((s) => path.posix.basename(s)),
  dirname: stringFn((s) => path.posix.dirname(s)),
  abspath: (args, span, ctx) => {
    const s = args[0] && asString(args[0]);
    if (!s) return args[0] ?? unknownAt(span, 'abspath');
    if (path.posix.isAbsolute(s.value)) return str(path.posix.normalize(s.value), span);
    return ctx.scope.cwd !== undefined ? str(path.posix.resolve(ctx.scope.cwd, s.value), span) : unknownAt(span, 'abspath of a relative path');
  },
};

function call(e: Extract<Expr, { t: 'call' }>, ctx: Ctx): Value {
  const fn = FUNCTIONS[e.name];
  if (!fn) return unknownAt(e.span, `${e.name}(...) is only known at build time`);
  let args = e.args.map((a) => evalExpr(a, ctx));
  if (e.expand) {
    const last = args[args.length - 1];
    if (last?.kind !== 'list') return last?.kind === 'unknown' ? last : unknownAt(e.span, 'expanding a value that is not a list');
    args = [...args.slice(0, -1), ...last.items];
  }
  const r = fn(args, e.span, ctx);
  return r.kind === 'unknown' ? { ...r, span: e.span } : r;
}
