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
