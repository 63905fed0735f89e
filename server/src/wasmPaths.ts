import * as path from 'path';
import type { HclWasmPaths } from './analysis';

/** The wasm files next to the bundle in dist/ (copied there by scripts/build.mjs). */
export function bundledWasmPaths(dir = __dirname): HclWasmPaths {
  return { treeSitter: path.join(dir, 'tree-sitter.wasm'), hcl: path.join(dir, 'tree-sitter-hcl.wasm') };
}
