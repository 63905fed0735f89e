/** Small readers over a jsonc-parser tree, with the spans the container rules point at. */
import { parseTree, type Node, type ParseError } from 'jsonc-parser';
import type { Span } from '../types';

/**
 * The root object of a JSONC text (comments and trailing commas allowed, as
 * VS Code and the Dev Containers CLI read devcontainer.json), or undefined
 * when the text has a syntax error: a broken file is reported by the editor's
 * own JSON support, and what it would mean is anyone's guess.
 */
export function parseJsoncObject(text: string): Node | undefined {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  return root && root.type === 'object' && errors.length === 0 ? root : undefined;
}

/** A property of an object node: its key node and value node. */
export function property(obj: Node | undefined, name: string): { key: Node; value: Node } | undefined {
  if (!obj || obj.type !== 'object') return undefined;
  // The last one wins, as in JSON.parse.
  for (let i = (obj.children ?? []).length - 1; i >= 0; i--) {
    const p = obj.children![i];
    const [key, value] = p.children ?? [];
    if (key?.value === name && value) return { key, value };
  }
  return undefined;
}

/** The properties of an object node, in order. */
export function properties(obj: Node | undefined): { name: string; key: Node; value: Node }[] {
  if (!obj || obj.type !== 'object') return [];
  return (obj.children ?? []).flatMap((p) => {
    const [key, value] = p.children ?? [];
    return key && value && typeof key.value === 'string' ? [{ name: key.value, key, value }] : [];
  });
}

export function stringValue(node: Node | undefined): string | undefined {
  return node?.type === 'string' && typeof node.value === 'string' ? node.value : undefined;
}

/** The strings of a string or an array of strings; other items are skipped. */
export function strings(node: Node | undefined): { value: string; node: Node }[] {
  if (!node) return [];
  if (node.type === 'string') return [{ value: node.value as string, node }];
  if (node.type !== 'array') return [];
  return (node.children ?? []).filter((c) => c.type === 'string').map((c) => ({ value: c.value as string, node: c }));
}

export function spanOf(node: Node): Span {
  return { start: node.offset, end: node.offset + node.length };
}
