// Every real template of the shared corpora against its judgement (judgement.ts):
// the analysis must say what was judged by hand, nothing more, nothing less.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Analyzer } from '../../../server/src/analysis';
import { diskHost, ready } from '../../support/analysis';
import { corpusAvailable, corpusDir, corpusIndex, realWorldAvailable, realWorldDir, realWorldIndex } from '../../support/corpus';
import { overlayHost } from '../../support/overlayHost';
import { inCI } from '../../support/requireTool';
import { CORPUS, REALWORLD, type Judgement } from './judgement';

function findingsOf(root: string, file: string, j: Judgement): string[] {
  const repoDir = path.join(root, file.split('/')[0]);
  const base = j.mount ? path.join(root, j.mount.at) : repoDir;
  const layout = Object.fromEntries(Object.entries(j.layout ?? {}).map(([p, text]) => [path.join(base, p), text]));
  const mounts = j.mount ? { [path.join(root, j.mount.at)]: repoDir } : {};
  const target = j.mount ? path.join(root, j.mount.template) : path.join(root, file);
  const analysisRoot = j.mount ? path.join(root, j.mount.at.split('/')[0]) : repoDir;
  const a = new Analyzer(overlayHost(diskHost, layout, mounts), { roots: [analysisRoot] });
  const r = a.analyze(target, fs.readFileSync(path.join(root, file), 'utf8'));
  return r.findings.map((f) => `${f.ruleId}@${f.range.start.line + 1}${f.holdsFor ? ` [${f.holdsFor}]` : ''}`).sort();
}

function judge(name: string, available: () => boolean, dir: string, templates: () => string[], judgements: Record<string, Judgement>) {
  describe(`the judged ${name}`, function () {
    before(async function () {
      if (!available()) {
        if (inCI) throw new Error(`CI=true but ${dir} is missing`);
        console.warn(`    skipped: ${dir} is not beside this clone`);
        this.skip();
      }
      await ready();
    });
    it('judges every template it holds', () => {
      assert.deepEqual(templates().filter((t) => !(t in judgements)), [], 'templates without a judgement');
      assert.deepEqual(Object.keys(judgements).filter((t) => !templates().includes(t)), [], 'judgements of templates not in the corpus');
    });
    for (const [file, j] of Object.entries(judgements)) {
      it(`${file}: ${j.findings.length ? j.findings.join(', ') : 'nothing'}`, () => {
        assert.deepEqual(findingsOf(dir, file, j), [...j.findings].sort(), j.why);
      });
    }
  });
}

judge('real-world templates (corpus-realworld)', realWorldAvailable, realWorldDir, () => realWorldIndex().filter((e) => e.kind === 'template').map((e) => e.file), REALWORLD);
judge('corpus templates (corpus)', corpusAvailable, corpusDir, () => corpusIndex().filter((e) => e.kind === 'packer-ansible').map((e) => e.file), CORPUS);
