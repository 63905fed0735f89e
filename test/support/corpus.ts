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
