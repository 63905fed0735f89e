/**
 * With the ansible-core version unknown, the analysis works out a
 * provisioner's socket plans once for every ansible-core class up to what
 * the class decides, and classes that decide alike share the rest
 * (socketPlan.ts, planner). Each class's plans must be those an analysis
 * with that class's version known makes on its own: on every template of
 * the corpora and the examples, and on templates whose plans differ by class.
 */
import assert from 'node:assert/strict';
import { Analyzer, formatForName, type AnalysisSettings } from '../../../server/src/analysis';
import type { SocketPlan } from '../../../server/src/analysis/socketPlan';
import { cachedHost, diskHost } from '../../../server/src/diskHost';
import { memoryHost, ready } from '../../support/analysis';
import { hclFiles, needFolder, templateFolders } from '../../support/corpus';
import type { AnalysisHost } from '../../../server/src/analysis';

/** A version of each ansible-core class (toolchain.ts). */
const CLASSES = { le214: '2.14.18', '215to216': '2.16.3', ge217: '2.19.4' } as const;

/** The plans of one analysis, without what only tells them apart by class. */
function plain(plans: SocketPlan[]): unknown {
  return plans.map(({ flavor: _flavor, ...rest }) => rest);
}

function compare(host: AnalysisHost, file: string, text: string, settings: Partial<AnalysisSettings> = {}): number {
  const unknown = new Analyzer(host, settings).analyze(file, text).plans;
  let differing = 0;
  const byClass = new Map<string, unknown>();
  for (const [cls, version] of Object.entries(CLASSES)) {
    const known = new Analyzer(host, { ...settings, toolchain: { ...settings.toolchain, ansible: version } }).analyze(file, text).plans;
    const shared = unknown.filter((p) => p.flavor.ansible === cls);
    assert.ok(known.every((p) => p.flavor.ansible === cls), `${file}: ${version} is class ${cls}`);
    assert.deepStrictEqual(plain(shared), plain(known), `${file}: the plans of ${cls}`);
    byClass.set(cls, plain(known));
  }
  const [first, ...others] = [...byClass.values()];
  for (const o of others) {
    try {
      assert.deepStrictEqual(o, first);
    } catch {
      differing++;
    }
  }
  return differing;
}

describe('socket plans shared across ansible-core classes', () => {
  before(ready);

  for (const [name, dir, available] of templateFolders()) {
    it(`are each class's own plans on every template of ${name}`, function () {
      needFolder(this, dir, available);
      this.timeout(120_000);
      const host = cachedHost(diskHost);
      const files = [...hclFiles(dir, /\.(json|pkr\.hcl|pkr\.json)$/)].filter((f) => formatForName(f));
      let analysed = 0;
      for (const file of files) {
        const text = host.readFile(file);
        if (text === undefined) continue;
        compare(host, file, text);
        analysed++;
      }
      assert.ok(analysed >= 3, `${analysed} templates analysed in ${dir}`);
    });
  }

  it("are each class's own plans where the classes differ: quotes kept or stripped, scp or sftp, ini quotes", () => {
    const dir = '/ws';
    const cfg = "[ssh_connection]\ncontrol_path = '/tmp/ansible-%%h-%%p-%%r'\nscp_extra_args = \"-O\"\n";
    const template = JSON.stringify({
      builders: [{ type: 'amazon-ebs', name: 'a' }, { type: 'docker', name: 'b' }],
      provisioners: [
        { type: 'ansible', playbook_file: 'site.yml', ansible_env_vars: ["ANSIBLE_SSH_ARGS='-o ControlMaster=auto -o ControlPersist=60s'"] },
        { type: 'ansible', playbook_file: 'site.yml', extra_arguments: ['--scp-extra-args', "'-O'"], override: { b: { use_sftp: true } } },
        { type: 'ansible', playbook_file: 'site.yml', ansible_env_vars: [`ANSIBLE_CONFIG=${dir}/ansible.cfg`] },
        { type: 'ansible', playbook_file: 'site.yml', extra_arguments: ['-e', 'ansible_ssh_transfer_method=sftp', '-e', "ansible_connection='ssh'"] },
      ],
    });
    const host = memoryHost({ [`${dir}/template.json`]: template, [`${dir}/site.yml`]: '- hosts: all\n', [`${dir}/ansible.cfg`]: cfg });
    const differing = compare(host, `${dir}/template.json`, template, { workingDirectory: dir });
    // The test is only worth something if some classes' plans do differ here.
    assert.ok(differing > 0, 'the classes decide these plans differently');
  });
});
