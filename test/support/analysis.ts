import { Analyzer, initHcl, type AnalysisHost, type AnalysisSettings } from '../../server/src/analysis';
import { hclRuntime } from '../../server/src/wasmPaths';

/** The wasm files and web-tree-sitter's runtime as installed in node_modules (the bundle copies them to dist/). */
export const wasmPaths = {
  treeSitter: require.resolve('web-tree-sitter/tree-sitter.wasm'),
  hcl: require.resolve('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-hcl.wasm'),
  runtime: require.resolve('web-tree-sitter'),
};

export async function ready(): Promise<void> {
  await initHcl(hclRuntime(wasmPaths));
}

/** A host over an in-memory set of files (absolute paths); folders exist where files are below them. */
export function memoryHost(files: Record<string, string>): AnalysisHost {
  return {
    readFile: (f) => files[f],
    listDir: (d) => {
      const prefix = d.endsWith('/') ? d : `${d}/`;
      const names = new Set<string>();
      for (const f of Object.keys(files)) if (f.startsWith(prefix)) names.add(f.slice(prefix.length).split('/')[0]);
      return names.size > 0 ? [...names] : undefined;
    },
  };
}

/** A host over the real file system (read-only). */
export { diskHost } from '../../server/src/diskHost';

export function analyzer(files: Record<string, string> = {}, settings: Partial<AnalysisSettings> = {}): Analyzer {
  return new Analyzer(memoryHost(files), settings);
}
