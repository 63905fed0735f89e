/**
 * An Analyzer lives as long as the language server (and a whole lint run):
 * what it remembers between analyses must not keep the texts it analysed
 * alive. V8's sliced and concatenated strings point into their source, so a
 * remembered string cut from a template would hold the whole template.
 */
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Analyzer } from '../../../server/src/analysis';
import { memoryHost } from '../../support/analysis';
import { legacy } from '../../support/templates';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function usedAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('what an Analyzer keeps between analyses', () => {
  it('does not keep the texts of the templates it analysed (300 templates of 200 KB)', function () {
    this.timeout(120000);
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`/ws/t${i}/playbooks/site.yml`] = '- hosts: all\n';
    const a = new Analyzer(memoryHost(files));
    const before = usedAfterGc();
    for (let i = 0; i < 300; i++) {
      // A relative playbook path that exists from a subfolder: the working directory search remembers its answer.
      const base = legacy({ playbook_file: 'playbooks/site.yml' });
      const text = base.replace('"builders"', `"description": "${'x'.repeat(200 * 1024)}-${i}",\n  "builders"`);
      a.analyze(`/ws/t${i}/template.json`, text);
    }
    const grown = usedAfterGc() - before;
    assert.ok(grown < 20 * 1024 * 1024, `the heap grew by ${(grown / 1048576).toFixed(0)} MB over 60 MB of analysed text`);
  });
});
