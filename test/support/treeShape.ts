import type { Tree } from 'web-tree-sitter';

/** Every node of a tree-sitter tree, in order, with its type, indices and positions: equal shapes are equal trees. */
export function treeShape(tree: Tree): string[] {
  const out: string[] = [];
  const c = tree.walk();
  for (;;) {
    const n = c.currentNode;
    out.push(`${n.type}@${n.startIndex}-${n.endIndex}:${n.startPosition.row}.${n.startPosition.column}-${n.endPosition.row}.${n.endPosition.column}`);
    if (c.gotoFirstChild()) continue;
    while (!c.gotoNextSibling()) {
      if (!c.gotoParent()) {
        c.delete();
        return out;
      }
    }
  }
}
