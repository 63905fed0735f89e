/**
 * The baseline of the workspace benchmark, run as its own process: walk the
 * same folders the CLI walks, read every template and parse it once with the
 * bare parser (jsonc-parser's parseTree for JSON, web-tree-sitter for HCL2),
 * nothing else. Prints how many files and bytes it parsed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseTree, type ParseError } from 'jsonc-parser';
import { Parser, Language } from 'web-tree-sitter';

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out']);

function walk(dir: string, out: string[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(p, out);
    } else if (e.isFile() && /\.(json|pkr\.hcl)$/i.test(e.name)) out.push(p);
  }
}

async function main(): Promise<void> {
  await Parser.init({ locateFile: () => path.join(__dirname, 'tree-sitter.wasm') });
  const parser = new Parser();
  parser.setLanguage(await Language.load(path.join(__dirname, 'tree-sitter-hcl.wasm')));
  const files: string[] = [];
  for (const p of process.argv.slice(2)) walk(path.resolve(p), files);
  let bytes = 0;
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    bytes += text.length;
    if (f.toLowerCase().endsWith('.pkr.hcl')) parser.parse(text)?.delete();
    else parseTree(text, [] as ParseError[], { allowTrailingComma: false, disallowComments: false, allowEmptyContent: true });
  }
  process.stdout.write(`${files.length} files, ${bytes} characters\n`);
}

void main();
