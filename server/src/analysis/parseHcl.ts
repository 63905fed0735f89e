/**
 * HCL2 native syntax (`.pkr.hcl`) to the model, with tree-sitter-hcl.
 * `initHcl()` must have resolved before `parseHcl()` is called.
 */
import type { Node as TsNode, Tree } from 'web-tree-sitter';
import { BUILDER_ATTRS, PATH_ATTRS, type Attribute, type Provisioner, type Template, type Value, type Span, type ParseProblem } from './types';
import { decodeHclLiteral } from './stringOffsets';
import { toExpr, type Expr } from './expr';
import { commitEdits, isKept, lastEdit, parseRange, parseTree, pendingEdit } from './hclParser';
import { prunedRanges, type IncludedRange } from './hclPrune';
import { parseHclFast } from './hclFast';
import { detached, shifted } from './shiftSpans';
import { onForget } from './documentEdits';

export { ParseTooSlow, dropTree, hclReady, initHcl, keepTree, type HclRuntimeSource } from './hclParser';


/**
 * `prune`: leave out of the parse the `build` blocks no finding can depend on
 * (hclPrune.ts); the template then lacks their builds and their syntax
 * errors. For the lint, which reports findings only; never for a kept tree.
 * `pruned`: the text is the lint's, pruned already (prunedText.ts).
 */
export function parseHcl(file: string, text: string, options: { prune?: boolean; pruned?: boolean } = {}): Template {
  const t = emptyTemplate(file, text);
  const cache = buildCache(file);
  const alone = cache && blockAlone(file, text);
  if (alone) {
    for (const item of alone) if (item.part) addPart(t, item.part);
    converted.set(file, { text, items: alone });
    return t;
  }
  const tree = options.pruned ? fastTree(text, undefined, file) : options.prune && !isKept(file) ? fastTree(text, prunedRanges(text), file) : parseTree(text, file);
  const seen = cache && new Map<string, CachedBuild>();
  let items: Item[] | undefined;
  try {
    if (cache) {
      items = rewalk(file, text, tree);
      if (items) {
        rewalks++;
        for (const item of items) if (item.part) addPart(t, item.part);
        return t;
      }
    }
    collectProblems(tree.rootNode, t.problems);
    const body = tree.rootNode.namedChildren.find((c) => c?.type === 'body');
    if (!body) return t;
    // An open document without syntax errors: its top-level items are remembered for the next keystroke (`rewalk`).
    const remembered: Item[] | undefined = cache && !tree.rootNode.hasError ? [] : undefined;
    for (const node of body.namedChildren) {
      if (!node) continue;
      const part = node.type === 'block' ? convertBlock(node, file, text, cache, seen) : undefined;
      if (part) addPart(t, part);
      remembered?.push({ start: node.startIndex, end: node.endIndex, part });
    }
    items = remembered;
  } finally {
    tree.delete();
    // After a walk of every block (not a re-walk of a few), the blocks of this text only.
    if (seen && seen.size > 0) buildCaches.set(file, seen);
    if (cache) {
      if (items) converted.set(file, { text, items });
      else converted.delete(file);
    }
  }
  return t;
}

/**
 * A parse of `ranges` of `text` (all of it when undefined): hclFast.ts's when
 * it follows them, tree-sitter's otherwise; the whole text when a parse of
 * ranges has a syntax error.
 */
function fastTree(text: string, ranges: IncludedRange[] | undefined, file: string): Tree {
  const fast = parseHclFast(text, ranges);
  // The same tree as tree-sitter's, of plain objects (hclFast.ts): the conversion reads only what both have.
  if (fast) return fast as unknown as Tree;
  if (!ranges) return parseTree(text, file);
  const tree = parseTree(text, undefined, ranges);
  if (!tree.rootNode.hasError) return tree;
  tree.delete();
  return parseTree(text, file);
}


function emptyTemplate(file: string, text: string): Template {
  return { file, format: 'hcl', text, builders: [], builds: [], provisioners: [], variables: new Map(), locals: new Map(), requiresInit: false, requiredPlugins: [], problems: [] };
}

/** What one top-level block adds to the model (a template holding only that block's contributions). */
type Part = Pick<Template, 'builders' | 'builds' | 'provisioners' | 'variables' | 'locals' | 'requiresInit' | 'requiredPlugins'>;

/** The part of a template holding one block (without the text and the rest: a part may outlive its text). */
function partOf(t: Template): Part {
  return { builders: t.builders, builds: t.builds, provisioners: t.provisioners, variables: t.variables, locals: t.locals, requiresInit: t.requiresInit, requiredPlugins: t.requiredPlugins };
}

function addPart(t: Template, p: Part): void {
  for (const [k, v] of p.variables) t.variables.set(k, v);
  for (const [k, v] of p.locals) t.locals.set(k, v);
  t.builders.push(...p.builders);
  t.builds.push(...p.builds);
  t.provisioners.push(...p.provisioners);
  t.requiredPlugins.push(...p.requiredPlugins);
  if (p.requiresInit) t.requiresInit = true;
}

function convertBlock(block: TsNode, file: string, text: string, cache: Map<string, CachedBuild> | undefined, seen: Map<string, CachedBuild> | undefined): Part | undefined {
  const t = emptyTemplate(file, text);
  const conv = (n: TsNode) => toValue(n, file, text);
  let blockText: string | undefined;
  // A block with a syntax error inside may read differently in another context: never cached.
  if (cache && !block.hasError) {
    blockText = text.slice(block.startIndex, block.endIndex);
    const hit = cache.get(blockText);
    if (hit) {
      seen!.set(blockText, hit);
      reuseBuild(hit, block.startIndex, t);
      return partOf(t);
    }
  }
  const [type, labels] = blockHead(block);
  const inner = blockBody(block);
  if (type === 'variable' && labels.length === 1 && inner) {
    const d = attrsOf(inner, conv, VARIABLE_ATTRS).get('default');
    if (d) t.variables.set(labels[0], d.value);
  } else if (type === 'variables' && inner) {
    // The deprecated `variables { name = default }` block.
    for (const [name, a] of attrsOf(inner, conv)) t.variables.set(name, a.value);
  } else if (type === 'locals' && inner) {
    for (const [name, a] of attrsOf(inner, conv)) t.locals.set(name, a.value);
  } else if (type === 'local' && labels.length === 1 && inner) {
    const e = attrsOf(inner, conv, LOCAL_ATTRS).get('expression');
    if (e) t.locals.set(labels[0], e.value);
  } else if (type === 'source' && labels.length === 2) {
    const attrs = new Map([...(inner ? attrsOf(inner, conv, BUILDER_ATTRS) : [])]);
    t.builders.push({ name: `${labels[0]}.${labels[1]}`, type: labels[0], attrs, file });
  } else if (type === 'packer' && inner) {
    requiredPlugins(inner, conv, t);
  } else if (type === 'build' && inner) {
    buildBlock(inner, conv, t);
    const simple = seen && blockText !== undefined && rememberBuild(t, 0, block.startIndex);
    if (simple) seen.set(blockText!, simple);
  } else {
    return undefined;
  }
  return partOf(t);
}

/**
 * The top-level items (blocks, attributes, comments) of an open document's
 * last conversion, when its tree had no syntax error: their spans and what
 * each block added to the model.
 */
interface Item {
  start: number;
  end: number;
  part?: Part;
}
const converted = new Map<string, { text: string; items: Item[] }>();
onForget((file) => {
  converted.delete(file);
  buildCaches.delete(file);
});
let rewalks = 0;
let aloneBlocks = 0;
/** How many conversions re-walked only the items an edit touched, or parsed only the block it changed (a test and benchmark hook). */
export function hclRewalks(): { rewalks: number; aloneBlocks: number } {
  return { rewalks, aloneBlocks };
}

/**
 * The items of `text` from those of the last conversion, walking only the
 * items the edit since touches (hclParser.ts's `lastEdit`): the items before
 * them are taken as they are, those after them moved by the edit's length.
 * Only when neither tree has a syntax error and no earlier item straddles the
 * boundaries of the stretch walked again: the text before that stretch is
 * then the same, split into items the same way (a parse without errors is
 * unique), and so is the text after it. Undefined when that does not hold.
 */
function rewalk(file: string, text: string, tree: Tree): Item[] | undefined {
  const prev = converted.get(file);
  const last = lastEdit(file);
  if (!prev || !last?.edit || last.before !== prev.text || tree.rootNode.hasError) return undefined;
  const { startIndex: s, oldEndIndex: oe, newEndIndex: ne } = last.edit;
  const delta = ne - oe;
  const body = tree.rootNode.namedChildren.find((c) => c?.type === 'body');
  if (!body) return undefined;
  // The new items touching the edit.
  const fresh: TsNode[] = [];
  for (let n = body.firstNamedChildForIndex(Math.max(0, s - 1)); n && n.startIndex <= ne; n = n.nextNamedSibling) fresh.push(n);
  const from = Math.min(s, fresh[0]?.startIndex ?? s);
  const to = Math.max(ne, fresh[fresh.length - 1]?.endIndex ?? ne);
  const oldTo = to - delta;
  const old = prev.items;
  // First old item ending after `from`; first old item starting at or after `oldTo`.
  const i = firstEndingAfter(old, from);
  let j = i;
  while (j < old.length && old[j].start < oldTo) j++;
  if (i < old.length && old[i].start < from) return undefined;
  if (j > i && old[j - 1].end > oldTo) return undefined;
  const walked = fresh.map((n) => ({ start: n.startIndex, end: n.endIndex, part: n.type === 'block' ? detachedPart(n, file, text) : undefined }));
  return spliced(old, i, j, walked, delta);
}

/** A block converted on its own, holding none of `text` (it may be kept across many keystrokes: see `detached`). */
function detachedPart(block: TsNode, file: string, text: string): Part | undefined {
  const part = convertBlock(block, file, text, undefined, undefined);
  return part && detached(part);
}

/** `items` with `[from, to)` replaced by `fresh`, the items after moved by `delta`. */
function spliced(items: Item[], from: number, to: number, fresh: Item[], delta: number): Item[] {
  const out = items.slice(0, from);
  out.push(...fresh);
  for (let k = to; k < items.length; k++) {
    const o = items[k];
    out.push(delta === 0 ? o : { start: o.start + delta, end: o.end + delta, part: o.part && shifted(o.part, delta) });
  }
  return out;
}

/** The index of the first item ending after `offset`. */
function firstEndingAfter(items: Item[], offset: number): number {
  let lo = 0;
  for (let hi = items.length; lo < hi; ) {
    const mid = (lo + hi) >> 1;
    if (items[mid].end <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A keystroke inside one top-level block of an open document without syntax
 * errors (most keystrokes): that block's new text is parsed on its own; when
 * it is still one block without errors, the document is the last one with
 * that block replaced (a parse without errors is unique), so the model is
 * the last items with that block converted again and those after it moved.
 * The edits go into the kept tree unparsed, for the next full parse.
 * Undefined when this does not apply.
 */
function blockAlone(file: string, text: string): Item[] | undefined {
  const prev = converted.get(file);
  const pending = prev && pendingEdit(file, text);
  if (!prev || !pending || pending.before !== prev.text) return undefined;
  const { startIndex: s, oldEndIndex: oe, newEndIndex: ne } = pending.edit;
  const i = firstEndingAfter(prev.items, s);
  const o = prev.items[i];
  if (!o?.part || !(o.start < s && oe < o.end)) return undefined;
  const end = o.end + ne - oe;
  const tree = parseRange(text, o.start, end);
  if (!tree) return undefined;
  try {
    const kids = tree.rootNode.hasError ? [] : tree.rootNode.namedChildren.find((c) => c?.type === 'body')?.namedChildren ?? [];
    const block = kids[0];
    if (kids.length !== 1 || block?.type !== 'block' || block.startIndex !== o.start || block.endIndex !== end) return undefined;
    const part = detachedPart(block, file, text);
    if (!part) return undefined;
    commitEdits(file, text);
    aloneBlocks++;
    return spliced(prev.items, i, i + 1, [{ start: o.start, end, part }], ne - oe);
  } finally {
    tree.delete();
  }
}


/**
 * The language server's open documents (kept trees, see hclParser.ts): the
 * `build` blocks of the last conversion that hold no `ansible` provisioner
 * and nothing else the analysis reads (most of a large template: shell
 * provisioners), by their text, with offsets relative to the block. A block
 * whose text is unchanged since is taken from here, moved to where it is now,
 * instead of being walked again across the WebAssembly boundary: a keystroke
 * re-walks the blocks it changed, not the whole document.
 */
interface CachedBuild {
  sources: { source: string; name: string }[];
  unknownSources: boolean;
  provisioners: { type: string; typeSpan: Span; span: Span; open: number; close: number }[];
}
const buildCaches = new Map<string, Map<string, CachedBuild>>();

function buildCache(file: string): Map<string, CachedBuild> | undefined {
  for (const f of buildCaches.keys()) if (!isKept(f)) buildCaches.delete(f);
  for (const f of converted.keys()) if (!isKept(f)) converted.delete(f);
  return isKept(file) ? buildCaches.get(file) ?? new Map() : undefined;
}

/** The last build block converted, relative to `at`, when it is one the cache can hold. */
function rememberBuild(t: Template, before: number, at: number): CachedBuild | undefined {
  const build = t.builds[t.builds.length - 1];
  const provisioners = t.provisioners.slice(before);
  if (provisioners.some((p) => p.type === 'ansible' || p.attrs.size > 0 || p.overrides.length > 0)) return undefined;
  const rel = (x: Span): Span => ({ start: x.start - at, end: x.end - at });
  // Kept while the block is unchanged, across many versions of the text: it must hold none of this one (`detached`).
  return detached({
    sources: build.sources.map((x) => ({ ...x })),
    unknownSources: build.unknownSources,
    provisioners: provisioners.map((p) => ({ type: p.type, typeSpan: rel(p.typeSpan), span: rel(p.span), open: p.anchor.open - at, close: p.anchor.close - at })),
  });
}

function reuseBuild(c: CachedBuild, at: number, t: Template): void {
  const build: Template['builds'][number] = { sources: c.sources.map((x) => ({ ...x })), unknownSources: c.unknownSources };
  const abs = (x: Span): Span => ({ start: x.start + at, end: x.end + at });
  for (const p of c.provisioners) {
    t.provisioners.push({ type: p.type, build, typeSpan: abs(p.typeSpan), span: abs(p.span), attrs: new Map(), overrides: [], anchor: { syntax: 'hcl', open: p.open + at, close: p.close + at } });
  }
  t.builds.push(build);
}

function requiredPlugins(inner: TsNode, conv: (n: TsNode) => Value, t: Template): void {
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
}

/** `source.<type>.<name>` (or `<type>.<name>`) → `<type>.<name>`. */
function sourceRef(ref: string): string | undefined {
  const m = /^(?:source\.)?([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(ref.trim());
  return m ? `${m[1]}.${m[2]}` : undefined;
}

function buildBlock(inner: TsNode, conv: (n: TsNode) => Value, t: Template): void {
  const build: Template['builds'][number] = { sources: [], unknownSources: false };
  const sources = attrsOf(inner, conv).get('sources')?.value;
  if (sources?.kind === 'list') {
    for (const item of sources.items) {
      // Written as strings ("source.x.y") or, in newer Packer, as references (source.x.y).
      const text = item.kind === 'string' ? item.value : item.kind === 'expr' && item.expr.t === 'ref' ? item.expr.text : undefined;
      const ref = text !== undefined ? sourceRef(text) : undefined;
      if (ref) build.sources.push({ source: ref, name: ref });
      else build.unknownSources = true;
    }
  } else if (sources) {
    build.unknownSources = true;
  }
  for (const b of childrenOfType(inner, 'block')) {
    const [btype, blabels] = blockHead(b);
    const bbody = blockBody(b);
    if (btype === 'source' && blabels.length === 1) {
      const ref = sourceRef(blabels[0]);
      if (!ref) {
        build.unknownSources = true;
        continue;
      }
      // `name = "x"` inside renames the build: -only knows it as <type>.x.
      const rename = bbody && attrsOf(bbody, conv).get('name')?.value;
      const name = rename?.kind === 'string' ? `${ref.split('.')[0]}.${rename.value}` : ref;
      build.sources.push({ source: ref, name });
      continue;
    }
    if (btype !== 'provisioner' || blabels.length !== 1) continue;
    const labelNode = b.namedChildren.filter((c) => c?.type === 'string_lit' || c?.type === 'identifier')[1];
    const open = b.namedChildren.find((c) => c?.type === 'block_start');
    const close = b.namedChildren.find((c) => c?.type === 'block_end');
    if (!labelNode || !open || !close) continue;
    const p: Provisioner = {
      type: blabels[0],
      build,
      typeSpan: spanOf(labelNode),
      span: spanOf(b),
      // Only ansible provisioners are analysed: the others keep only the files they name (they can be large).
      attrs: !bbody ? new Map() : blabels[0] === 'ansible' ? attrsOf(bbody, conv) : attrsOf(bbody, conv, PATH_ATTRS),
      overrides: [],
      anchor: { syntax: 'hcl', open: open.endIndex, close: close.startIndex },
    };
    t.provisioners.push(p);
  }
  t.builds.push(build);
}

/** Attribute values of a `.pkrvars.hcl` file (variable name → value). */
export function parseHclVarFile(file: string, text: string): Map<string, Value> {
  const tree = parseTree(text);
  const out = new Map<string, Value>();
  try {
    const body = tree.rootNode.namedChildren.find((c) => c?.type === 'body');
    if (body) for (const [name, a] of attrsOf(body, (n) => toValue(n, file, text))) out.set(name, a.value);
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

/** What a `variable` and a `local` block are read for. */
const VARIABLE_ATTRS = new Set(['default']);
const LOCAL_ATTRS = new Set(['expression']);

/** The attributes of a body (only those in `keep`, when given: converting a value costs). */
function attrsOf(body: TsNode, conv: (n: TsNode) => Value, keep?: Set<string>): Map<string, Attribute> {
  const m = new Map<string, Attribute>();
  for (const a of childrenOfType(body, 'attribute')) {
    const id = a.namedChildren.find((c) => c?.type === 'identifier');
    const expr = a.namedChildren.find((c) => c?.type === 'expression');
    if (!id || !expr || (keep && !keep.has(id.text))) continue;
    m.set(id.text, { name: id.text, nameSpan: spanOf(id), value: conv(expr), span: spanOf(a) });
  }
  return m;
}

/** Decoded text of a string_lit without interpolation. */
function literalText(n: TsNode): string | undefined {
  const parts = n.namedChildren.filter((c): c is TsNode => c?.type === 'template_literal');
  return parts.map((p) => decodeHclLiteral(p.text, p.startIndex).value).join('');
}

/**
 * A value of the model: literals, lists and objects of literals as plain
 * values (fixes edit them in place), anything else as an expression to
 * evaluate later.
 */
function toValue(n: TsNode, file: string, text: string): Value {
  return lower(toExpr(n, file, text));
}

function lower(e: Expr): Value {
  switch (e.t) {
    case 'lit': return e.value;
    case 'tuple': return { kind: 'list', items: e.items.map(lower), span: e.span };
    case 'object': {
      const attrs: Attribute[] = [];
      for (const en of e.entries) {
        if (en.key.t !== 'lit' || en.key.value.kind !== 'string') return { kind: 'expr', expr: e, span: e.span };
        attrs.push({ name: en.key.value.value, nameSpan: en.keySpan, value: lower(en.value), span: en.span });
      }
      return { kind: 'object', attrs, span: e.span };
    }
    default: return { kind: 'expr', expr: e, span: e.span };
  }
}

function spanOf(n: TsNode): Span {
  return { start: n.startIndex, end: n.endIndex };
}
