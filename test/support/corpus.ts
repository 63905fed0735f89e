import fs from 'node:fs';
import path from 'node:path';

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

export function corpusIndex(): CorpusEntry[] {
  return JSON.parse(fs.readFileSync(path.join(corpusDir, 'index.json'), 'utf8')) as CorpusEntry[];
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
