/**
 * The tree-sitter HCL parser's lifecycle: loading the runtime and the grammar,
 * the one `Parser` instance, and the time budget of a parse. The conversion
 * of a tree into the model lives in `parseHcl.ts`; this module only hands out
 * trees.
 */
import { Parser, Language, type Tree } from 'web-tree-sitter';

let parser: Parser | undefined;

/** Where the two wasm files are; the server, CLI and tests each know their own layout. */
export interface HclWasmPaths {
  treeSitter: string;
  hcl: string;
}

/** Loads the tree-sitter runtime and the HCL grammar once. */
export async function initHcl(paths: HclWasmPaths): Promise<void> {
  if (parser) return;
  await Parser.init({ locateFile: () => paths.treeSitter });
  const language = await Language.load(paths.hcl);
  const p = new Parser();
  p.setLanguage(language);
  parser = p;
}

export function hclReady(): boolean {
  return parser !== undefined;
}

/**
 * tree-sitter-hcl's error recovery is quadratic on some invalid inputs (long
 * runs of string tokens: 40 KB can take seconds, see docs/BENCHMARKS.md), so
 * a parse gets a time budget proportional to the text and is then abandoned.
 */
export class ParseTooSlow extends Error {}
function budgetMs(text: string): number {
  return 1000 + text.length / 500;
}

/** The syntax tree of `text`; the caller deletes it. Throws ParseTooSlow when the budget runs out. */
export function parseTree(text: string): Tree {
  if (!parser) throw new Error('initHcl() has not completed');
  const deadline = Date.now() + budgetMs(text);
  // The callback returns true to cancel (the .d.ts declares void).
  const progressCallback = (() => Date.now() > deadline) as unknown as () => void;
  const tree = parser.parse(text, null, { progressCallback });
  if (!tree) {
    parser.reset();
    throw new ParseTooSlow(`parsing took longer than ${Math.round(budgetMs(text))} ms`);
  }
  return tree;
}
