/**
 * A fast parse of the common shape of HCL2, for the lint: the same syntax
 * tree tree-sitter-hcl would build (node types, spans, nesting), as plain
 * objects, so parseHcl.ts and expr.ts convert it unchanged. Tree-sitter's
 * parse in WebAssembly, and each node's crossing of its boundary, is most of
 * what the lint spends on an HCL2 file; this parse costs a few percent of it.
 *
 * It follows only what it knows tree-sitter-hcl (1.2, grammar.js) builds the
 * same way: bodies of attributes and blocks, labels that are plain words,
 * numbers, `true`/`false`/`null`, quoted strings with `${ }` interpolations,
 * tuples, objects, references with `.name` and `[index]` steps, and function
 * calls, operators, parentheses, conditionals (chained after the `:`), and
 * heredocs. At anything else (`%{ }` directives, for expressions, splats,
 * a conditional inside a conditional's `then`, comments inside an expression,
 * non-ASCII names, any syntax error) it gives up, and the caller parses with
 * tree-sitter: so a tree from here is always one tree-sitter agrees with, and
 * never has an error. Comments between items are skipped (no consumer of the
 * lint's tree reads them). test/unit/analysis/hclFast.test.ts compares every
 * tree with tree-sitter's on the corpora.
 */
import type { IncludedRange } from './hclPrune';

/** The part of web-tree-sitter's `Node` the conversion reads. */
export class FastNode {
  readonly hasError = false;
  readonly isError = false;
  readonly isMissing = false;
  constructor(
    private readonly source: string,
    readonly type: string,
    readonly isNamed: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
    readonly children: FastNode[] = [],
  ) {}

  get namedChildren(): FastNode[] {
    return this.children.filter((c) => c.isNamed);
  }

  get text(): string {
    return this.source.slice(this.startIndex, this.endIndex);
  }

  get childCount(): number {
    return this.children.length;
  }

  child(i: number): FastNode | null {
    return this.children[i] ?? null;
  }
}

/** The shape of a web-tree-sitter `Tree` the conversion uses. */
export interface FastTree {
  rootNode: FastNode;
  delete(): void;
}

/** Thrown inside the parse when the text is not of the shape followed here. */
class GiveUp extends Error {}

const enum C {
  TAB = 9,
  NL = 10,
  CR = 13,
  SPACE = 32,
  BANG = 33,
  QUOTE = 34,
  HASH = 35,
  DOLLAR = 36,
  PERCENT = 37,
  AMP = 38,
  LPAREN = 40,
  RPAREN = 41,
  STAR = 42,
  PLUS = 43,
  COMMA = 44,
  MINUS = 45,
  DOT = 46,
  SLASH = 47,
  D0 = 48,
  D9 = 57,
  COLON = 58,
  LT = 60,
  EQUALS = 61,
  GT = 62,
  QUESTION = 63,
  UA = 65,
  UZ = 90,
  LBRACKET = 91,
  BACKSLASH = 92,
  RBRACKET = 93,
  UNDERSCORE = 95,
  LA = 97,
  LZ = 122,
  LBRACE = 123,
  PIPE = 124,
  RBRACE = 125,
  TILDE = 126,
}

/** tree-sitter-hcl's binary operators and their precedence (grammar.js: PREC). */
const PRECEDENCE: Record<string, number> = {
  '*': 6, '/': 6, '%': 6,
  '+': 5, '-': 5,
  '>': 4, '>=': 4, '<': 4, '<=': 4,
  '==': 3, '!=': 3,
  '&&': 2,
  '||': 1,
};

/** Expressions nested deeper than this are left to tree-sitter (and expr.ts's own bound). */
const MAX_DEPTH = 48;

const isIdStart = (c: number) => (c >= C.LA && c <= C.LZ) || (c >= C.UA && c <= C.UZ) || c === C.UNDERSCORE;
const isDigit = (c: number) => c >= C.D0 && c <= C.D9;
const isIdChar = (c: number) => isIdStart(c) || isDigit(c) || c === C.MINUS;

/**
 * The tree of `text` (only the `ranges` of it, when given: tree-sitter's
 * included ranges, see hclPrune.ts), or undefined when it has anything this
 * parse does not follow.
 */
export function parseHclFast(text: string, ranges?: IncludedRange[]): FastTree | undefined {
  try {
    const root = new Parser(text, ranges).file();
    return { rootNode: root, delete: () => undefined };
  } catch (e) {
    if (e instanceof GiveUp) return undefined;
    throw e;
  }
}

class Parser {
  private i = 0;
  private readonly n: number;
  /** The stretches left out of the parse, in order: skipped as blanks. */
  private readonly gaps: number[] = [];
  private gap = 0;
  /** Inside brackets, braces or a call's parentheses (not inside a string's `${ }`): comments may stand between tokens. */
  private commentsOk = false;

  constructor(private readonly s: string, ranges?: IncludedRange[]) {
    this.n = s.length;
    if (ranges) {
      let at = 0;
      for (const r of ranges) {
        if (r.startIndex > at) this.gaps.push(at, r.startIndex);
        at = r.endIndex;
      }
      if (at < this.n) this.gaps.push(at, this.n);
      // Tree-sitter reads the ranges as one text: a word on each side of a gap would be one word to it.
      for (let g = 0; g < this.gaps.length; g += 2) {
        const a = this.gaps[g];
        const b = this.gaps[g + 1];
        if (a > 0 && b < this.n && isIdChar(s.charCodeAt(a - 1)) && isIdChar(s.charCodeAt(b))) throw new GiveUp();
      }
    }
  }

  private node(type: string, start: number, end: number, children?: FastNode[]): FastNode {
    return new FastNode(this.s, type, true, start, end, children);
  }

  /** A named one-character node holding its character (`block_start` holds `{`, as in tree-sitter's tree). */
  private punct(type: string, at: number): FastNode {
    return this.node(type, at, at + 1, [this.token(this.s[at], at, at + 1)]);
  }

  private token(type: string, start: number, end: number): FastNode {
    return new FastNode(this.s, type, false, start, end);
  }

  private code(at = this.i): number {
    return at < this.n ? this.s.charCodeAt(at) : -1;
  }

  /**
   * Skips blanks and line ends; where `between` (between the items of a
   * body) also comments and the stretches left out of the parse (hclPrune.ts
   * cuts whole items only), and comments inside brackets (`commentsOk`). Returns whether a line end, a comment or a
   * left-out stretch was passed.
   */
  private blanks(between: boolean): boolean {
    const comments = between || this.commentsOk;
    let crossed = false;
    for (;;) {
      if (this.gap < this.gaps.length && this.i >= this.gaps[this.gap]) {
        if (!between || this.i > this.gaps[this.gap]) throw new GiveUp();
        this.i = this.gaps[this.gap + 1];
        this.gap += 2;
        crossed = true;
        continue;
      }
      const c = this.code();
      if (c === C.SPACE || c === C.TAB || c === C.CR) {
        this.i++;
      } else if (c === C.NL) {
        this.i++;
        crossed = true;
      } else if (c === C.HASH || (c === C.SLASH && this.code(this.i + 1) === C.SLASH)) {
        if (!comments) throw new GiveUp();
        const end = this.s.indexOf('\n', this.i);
        this.i = end < 0 ? this.n : end;
        crossed = true;
      } else if (c === C.SLASH && this.code(this.i + 1) === C.STAR) {
        if (!comments) throw new GiveUp();
        const end = this.s.indexOf('*/', this.i + 2);
        if (end < 0) throw new GiveUp();
        this.i = end + 2;
        crossed = true;
      } else {
        return crossed;
      }
    }
  }

  /** A token must not run into a stretch left out of the parse (tree-sitter would read on past it). */
  private checkGapInside(end: number): void {
    if (this.gap < this.gaps.length && this.gaps[this.gap] < end) throw new GiveUp();
  }

  /** The character codes at the next non-blank (comments and left-out stretches passed), without moving. */
  private peek(): [number, number] {
    const at = this.i;
    const gap = this.gap;
    this.blanks(true);
    const out: [number, number] = [this.code(), this.code(this.i + 1)];
    this.i = at;
    this.gap = gap;
    return out;
  }

  file(): FastNode {
    this.blanks(true);
    if (this.i >= this.n) return this.node('config_file', 0, 0);
    // A text that is one object (a .tfvars-like JSON shape) is tree-sitter's other reading.
    if (this.code() === C.LBRACE) throw new GiveUp();
    const body = this.body(false);
    if (this.i < this.n) throw new GiveUp();
    return this.node('config_file', body.startIndex, body.endIndex, [body]);
  }

  /** Attributes and blocks up to the end of the text, or (`inBlock`) up to a `}`. */
  private body(inBlock: boolean): FastNode {
    const items: FastNode[] = [];
    for (;;) {
      this.blanks(true);
      if (this.i >= this.n) {
        if (inBlock) throw new GiveUp();
        break;
      }
      if (this.code() === C.RBRACE) {
        if (!inBlock) throw new GiveUp();
        break;
      }
      items.push(this.item());
    }
    if (items.length === 0) return this.node('body', this.i, this.i);
    return this.node('body', items[0].startIndex, items[items.length - 1].endIndex, items);
  }

  private item(): FastNode {
    const id = this.identifier();
    this.blanks(false);
    if (this.code() === C.EQUALS && this.code(this.i + 1) !== C.EQUALS) {
      const eq = this.token('=', this.i, this.i + 1);
      this.i++;
      this.blanks(false);
      const value = this.expression(0);
      this.endOfItem();
      return this.node('attribute', id.startIndex, value.endIndex, [id, eq, value]);
    }
    const head: FastNode[] = [id];
    while (this.code() !== C.LBRACE) {
      const c = this.code();
      if (c === C.QUOTE) head.push(this.label());
      else if (isIdStart(c)) head.push(this.identifier());
      else throw new GiveUp();
      this.blanks(false);
    }
    const open = this.punct('block_start', this.i);
    this.i++;
    const body = this.body(true);
    const close = this.punct('block_end', this.i);
    this.i++;
    this.endOfItem();
    const kids = [...head, open];
    if (body.children.length > 0) kids.push(body);
    kids.push(close);
    return this.node('block', id.startIndex, close.endIndex, kids);
  }

  /** After an item: only a line end, a comment, the body's `}` or the text's end (`a = 1 b = 2` is left to tree-sitter). */
  private endOfItem(): void {
    const crossed = this.blanks(true);
    if (crossed || this.i >= this.n || this.code() === C.RBRACE) return;
    throw new GiveUp();
  }

  /** A name: ASCII letters, digits, `_` and `-` (tree-sitter's also takes other letters and `::`). */
  private identifier(): FastNode {
    const start = this.i;
    if (!isIdStart(this.code())) throw new GiveUp();
    let j = start + 1;
    while (j < this.n && isIdChar(this.s.charCodeAt(j))) j++;
    const next = this.code(j);
    if (next === C.COLON && this.code(j + 1) === C.COLON) throw new GiveUp();
    if (next > 127) throw new GiveUp();
    this.i = j;
    this.checkGapInside(j);
    return this.node('identifier', start, j);
  }

  /** A block label: a quoted plain word (labels with blanks, escapes or templates are left to tree-sitter). */
  private label(): FastNode {
    const start = this.i;
    let j = start + 1;
    while (j < this.n) {
      const c = this.s.charCodeAt(j);
      if (c === C.QUOTE) break;
      if (c <= C.SPACE || c === C.BACKSLASH || c === C.DOLLAR || c === C.PERCENT || c > 127) throw new GiveUp();
      j++;
    }
    if (j >= this.n) throw new GiveUp();
    this.checkGapInside(j + 1);
    this.i = j + 1;
    const kids = [this.node('quoted_template_start', start, start + 1)];
    if (j > start + 1) kids.push(this.node('template_literal', start + 1, j));
    kids.push(this.node('quoted_template_end', j, j + 1));
    return this.node('string_lit', start, j + 1, kids);
  }

  /**
   * An expression: operands (a term and its steps, or a unary operation)
   * joined by binary operators, as tree-sitter-hcl nests them (left
   * associative, by its precedence table), and conditionals chained after
   * the `:`, also left associative as tree-sitter-hcl nests them:
   * `a ? b : c ? d : e` is `(a ? b : c) ? d : e` in its tree (expr.ts reads
   * the chain as HCL does). A conditional inside a `then` is left to
   * tree-sitter.
   */
  private expression(depth: number): FastNode {
    if (depth > MAX_DEPTH) throw new GiveUp();
    const first = this.binary(0, depth);
    if (this.peek()[0] !== C.QUESTION) {
      this.afterExpression();
      return this.wrap(first);
    }
    let cond = this.wrap(first);
    let links = 0;
    do {
      if (++links > MAX_DEPTH) throw new GiveUp();
      this.blanks(false);
      const q = this.token('?', this.i, this.i + 1);
      this.i++;
      this.blanks(false);
      const then = this.wrap(this.binary(0, depth + 1));
      const [c, next] = this.peek();
      if (c !== C.COLON || next === C.COLON) throw new GiveUp();
      this.blanks(false);
      const colon = this.token(':', this.i, this.i + 1);
      this.i++;
      this.blanks(false);
      const otherwise = this.wrap(this.binary(0, depth + 1));
      const node = this.node('conditional', cond.startIndex, otherwise.endIndex, [cond, q, then, colon, otherwise]);
      cond = this.node('expression', node.startIndex, node.endIndex, [node]);
    } while (this.peek()[0] === C.QUESTION);
    this.afterExpression();
    return cond;
  }

  private wrap(kids: FastNode[]): FastNode {
    return this.node('expression', kids[0].startIndex, kids[kids.length - 1].endIndex, kids);
  }

  /** Operands and operators of at least `min` precedence: the children of an `expression` (or of an operand). */
  private binary(min: number, depth: number): FastNode[] {
    if (depth > MAX_DEPTH) throw new GiveUp();
    let left = this.operand(depth);
    for (;;) {
      const op = this.operator();
      if (!op || PRECEDENCE[op] < min) return left;
      this.blanks(false);
      const tok = this.token(op, this.i, this.i + op.length);
      this.i += op.length;
      this.blanks(false);
      const right = this.binary(PRECEDENCE[op] + 1, depth + 1);
      const b = this.node('binary_operation', left[0].startIndex, right[right.length - 1].endIndex, [...left, tok, ...right]);
      left = [this.node('operation', b.startIndex, b.endIndex, [b])];
    }
  }

  /** The binary operator next, if any. */
  private operator(): string | undefined {
    const [c, next] = this.peek();
    const two = next === -1 ? '' : String.fromCharCode(c, next);
    if (two in PRECEDENCE) return two;
    if (c === C.LT && next === C.LT) throw new GiveUp(); // a heredoc where an operator could be
    const one = c === -1 ? '' : String.fromCharCode(c);
    if (one in PRECEDENCE && !(c === C.EQUALS || c === C.BANG)) return one;
    return undefined;
  }

  /** A unary operation, or a term and its `.name` / `[index]` steps. */
  private operand(depth: number): FastNode[] {
    const c = this.code();
    if (c === C.MINUS || c === C.BANG) {
      const op = this.token(c === C.MINUS ? '-' : '!', this.i, this.i + 1);
      this.i++;
      this.blanks(false);
      const inner = this.operand(depth + 1);
      const u = this.node('unary_operation', op.startIndex, inner[inner.length - 1].endIndex, [op, ...inner]);
      return [this.node('operation', u.startIndex, u.endIndex, [u])];
    }
    const kids = c === C.LPAREN ? this.parenthesized(depth) : [this.term(depth)];
    for (;;) {
      const k = this.code();
      if (k === C.DOT) {
        const next = this.code(this.i + 1);
        if (!isIdStart(next)) throw new GiveUp(); // `.0` legacy index, `.*` splat
        const dot = this.token('.', this.i, this.i + 1);
        this.i++;
        const id = this.identifier();
        kids.push(this.node('get_attr', dot.startIndex, id.endIndex, [dot, id]));
      } else if (k === C.LBRACKET) {
        if (this.code(this.i + 1) === C.STAR) throw new GiveUp();
        const start = this.i;
        const e = this.inside(C.RBRACKET, depth);
        const inner = this.node('new_index', start, this.i, [this.token('[', start, start + 1), e, this.token(']', this.i - 1, this.i)]);
        kids.push(this.node('index', start, this.i, [inner]));
      } else {
        break;
      }
    }
    this.checkGapInside(kids[kids.length - 1].endIndex);
    return kids;
  }

  /**
   * `( expression )`: three children of whatever holds the term (tree-sitter-hcl's
   * term rule is hidden), comments allowed inside as in brackets.
   */
  private parenthesized(depth: number): FastNode[] {
    const start = this.i;
    const e = this.inside(C.RPAREN, depth);
    return [this.token('(', start, start + 1), e, this.token(')', this.i - 1, this.i)];
  }

  /**
   * At an opening bracket (the last character of `${`): the expression
   * inside, up to `close`; this.i after it. Comments may stand between its
   * tokens except in a string's interpolation.
   */
  private inside(close: number, depth: number, comments = true): FastNode {
    this.i++;
    const outer = this.commentsOk;
    this.commentsOk = comments;
    this.blanks(false);
    const e = this.expression(depth + 1);
    this.blanks(false);
    this.commentsOk = outer;
    if (this.code() !== close) throw new GiveUp();
    this.i++;
    return e;
  }

  /**
   * What may follow an expression: a separator, a closing bracket, the next
   * item or key, a conditional's `:`; never anything tree-sitter could read
   * as more of this expression (a step on another line, `(`, `=>`, `...`).
   */
  private afterExpression(): void {
    const [c, next] = this.peek();
    const ok = c === -1 || c === C.COMMA || c === C.RBRACKET || c === C.RBRACE || c === C.RPAREN || c === C.QUOTE || isIdStart(c)
      || (c === C.EQUALS && next !== C.EQUALS && next !== C.GT) || (c === C.COLON && next !== C.COLON);
    if (!ok) throw new GiveUp();
  }

  private term(depth: number): FastNode {
    const c = this.code();
    const start = this.i;
    if (c === C.QUOTE) return this.quoted(depth);
    if (c === C.LT && this.code(start + 1) === C.LT) return this.heredoc(depth);
    if (c === C.LBRACKET || c === C.LBRACE) {
      const inner = c === C.LBRACKET ? this.tuple(depth) : this.object(depth);
      return this.node('collection_value', start, inner.endIndex, [inner]);
    }
    if (isDigit(c)) {
      let j = start;
      while (isDigit(this.code(j))) j++;
      if (this.code(j) === C.DOT && isDigit(this.code(j + 1))) {
        j++;
        while (isDigit(this.code(j))) j++;
      }
      // Exponents, `0x` and a word glued to the number are left to tree-sitter.
      const next = this.code(j);
      if (isIdChar(next) || next === C.DOT || next > 127) throw new GiveUp();
      this.i = j;
      return this.node('literal_value', start, j, [this.node('numeric_lit', start, j)]);
    }
    if (isIdStart(c)) {
      const id = this.identifier();
      const word = id.text;
      if (word === 'true' || word === 'false') return this.node('literal_value', start, id.endIndex, [this.node('bool_lit', start, id.endIndex, [this.token(word, start, id.endIndex)])]);
      if (word === 'null') return this.node('literal_value', start, id.endIndex, [this.node('null_lit', start, id.endIndex)]);
      if (word === 'for' || word === 'in' || word === 'if') throw new GiveUp();
      if (this.code() === C.LPAREN) return this.call(id, depth);
      return this.node('variable_expr', start, id.endIndex, [id]);
    }
    throw new GiveUp();
  }

  private call(id: FastNode, depth: number): FastNode {
    const outer = this.commentsOk;
    this.commentsOk = true;
    const kids: FastNode[] = [id, this.token('(', this.i, this.i + 1)];
    this.i++;
    this.blanks(false);
    const args: FastNode[] = [];
    while (this.code() !== C.RPAREN) {
      if (this.code() === C.DOT) throw new GiveUp(); // `...`
      args.push(this.expression(depth + 1));
      this.blanks(false);
      if (this.code() === C.COMMA) {
        args.push(this.token(',', this.i, this.i + 1));
        this.i++;
        this.blanks(false);
      } else if (this.code() !== C.RPAREN) {
        throw new GiveUp();
      }
    }
    if (args.length > 0) kids.push(this.node('function_arguments', args[0].startIndex, args[args.length - 1].endIndex, args));
    this.commentsOk = outer;
    kids.push(this.token(')', this.i, this.i + 1));
    this.i++;
    return this.node('function_call', id.startIndex, this.i, kids);
  }

  private tuple(depth: number): FastNode {
    const outer = this.commentsOk;
    this.commentsOk = true;
    const start = this.i;
    const kids: FastNode[] = [this.punct('tuple_start', start)];
    this.i++;
    this.blanks(false);
    if (isIdStart(this.code()) && this.s.startsWith('for', this.i) && !isIdChar(this.code(this.i + 3))) throw new GiveUp();
    while (this.code() !== C.RBRACKET) {
      kids.push(this.expression(depth + 1));
      this.blanks(false);
      if (this.code() === C.COMMA) {
        kids.push(this.token(',', this.i, this.i + 1));
        this.i++;
        this.blanks(false);
      } else if (this.code() !== C.RBRACKET) {
        throw new GiveUp();
      }
    }
    this.commentsOk = outer;
    kids.push(this.punct('tuple_end', this.i));
    this.i++;
    return this.node('tuple', start, this.i, kids);
  }

  private object(depth: number): FastNode {
    const outer = this.commentsOk;
    this.commentsOk = true;
    const start = this.i;
    const kids: FastNode[] = [this.punct('object_start', start)];
    this.i++;
    this.blanks(false);
    if (isIdStart(this.code()) && this.s.startsWith('for', this.i) && !isIdChar(this.code(this.i + 3))) throw new GiveUp();
    while (this.code() !== C.RBRACE) {
      const c = this.code();
      if (c !== C.QUOTE && !isIdStart(c)) throw new GiveUp(); // `(key) = ...` and other computed keys
      const key = this.expression(depth + 1);
      this.blanks(false);
      const sep = this.code();
      if ((sep !== C.EQUALS && sep !== C.COLON) || this.code(this.i + 1) === C.EQUALS || this.code(this.i + 1) === C.GT) throw new GiveUp();
      const sepNode = this.token(sep === C.EQUALS ? '=' : ':', this.i, this.i + 1);
      this.i++;
      this.blanks(false);
      const value = this.expression(depth + 1);
      kids.push(this.node('object_elem', key.startIndex, value.endIndex, [key, sepNode, value]));
      this.blanks(false);
      if (this.code() === C.COMMA) {
        kids.push(this.token(',', this.i, this.i + 1));
        this.i++;
        this.blanks(false);
      }
    }
    this.commentsOk = outer;
    kids.push(this.punct('object_end', this.i));
    this.i++;
    return this.node('object', start, this.i, kids);
  }

  /**
   * A heredoc, `<<MARKER` or `<<-MARKER` at a line's end, up to a line that
   * holds only the marker (blanks before it): `template_expr >
   * heredoc_template`, its interpolations as in a quoted string. Left to
   * tree-sitter: a marker outside `[A-Za-z_][A-Za-z0-9_]*` or with anything
   * after it on its line, a line other than the closing one that starts with
   * the marker, no line break after the closing marker, an interpolation
   * over more than one line, and what templatePart() leaves (`%{ }`, `$${`,
   * `%%{`, `${~`). A backslash is plain text in a heredoc.
   */
  private heredoc(depth: number): FastNode {
    const start = this.i;
    const dash = this.code(start + 2) === C.MINUS;
    const idStart = start + (dash ? 3 : 2);
    let j = idStart;
    if (!isIdStart(this.code(j))) throw new GiveUp();
    while (isIdStart(this.code(j)) || isDigit(this.code(j))) j++;
    if (this.code(j) !== C.NL) throw new GiveUp();
    const marker = this.s.slice(idStart, j);
    const kids: FastNode[] = [
      this.node('heredoc_start', start, idStart, [this.token(dash ? '<<-' : '<<', start, idStart)]),
      this.node('heredoc_identifier', idStart, j),
    ];
    for (let line = j + 1; ; ) {
      const nl = this.s.indexOf('\n', line);
      if (nl < 0) throw new GiveUp();
      let k = line;
      while (this.code(k) === C.SPACE || this.code(k) === C.TAB) k++;
      if (this.s.startsWith(marker, k)) {
        if (k + marker.length !== nl) throw new GiveUp();
        this.checkGapInside(nl);
        kids.push(this.node('heredoc_identifier', k, nl));
        this.i = nl;
        const doc = this.node('heredoc_template', start, nl, kids);
        return this.node('template_expr', start, nl, [doc]);
      }
      for (k = line; k < nl; ) {
        const part = this.templatePart(k, depth);
        if (part?.node) {
          if (part.end > nl) throw new GiveUp();
          kids.push(part.node);
        }
        k = part ? part.end : k + 1;
      }
      line = nl + 1;
    }
  }

  /**
   * At `k` in a quoted string or a heredoc: a run of `$` or `%` that escapes
   * nothing (`%%h` is plain text, Ansible's `%%h`), or a `${ }` interpolation
   * (its `node`); `end` is the index after it. Undefined when neither starts
   * at `k`. `$${`, `%%{` (escapes), `%{` (a directive) and `${~` are left to
   * tree-sitter.
   */
  private templatePart(k: number, depth: number): { end: number; node?: FastNode } | undefined {
    const c = this.s.charCodeAt(k);
    if (c !== C.DOLLAR && c !== C.PERCENT) return undefined;
    const next = this.code(k + 1);
    if (next === c) {
      let e = k + 1;
      while (this.code(e) === c) e++;
      if (this.code(e) === C.LBRACE) throw new GiveUp();
      return { end: e };
    }
    if (next !== C.LBRACE) return undefined;
    if (c === C.PERCENT || this.code(k + 2) === C.TILDE) throw new GiveUp();
    const node = this.interpolation(k, depth);
    return { end: this.i, node };
  }

  /** A `${ }` interpolation starting at `at`, this.i after it. */
  private interpolation(at: number, depth: number): FastNode {
    this.checkGapInside(at);
    this.i = at + 1;
    const e = this.inside(C.RBRACE, depth, false);
    return this.node('template_interpolation', at, this.i, [
      this.node('template_interpolation_start', at, at + 2),
      e,
      this.node('template_interpolation_end', this.i - 1, this.i),
    ]);
  }

  /**
   * A quoted string: `literal_value > string_lit` without interpolation,
   * `template_expr > quoted_template` with. Literal runs are not split the
   * way tree-sitter's scanner splits them (around blanks): expr.ts reads them
   * from the text between the interpolations, not from these nodes.
   */
  private quoted(depth: number): FastNode {
    const start = this.i;
    const kids: FastNode[] = [this.node('quoted_template_start', start, start + 1)];
    let j = start + 1;
    let run = j;
    let interpolated = false;
    const literal = (to: number) => {
      if (to > run) kids.push(this.node('template_literal', run, to));
    };
    for (;;) {
      if (j >= this.n) throw new GiveUp();
      const c = this.s.charCodeAt(j);
      if (c === C.QUOTE) break;
      if (c === C.NL || c === C.CR) throw new GiveUp();
      if (c === C.BACKSLASH) {
        const e = this.code(j + 1);
        // Only the escapes whose reading is certain; \u and \U carry a code point of their own length.
        if (e !== C.QUOTE && e !== C.BACKSLASH && e !== 110 /* n */ && e !== 116 /* t */ && e !== 114 /* r */) throw new GiveUp();
        j += 2;
        continue;
      }
      const part = this.templatePart(j, depth);
      if (part?.node) {
        literal(j);
        kids.push(part.node);
        interpolated = true;
        run = part.end;
      }
      j = part ? part.end : j + 1;
    }
    this.checkGapInside(j + 1);
    literal(j);
    kids.push(this.node('quoted_template_end', j, j + 1));
    this.i = j + 1;
    const str = this.node(interpolated ? 'quoted_template' : 'string_lit', start, this.i, kids);
    return this.node(interpolated ? 'template_expr' : 'literal_value', start, this.i, [str]);
  }
}
