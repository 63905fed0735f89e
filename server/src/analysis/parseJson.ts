/**
 * Legacy JSON templates and HCL2 JSON syntax (`.pkr.json`) to the model,
 * with jsonc-parser's syntax tree.
 */
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { BUILDER_ATTRS, PATH_ATTRS, type Attribute, type Build, type Provisioner, type Span, type StringSource, type Template, type TemplateFormat, type Value, type ParseProblem } from './types';
import { jsonStringOffsets } from './stringOffsets';
import { coveringEdit, onForget, parsedInFull, takeEdits, type Span3 } from './documentEdits';
import { isKept } from './hclParser';
import { detached, ownCopy, shifted } from './shiftSpans';
import { prunedJson, type JsonShape } from './jsonPrune';

/**
 * The syntax tree of `text`. `file`, when it is an open document of the
 * language server (`keepTree`), keeps its tree: an edit since its last parse
 * that lies inside one string literal and writes or removes no quote,
 * backslash or control character is patched into that tree (the string's
 * value, the lengths of the nodes holding it, the offsets of those after it)
 * instead of parsing the text again.
 */
export function parseJsonTree(text: string, file?: string): { root: Node | undefined; problems: ParseProblem[] } {
  for (const f of keptTrees.keys()) if (!isKept(f)) keptTrees.delete(f);
  if (file === undefined || !isKept(file)) return parseJsonText(text);
  lastPatches.delete(file);
  const k = keptTrees.get(file);
  const edits = k && takeEdits(file, k.text, text);
  const edit = edits && coveringEdit(edits, k.text.length);
  if (k && edit && k.problems.length === 0 && patch(k.root, k.text, text, edit)) {
    lastPatches.set(file, { before: k.text, edit });
    k.text = text;
    patches++;
    return { root: k.root, problems: [] };
  }
  const parsed = parseJsonText(text);
  parsedInFull(file, text);
  keptTrees.set(file, { text, ...parsed });
  return parsed;
}

let patches = 0;
/** How many parses patched a kept tree instead of parsing (a test and benchmark hook). */
export function jsonPatches(): number {
  return patches;
}

/** Open documents' trees, with the text they are the tree of. */
const keptTrees = new Map<string, { text: string; root: Node | undefined; problems: ParseProblem[] }>();
/** Per open document, the text before its last parse and the edit patched into its tree since (jsonTemplate reuses the provisioners it did not touch). */
const lastPatches = new Map<string, { before: string; edit: Span3 }>();
onForget((file) => {
  keptTrees.delete(file);
  lastPatches.delete(file);
  keptProvisioners.delete(file);
});

/** Characters a patch may not write or remove: they can end a string, start an escape, or be an error in one. */
function unsafeInString(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c < 0x20) return true;
  }
  return false;
}

/** Patches `edit` (from `before` to `after`) into the tree when it lies inside one string literal without escapes; false (tree untouched) otherwise. */
function patch(root: Node | undefined, before: string, after: string, edit: Span3): boolean {
  const { startIndex: s, oldEndIndex: oe, newEndIndex: ne } = edit;
  const delta = ne - oe;
  if (!root || unsafeInString(before.slice(s, oe)) || unsafeInString(after.slice(s, ne))) return false;
  const path: Node[] = [];
  let n: Node | undefined = root;
  while (n?.children) {
    path.push(n);
    const kids: Node[] = n.children;
    let lo = 0;
    let hi = kids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (kids[mid].offset + kids[mid].length <= s) lo = mid + 1;
      else hi = mid;
    }
    n = kids[lo];
  }
  // Strictly between the quotes of one string literal.
  if (n?.type !== 'string' || s < n.offset + 1 || oe > n.offset + n.length - 1) return false;
  const raw = after.slice(n.offset, n.offset + n.length + delta);
  if (raw.includes('\\') || raw.charCodeAt(0) !== 0x22 || raw.charCodeAt(raw.length - 1) !== 0x22) return false;
  const str = n as Mutable<Node>;
  str.value = ownCopy(raw.slice(1, -1));
  str.length += delta;
  if (delta !== 0) {
    for (const p of path as Mutable<Node>[]) {
      p.length += delta;
      if (p.colonOffset !== undefined && p.colonOffset >= oe) p.colonOffset += delta;
      for (const c of p.children ?? []) if (c.offset >= oe) moveNode(c, delta);
    }
  }
  return true;
}

/** jsonc-parser's nodes, which its types declare read-only: only `patch` and `parseJsonPruned` write them, in trees of their own. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function moveNode(node: Node, delta: number): void {
  const n = node as Mutable<Node>;
  n.offset += delta;
  if (n.colonOffset !== undefined) n.colonOffset += delta;
  for (const c of n.children ?? []) moveNode(c, delta);
}

const PARSE_OPTIONS = { allowTrailingComma: false, disallowComments: false, allowEmptyContent: true };

/**
 * The syntax tree of a JSON template's `text` (legacy or, `shape` 'hcl-json', a `.pkr.json`) for the lint (findings only):
 * the provisioners no finding can depend on are left out of the parse
 * (jsonPrune.ts), the offsets are those of the whole text; the whole text is
 * parsed when the rest has a syntax error.
 */
export function parseJsonPruned(text: string, shape: JsonShape = 'legacy'): { root: Node | undefined; problems: ParseProblem[] } {
  const pruned = prunedJson(text, shape);
  if (!pruned) return parseJsonText(text);
  const errors: ParseError[] = [];
  const root = parseTree(pruned.text, errors, PARSE_OPTIONS);
  if (errors.length > 0 || !root) return parseJsonText(text);
  const remap = (node: Node) => {
    const n = node as Mutable<Node>;
    const end = pruned.original(n.offset + n.length);
    n.offset = pruned.original(n.offset);
    n.length = end - n.offset;
    if (n.colonOffset !== undefined) n.colonOffset = pruned.original(n.colonOffset);
    for (const c of n.children ?? []) remap(c);
  };
  remap(root);
  return { root, problems: [] };
}

function parseJsonText(text: string): { root: Node | undefined; problems: ParseProblem[] } {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, PARSE_OPTIONS);
  // After the first syntax error the rest are mostly its echoes: report the first only.
  const first = errors[0];
  const problems = first
    ? [{
        message: text.charCodeAt(0) === 0xfeff && first.offset === 0
          ? 'The file starts with a byte-order mark (BOM), which Packer cannot read in a JSON template: save it as UTF-8 without BOM.'
          : `JSON syntax error: ${humanize(printParseErrorCode(first.error))}`,
        span: { start: first.offset, end: first.offset + Math.max(first.length, 1) },
      }]
    : [];
  return { root, problems };
}

function humanize(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** True when a `.json` file's top level is an object with a `builders` array (a legacy template). */
export function isLegacyTemplate(root: Node | undefined): boolean {
  const builders = root?.type === 'object' ? property(root, 'builders') : undefined;
  return builders?.type === 'array';
}

export function jsonTemplate(file: string, text: string, format: TemplateFormat, root: Node | undefined, problems: ParseProblem[]): Template {
  const t: Template = {
    file, format, text, builders: [], builds: [], provisioners: [], variables: new Map(), locals: new Map(), requiresInit: false, requiredPlugins: [], problems,
  };
  if (root?.type !== 'object') {
    if (root && problems.length === 0) problems.push({ message: 'A Packer template must be a JSON object', span: span(root) });
    return t;
  }
  const templ = (s: string): Value['kind'] => (format === 'json' ? (s.includes('{{') ? 'template' : 'string') : /\$\{|%\{/.test(s) ? 'template' : 'string');
  const conv = (n: Node): Value => toValue(n, file, text, format === 'json' ? 'go' : 'hcl', templ);
  return format === 'json' ? legacy(t, root, conv) : hclJson(t, root, conv);
}

function legacy(t: Template, root: Node, conv: (n: Node) => Value): Template {
  for (const [name, node] of entries(property(root, 'variables'))) {
    t.variables.set(name, conv(node));
  }
  for (const b of children(property(root, 'builders'))) {
    const type = str(property(b, 'type'));
    if (!type) continue;
    t.builders.push({ name: str(property(b, 'name')) ?? type, type, attrs: attributes(b, conv, BUILDER_ATTRS), file: t.file });
  }
  const nodes = children(property(root, 'provisioners'));
  const reuse = reusable(t.file, nodes.length);
  const list: (Provisioner | null)[] = [];
  for (const [i, p] of nodes.entries()) {
    const known = reuse?.(i, p);
    // One converted again while the others are reused is kept across keystrokes: it must hold none of this text (`detached`).
    const made = known !== undefined ? known : reuse ? detached(provisioner(p, conv)) : provisioner(p, conv);
    list.push(made);
    if (made) t.provisioners.push(made);
  }
  if (isKept(t.file)) keptProvisioners.set(t.file, { text: t.text, list });
  return t;
}

function provisioner(p: Node, conv: (n: Node) => Value): Provisioner | null {
  if (p.type !== 'object') return null;
  const typeNode = property(p, 'type');
  const type = str(typeNode);
  if (!type || !typeNode) return null;
  // Only ansible provisioners are analysed: the others keep only the files they name (they can be large).
  const ansible = type === 'ansible';
  const attrs = attributes(p, conv, ansible ? undefined : PATH_ATTRS);
  attrs.delete('type');
  const overrides: Provisioner['overrides'] = [];
  for (const [builder, body, nameNode] of ansible ? entriesWithKey(property(p, 'override')) : []) {
    if (body.type === 'object') overrides.push({ builder, nameSpan: span(nameNode), attrs: attributes(body, conv), anchor: anchor(body) });
  }
  return { type, typeSpan: span(typeNode), span: span(p), attrs, overrides, anchor: anchor(p) };
}

/** Per open document, the provisioners of its last legacy conversion by their index in `provisioners` (null: not one), and its text. */
const keptProvisioners = new Map<string, { text: string; list: (Provisioner | null)[] }>();

/**
 * After a patch of an open document's tree (the structure is the same, one
 * string changed), the provisioners of its last conversion that do not hold
 * the edit: as they were before it, moved by its length after it.
 * Undefined for the one holding it (convert it again).
 */
function reusable(file: string, count: number): ((i: number, node: Node) => Provisioner | null | undefined) | undefined {
  for (const f of keptProvisioners.keys()) if (!isKept(f)) keptProvisioners.delete(f);
  const last = lastPatches.get(file);
  const prev = keptProvisioners.get(file);
  if (!last || !prev || prev.text !== last.before || prev.list.length !== count) return undefined;
  const { startIndex: s, oldEndIndex: oe, newEndIndex: ne } = last.edit;
  return (i, node) => {
    const old = prev.list[i];
    if (node.offset + node.length <= s) return old;
    if (node.offset >= ne) return old && (ne === oe ? old : shifted(old, ne - oe));
    return undefined;
  };
}

/** HCL2 JSON syntax: a block is `"type": {label: body}` or a list of those, nested once per label. */
function hclJson(t: Template, root: Node, conv: (n: Node) => Value): Template {
  for (const [name, body] of blocks(root, 'variable', 1)) {
    const d = body.type === 'object' ? property(body, 'default') : undefined;
    if (d) t.variables.set(name[0], conv(d));
  }
  for (const [, body] of blocks(root, 'locals', 0)) {
    for (const [name, node] of entries(body)) t.locals.set(name, conv(node));
  }
  for (const [labels, body] of blocks(root, 'source', 2)) {
    t.builders.push({ name: `${labels[0]}.${labels[1]}`, type: labels[0], attrs: body.type === 'object' ? attributes(body, conv, BUILDER_ATTRS) : new Map(), file: t.file });
  }
  for (const [, packer] of blocks(root, 'packer', 0)) {
    for (const [, plugins] of blocks(packer, 'required_plugins', 0)) {
      t.requiresInit = true;
      for (const [name, spec] of entries(plugins)) {
        const version = property(spec, 'version');
        t.requiredPlugins.push({ name, source: str(property(spec, 'source')), version: str(version), versionValue: version && conv(version) });
      }
    }
  }
  for (const [, buildNode] of blocks(root, 'build', 0)) {
    const build: Build = { sources: [], unknownSources: false };
    const sources = property(buildNode, 'sources');
    for (const item of sources?.type === 'array' ? sources.children ?? [] : sources ? [sources] : []) {
      const ref = sourceRef(str(item));
      if (ref) build.sources.push({ source: ref, name: ref });
      else build.unknownSources = true;
    }
    for (const [labels, body] of blocks(buildNode, 'source', 1)) {
      const ref = sourceRef(labels[0]);
      if (!ref) {
        build.unknownSources = true;
        continue;
      }
      const rename = str(property(body, 'name'));
      build.sources.push({ source: ref, name: rename ? `${ref.split('.')[0]}.${rename}` : ref });
    }
    for (const [labels, body, labelNode] of blocks(buildNode, 'provisioner', 1)) {
      if (body.type !== 'object') continue;
      const attrs = attributes(body, conv, labels[0] === 'ansible' ? undefined : PATH_ATTRS);
      t.provisioners.push({
        type: labels[0], build, typeSpan: span(labelNode), span: span(body), attrs, overrides: [],
        anchor: anchor(body),
      });
    }
    t.builds.push(build);
  }
  return t;
}

/** Bodies of the blocks named `type` in `body`, with their labels and the node of the last label. */
function blocks(body: Node | undefined, type: string, labels: number): [string[], Node, Node][] {
  const out: [string[], Node, Node][] = [];
  const walk = (n: Node, got: string[], keyNode: Node) => {
    if (n.type === 'array') {
      for (const c of n.children ?? []) walk(c, got, keyNode);
    } else if (got.length === labels) {
      out.push([got, n, keyNode]);
    } else if (n.type === 'object') {
      for (const [k, v, kn] of entriesWithKey(n)) walk(v, [...got, k], kn);
    }
  };
  for (const [k, v, kn] of entriesWithKey(body)) if (k === type) walk(v, [], kn);
  return out;
}

/** `source.<type>.<name>` (or `<type>.<name>`) → `<type>.<name>`. */
function sourceRef(ref: string | undefined): string | undefined {
  const m = ref === undefined ? null : /^(?:source\.)?([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(ref.trim());
  return m ? `${m[1]}.${m[2]}` : undefined;
}

/** The properties of an object (only those in `keep`, when given). */
function attributes(obj: Node, conv: (n: Node) => Value, keep?: Set<string>): Map<string, Attribute> {
  const m = new Map<string, Attribute>();
  for (const prop of obj.children ?? []) {
    const [k, v] = prop.children ?? [];
    if (!k || !v || (keep && !keep.has(String(k.value)))) continue;
    m.set(String(k.value), { name: String(k.value), nameSpan: span(k), value: conv(v), span: span(prop) });
  }
  return m;
}

function toValue(n: Node, file: string, text: string, syntax: 'go' | 'hcl', templ: (s: string) => Value['kind']): Value {
  const s = span(n);
  switch (n.type) {
    case 'string': {
      const value = String(n.value);
      const source = lazyOffsets(file, s, text);
      return templ(value) === 'template'
        ? { kind: 'template', syntax, text: value, span: s, source }
        : { kind: 'string', value, span: s, source };
    }
    case 'number': return { kind: 'number', value: Number(n.value), span: s };
    case 'boolean': return { kind: 'bool', value: Boolean(n.value), span: s };
    case 'null': return { kind: 'null', span: s };
    case 'array': return { kind: 'list', items: (n.children ?? []).map((c) => toValue(c, file, text, syntax, templ)), span: s };
    case 'object': return { kind: 'object', attrs: [...attributes(n, (c) => toValue(c, file, text, syntax, templ)).values()], span: s };
    default: return { kind: 'unknown', span: s, why: 'unreadable value' };
  }
}

/**
 * The source of a JSON string literal whose `offsets` are worked out when first
 * read: most strings of a template are never edited nor located inside, and
 * the offsets (a number per character) were a fifth of the conversion's time.
 * `text` is the template's text, which the template keeps anyway.
 */
function lazyOffsets(file: string, span: Span, text: string): StringSource {
  let offsets: number[] | undefined;
  return {
    file,
    span,
    syntax: 'json',
    get offsets() {
      return (offsets ??= jsonStringOffsets(text.slice(span.start, span.end), span.start));
    },
  };
}

function property(obj: Node | undefined, name: string): Node | undefined {
  if (obj?.type !== 'object') return undefined;
  let found: Node | undefined;
  for (const p of obj.children ?? []) {
    if (p.children?.[0]?.value === name) found = p.children[1]; // last one wins, as in Go's decoder
  }
  return found;
}

function children(n: Node | undefined): Node[] {
  return n?.type === 'array' ? n.children ?? [] : [];
}

function entries(n: Node | undefined): [string, Node][] {
  return entriesWithKey(n).map(([k, v]) => [k, v]);
}

function entriesWithKey(n: Node | undefined): [string, Node, Node][] {
  if (n?.type !== 'object') return [];
  const out: [string, Node, Node][] = [];
  for (const p of n.children ?? []) {
    const [k, v] = p.children ?? [];
    if (k && v) out.push([String(k.value), v, k]);
  }
  return out;
}

function str(n: Node | undefined): string | undefined {
  return n?.type === 'string' ? String(n.value) : undefined;
}

function anchor(obj: Node): { syntax: 'json'; open: number; close: number } {
  return { syntax: 'json', open: obj.offset + 1, close: obj.offset + obj.length - 1 };
}

function span(n: Node): { start: number; end: number } {
  return { start: n.offset, end: n.offset + n.length };
}

