import fs from 'node:fs';
import path from 'node:path';
import { inCI } from './requireTool';

/** The shared corpus of real public templates (read-only), beside the clone. */
export const corpusDir = path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus');

export interface CorpusEntry {
  file: string;
  repo: string;
  path: string;
  format: string;
  kind: 'packer-ansible' | 'negative' | 'support';
  notes: string;
}

export function corpusAvailable(): boolean {
  return fs.existsSync(path.join(corpusDir, 'index.json'));
}

/** The corpus's index; `dir` where the corpus is (a bundle's __dirname does not lead to it). */
export function corpusIndex(dir = corpusDir): CorpusEntry[] {
  return JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')) as CorpusEntry[];
}

/** The second corpus: real templates no one here wrote, judged by hand (test/unit/corpus/judgement.ts). */
export const realWorldDir = path.resolve(__dirname, '..', '..', '..', 'shared', 'corpus-realworld');

export function realWorldAvailable(): boolean {
  return fs.existsSync(path.join(realWorldDir, 'index.json'));
}

export interface RealWorldEntry {
  file: string;
  repo: string;
  path: string;
  commit: string;
  license: string;
  kind: 'template' | 'support';
  note?: string;
}

export function realWorldIndex(): RealWorldEntry[] {
  return JSON.parse(fs.readFileSync(path.join(realWorldDir, 'index.json'), 'utf8')) as RealWorldEntry[];
}

/** The folders of templates the regression tests read, with whether each is here: the two corpora and the examples. */
export function templateFolders(): [name: string, dir: string, available: () => boolean][] {
  return [
    ['corpus', corpusDir, corpusAvailable],
    ['corpus-realworld', realWorldDir, realWorldAvailable],
    ['examples', path.resolve(__dirname, '..', '..', 'examples'), () => true],
  ];
}

/** Skips the test when `dir` is not beside this clone, saying so; under CI=true a missing folder fails it. */
export function needFolder(ctx: Mocha.Context, dir: string, available: () => boolean): void {
  if (available()) return;
  if (inCI) throw new Error(`CI=true but ${dir} is missing`);
  console.warn(`    skipped: ${dir} is not beside this clone`);
  ctx.skip();
}

/** The HCL2 files below `dir` (`.pkr.hcl`, or those `name` matches), sorted; dot folders and node_modules left out. */
export function hclFiles(dir: string, name = /\.pkr\.hcl$/): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p);
      else if (e.isFile() && name.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}
