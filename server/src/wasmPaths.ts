/**
 * Where the HCL parser's files are, and loading them: the analysis core reads
 * no files, so its callers hand it the runtime (analysis/hclParser.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { createRequire } from 'module';
import { compileFunction } from 'vm';
import type { HclRuntimeSource } from './analysis';
import type { TreeSitterRuntime } from './analysis/hclParser';

export interface HclWasmPaths {
  /** tree-sitter.wasm */
  treeSitter: string;
  /** tree-sitter-hcl.wasm */
  hcl: string;
  /** web-tree-sitter's CommonJS build, tree-sitter.cjs */
  runtime: string;
}

/** The files next to the bundle in dist/ (copied there by scripts/build.mjs). */
export function bundledWasmPaths(dir = __dirname): HclWasmPaths {
  return { treeSitter: path.join(dir, 'tree-sitter.wasm'), hcl: path.join(dir, 'tree-sitter-hcl.wasm'), runtime: path.join(dir, 'tree-sitter.cjs') };
}

/** The parser's runtime from those files: the runtime's code is compiled once and evaluated afresh per instance. */
export function hclRuntime(paths: HclWasmPaths = bundledWasmPaths()): HclRuntimeSource {
  const run = compileFunction(fs.readFileSync(paths.runtime, 'utf8'), ['exports', 'require', 'module', '__filename', '__dirname'], { filename: paths.runtime });
  return {
    freshRuntime: () => {
      const module = { exports: {} as TreeSitterRuntime };
      run(module.exports, createRequire(paths.runtime), module, paths.runtime, path.dirname(paths.runtime));
      return module.exports;
    },
    wasm: fs.readFileSync(paths.treeSitter),
    grammar: fs.readFileSync(paths.hcl),
  };
}
