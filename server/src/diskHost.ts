import * as fs from 'fs';
import * as path from 'path';
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

/**
 * A host that reads each file and folder once for one lint run (sibling HCL
 * files are read for every template of their folder). Only the files of the
 * last few folders are kept, so a large workspace is not held in memory; the
 * walk visits a folder's files together. `forget` after writing a file.
 */
export function cachedHost(host: AnalysisHost, folders = 4): AnalysisHost & { forget(file: string): void } {
  const files = new Map<string, Map<string, string | undefined>>();
  const dirs = new Map<string, string[] | undefined>();
  return {
    readFile(file) {
      const dir = path.dirname(file);
      let inDir = files.get(dir);
      if (!inDir) {
        if (files.size >= folders) files.delete(files.keys().next().value!);
        inDir = new Map();
        files.set(dir, inDir);
      }
      if (!inDir.has(file)) inDir.set(file, host.readFile(file));
      return inDir.get(file);
    },
    listDir(dir) {
      if (!dirs.has(dir)) dirs.set(dir, host.listDir(dir));
      return dirs.get(dir);
    },
    forget(file) {
      files.get(path.dirname(file))?.delete(file);
    },
  };
}
