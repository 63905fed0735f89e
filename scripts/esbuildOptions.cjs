// The esbuild options every bundle of this project uses (dist/, the benchmarks,
// the fuzzed server), so what is tested is built like what ships.
'use strict';
const path = require('path');
const { repositoryUrl } = require('./repository.cjs');

/** @type {import('esbuild').BuildOptions} */
const bundleOptions = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  logLevel: 'warning',
  // jsonc-parser's UMD build hides its requires from bundlers; take its ES module build.
  mainFields: ['module', 'main'],
  // web-tree-sitter's ES module build needs import.meta.url; bundle its CommonJS build.
  alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
  // web-tree-sitter probes for these in the browser build only.
  external: ['vscode', 'fs/promises', 'module'],
  // The docs links' base (server/src/shared/repository.ts) and the version, from package.json.
  define: {
    PACKER_BAKE_REPOSITORY: JSON.stringify(repositoryUrl()),
    PACKER_BAKE_VERSION: JSON.stringify(require('../package.json').version),
  },
};

/**
 * The files the HCL parser loads at run time, to copy next to a bundle: the
 * two wasm files, and web-tree-sitter's runtime, which the parser evaluates
 * afresh to replace an instance that ran out of memory (analysis/hclParser.ts).
 */
const wasmFiles = [
  require.resolve('web-tree-sitter/tree-sitter.wasm'),
  require.resolve('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-hcl.wasm'),
  require.resolve('web-tree-sitter'),
];

module.exports = { bundleOptions, wasmFiles, wasmName: (f) => path.basename(f) };
