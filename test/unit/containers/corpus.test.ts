import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Analyzer } from '../../../server/src/analysis';
import { diskHost } from '../../support/analysis';
import { corpusAvailable, corpusDir } from '../../support/corpus';
import { inCI } from '../../support/requireTool';
import { textAt } from '../../support/rules';

describe('container rules on the real devcontainer.json files of the shared corpus', function () {
  before(function () {
    if (!corpusAvailable()) {
      if (inCI) throw new Error(`CI=true but the corpus is missing at ${corpusDir}`);
      console.warn(`    skipped: ../shared/corpus is not beside this clone (${corpusDir})`);
      this.skip();
    }
  });
  const analyse = (rel: string) => {
    const file = path.join(corpusDir, rel);
    const text = fs.readFileSync(file, 'utf8');
    return new Analyzer(diskHost).analyze(file, text).findings.map((f) => [f.ruleId, textAt(text, f), f.message]);
  };
  it('vmware-samples: the ansible and packer-asdf features make it a Packer dev container without a /tmp mount', () => {
    const [f, ...rest] = analyse('vmware-samples__packer-examples-for-vsphere/.devcontainer/devcontainer.json');
    assert.deepEqual(rest, []);
    assert.deepEqual(f.slice(0, 2), ['devcontainer-tmp-not-mounted', '"build"']);
    assert.match(f[2] as string, /feature "ghcr\.io\/devcontainers-contrib\/features\/ansible:2"/);
  });
  it('konvoy-image-builder: a Go dev container whose Dockerfile is not there to read is left alone', () => {
    assert.deepEqual(analyse('mesosphere__konvoy-image-builder/.devcontainer/devcontainer.json'), []);
  });
});
