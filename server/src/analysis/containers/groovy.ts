/**
 * Just enough of Groovy to read a Jenkinsfile's blocks: a lexer that knows
 * every string form (so braces, quotes and `//` inside strings and comments
 * are never taken for structure) and a statement splitter that nests
 * `name args { ... }` blocks. No npm package parses Groovy without a JVM;
 * tree-sitter-groovy 0.1.2 was tried and mis-nests one-line declarative
 * blocks and slashy strings. Anything unbalanced makes the whole file unread.
 */
import type { Span } from '../types';

export type TokenKind = 'ident' | 'string' | 'punct' | 'newline' | 'other';

export interface Token {
  kind: TokenKind;
  /** The source text (for strings: quotes included). */
  text: string;
  start: number;
  end: number;
  /** Strings: the value with escapes decoded (interpolations left as written). */
  value?: string;
  /** Strings: the quote that opens it (`'`, `"`, `'''`, `"""`, `/`, `$/`). */
  quote?: string;
  /** Strings: holds a `${...}` or `$name` interpolation, so its value is known only at run time. */
  dynamic?: boolean;
  /** A closure inside an argument list (`foo(a: { ... })`), kept whole. */
  block?: Block;
}

const PUNCT = new Set(['{', '}', '(', ')', '[', ']', ',', ';', ':', '=', '.']);
/** After these a `/` starts a slashy string, not a division. */
const SLASHY_AFTER = new Set(['(', '[', ',', '=', '{', ';', ':', '!', '&', '|', '?', '~', '+', '-', '*', '%', '<', '>', 'return', 'newline', '']);

/** Tokenises Groovy; undefined when a string or comment never ends. */
export function tokenize(text: string): Token[] | undefined {
  const out: Token[] = [];
  let i = text.startsWith('#!') ? text.indexOf('\n') : 0;
  if (i < 0) return [];
  const prev = () => {
    const t = out[out.length - 1];
    return !t ? '' : t.kind === 'newline' ? 'newline' : t.kind === 'string' || t.kind === 'ident' && t.text !== 'return' ? 'value' : t.text;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      out.push({ kind: 'newline', text: c, start: i, end: i + 1 });
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\n' ? 2 : 3; // line continuation
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return undefined;
      i = end + 2;
      continue;
    }
    if (c === "'" || c === '"') {
      const triple = text.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      const end = stringEnd(text, i + quote.length, quote, !triple);
      if (end < 0) return undefined;
      const body = text.slice(i + quote.length, end);
      out.push({ kind: 'string', text: text.slice(i, end + quote.length), start: i, end: end + quote.length, quote, value: decode(body), dynamic: c === '"' && interpolates(body) });
      i = end + quote.length;
      continue;
    }
    if (c === '$' && text[i + 1] === '/') {
      const end = text.indexOf('/$', i + 2);
      if (end < 0) return undefined;
      const body = text.slice(i + 2, end);
      out.push({ kind: 'string', text: text.slice(i, end + 2), start: i, end: end + 2, quote: '$/', value: body, dynamic: interpolates(body) });
      i = end + 2;
      continue;
    }
    if (c === '/' && SLASHY_AFTER.has(prev())) {
      let j = i + 1;
      while (j < text.length && text[j] !== '/' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      if (text[j] === '/') {
        const body = text.slice(i + 1, j);
        out.push({ kind: 'string', text: text.slice(i, j + 1), start: i, end: j + 1, quote: '/', value: body.replace(/\\\//g, '/'), dynamic: interpolates(body) });
        i = j + 1;
        continue;
      }
    }
    if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_$]/.test(text[j])) j++;
      out.push({ kind: 'ident', text: text.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    out.push({ kind: PUNCT.has(c) ? 'punct' : 'other', text: c, start: i, end: i + 1 });
    i++;
  }
  return out;
}

/** Offset of the closing quote, or -1. Single-line quotes end at a line break (an error in Groovy). */
function stringEnd(text: string, from: number, quote: string, singleLine: boolean): number {
  for (let j = from; j < text.length; j++) {
    if (text[j] === '\\') {
      j++;
      continue;
    }
    if (singleLine && text[j] === '\n') return -1;
    if (text.startsWith(quote, j)) return j;
  }
  return -1;
}

function decode(body: string): string {
  return body.replace(/\\(u[0-9a-fA-F]{4}|.|\n)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '\n': '' } as Record<string, string>)[e] ?? e;
  });
}

/** A GString interpolation: `$name` or `${...}` not preceded by a backslash. */
function interpolates(body: string): boolean {
  return /(^|[^\\])\$(\{|[A-Za-z_])/.test(body);
}

/** A statement of a block: its tokens before the block, and the block's statements. */
export interface Statement {
  head: Token[];
  /** The `{ ... }` that follows the head, if any. */
  block?: Block;
  span: Span;
}

export interface Block {
  statements: Statement[];
  /** Offsets of `{` and `}`. */
  open: number;
  close: number;
}

/**
 * Splits tokens into statements (ended by a line break or `;` outside
 * parentheses and brackets), each with the `{ ... }` block that follows its
 * head. `a { } b { }` on one line is two statements. Undefined when braces,
 * parentheses or brackets do not balance.
 */
export function statements(tokens: Token[]): Statement[] | undefined {
  const pos = { i: 0 };
  const top = parseStatements(tokens, pos, undefined);
  return top && pos.i >= tokens.length ? top : undefined;
}

function parseStatements(tokens: Token[], pos: { i: number }, closer: string | undefined): Statement[] | undefined {
  const out: Statement[] = [];
  let head: Token[] = [];
  /** Open parentheses and brackets of the statement being read. */
  const open: string[] = [];
  const flush = (block?: Block) => {
    if (head.length > 0 || block) {
      const start = head[0]?.start ?? block!.open;
      out.push({ head, block, span: { start, end: block ? block.close + 1 : head[head.length - 1].end } });
    }
    head = [];
  };
  while (pos.i < tokens.length) {
    const t = tokens[pos.i];
    if (t.kind === 'punct' && (t.text === '(' || t.text === '[')) open.push(t.text === '(' ? ')' : ']');
    if (t.kind === 'punct' && (t.text === ')' || t.text === ']') && open.pop() !== t.text) return undefined;
    const depth = open.length;
    if (depth === 0 && t.kind === 'punct' && t.text === '}') {
      if (closer !== '}') return undefined;
      flush();
      return out;
    }
    if (t.kind === 'punct' && t.text === '{') {
      pos.i++;
      const inner = parseStatements(tokens, pos, '}');
      if (!inner || tokens[pos.i]?.text !== '}') return undefined;
      const block: Block = { statements: inner, open: t.start, close: tokens[pos.i].start };
      pos.i++;
      if (depth === 0) {
        // `stage('x')` with its `{` on the next line: one statement.
        const previous = out[out.length - 1];
        if (head.length === 0 && previous && !previous.block && previous.head.length > 0) {
          out.pop();
          head = previous.head;
        }
        flush(block);
        continue;
      }
      // A closure inside an argument list: part of the head.
      head.push({ kind: 'other', text: '{…}', start: block.open, end: block.close + 1, block });
      continue;
    }
    if (depth === 0 && (t.kind === 'newline' || (t.kind === 'punct' && t.text === ';'))) {
      flush();
      pos.i++;
      continue;
    }
    if (t.kind !== 'newline') head.push(t);
    pos.i++;
  }
  if (closer !== undefined || open.length !== 0) return undefined;
  flush();
  return out;
}

/** All string tokens in a block, nested blocks included. */
export function* stringsIn(block: Block): Generator<Token> {
  for (const s of block.statements) {
    for (const t of s.head) {
      if (t.kind === 'string') yield t;
      if (t.block) yield* stringsIn(t.block);
    }
    if (s.block) yield* stringsIn(s.block);
  }
}
