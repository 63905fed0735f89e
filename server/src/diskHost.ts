import * as fs from 'fs';
import type { AnalysisHost } from './analysis';

/** The analysis host over the file system, for the CLI and tests (the server reads open documents first). */
export const diskHost: AnalysisHost = {
  readFile: (f) => {
    try {
      return fs.readFileSync(f, 'utf8');
    } catch {
      return undefined;
    }
  },
  listDir: (d) => {
    try {
      return fs.readdirSync(d);
    } catch {
      return undefined;
    }
  },
};

/** A host that reads each file and folder once (for one lint run); `forget` after writing a file. */
export function cachedHost(host: AnalysisHost): AnalysisHost & { forget(file: string): void } {
  const files = new Map<string, string | undefined>();
  const dirs = new Map<string, string[] | undefined>();
  return {
    readFile(file) {
      if (!files.has(file)) files.set(file, host.readFile(file));
      return files.get(file);
    },
    listDir(dir) {
      if (!dirs.has(dir)) dirs.set(dir, host.listDir(dir));
      return dirs.get(dir);
    },
    forget(file) {
      files.delete(file);
    },
  };
}
