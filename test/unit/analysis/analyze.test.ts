import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ready, analyzer, diskHost, memoryHost } from '../../support/analysis';
import { textAt } from '../../support/rules';
import { corpusAvailable, corpusDir, corpusIndex } from '../../support/corpus';
import { inCI } from '../../support/requireTool';
import { Analyzer, containerFileKind, type AnalysisHost } from '../../../server/src/analysis';
import { legacy, hcl, JSON_FILE, HCL_FILE } from '../../support/templates';

const summary = (file: string, text: string, files: Record<string, string> = {}) =>
  analyzer({ [file]: text, ...files }).analyze(file, text).findings.map((f) => ({ rule: f.ruleId, severity: f.severity, text: textAt(text, f) }));

describe('analyze', () => {
  before(ready);

  describe('which files are templates', () => {
    it('reads legacy JSON by its builders array, whatever the name', () => {
      assert.equal(analyzer().analyze('/ws/anything.json', legacy()).template?.format, 'json');
    });
    it('reads .pkr.json as HCL2 JSON syntax, with every legal block shape', () => {
      const shapes = [
        { build: { provisioner: { ansible: { playbook_file: 'p.yml' } } } },
        { build: [{ provisioner: [{ ansible: { playbook_file: 'p.yml' } }] }] },
        { build: { provisioner: { ansible: [{ playbook_file: 'p.yml' }] } } },
      ];
      for (const s of shapes) {
        const t = JSON.stringify(s, null, 2);
        assert.deepEqual(summary('/ws/t.pkr.json', t), [{ rule: 'control-path-missing', severity: 'warning', text: '"ansible"' }], JSON.stringify(s));
      }
    });
    it('resolves .pkr.json ${var.x} references', () => {
      const t = JSON.stringify({
        variable: { cp: { default: '/tmp/a-%%h' } },
        build: { provisioner: { ansible: { ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=${var.cp}'] } } },
      });
      assert.deepEqual(summary('/ws/t.pkr.json', t), []);
    });
    it('ignores other JSON, Terraform and unrelated files', () => {
      for (const [f, t] of [['/ws/package.json', '{"name":"x"}'], ['/ws/tsconfig.json', '{ // c\n}'], ['/ws/main.tf', 'provisioner "ansible" {}'], ['/ws/x.yml', 'a: 1']]) {
        const r = analyzer().analyze(f, t);
        assert.equal(r.template, undefined, f);
        assert.deepEqual(r.findings, [], f);
      }
    });
  });

  describe('bad input', () => {
    it('reports a JSON syntax error once, where it is', () => {
      const t = legacy().replace('"playbook_file": "playbook.yml"', '"playbook_file": "playbook.yml",');
      const errors = summary(JSON_FILE, t).filter((f) => f.rule === 'parse-error');
      assert.equal(errors.length, 1);
      assert.equal(errors[0].severity, 'error');
    });
    it('reports an HCL syntax error at its place and still analyses the rest', () => {
      const t = hcl().replace('playbook_file = "playbook.yml"', 'playbook_file = "playbook.yml"\n    broken = [1,');
      const r = analyzer().analyze(HCL_FILE, t);
      const errors = r.findings.filter((f) => f.ruleId === 'parse-error');
      assert.ok(errors.length >= 1);
      assert.ok(errors.every((e) => e.range.start.line >= 10), JSON.stringify(errors));
    });
    it('skips binary and huge files with one informational finding', () => {
      assert.deepEqual(summary(HCL_FILE, 'a = "\0\0\0"').map((f) => [f.rule, f.severity]), [['file-skipped', 'info']]);
      const big = hcl() + `# ${'x'.repeat(2000)}\n`;
      const r = new Analyzer(diskHost, { maxFileSize: 1000 }).analyze(HCL_FILE, big);
      assert.deepEqual(r.findings.map((f) => [f.ruleId, f.severity]), [['file-skipped', 'info']]);
    });
    it('gives up on HCL the parser is quadratic on, within a time budget, saying so', function () {
      this.timeout(20_000);
      const slow = `x = [${'"a" '.repeat(14_000)}]\n`; // ~40 KB: seconds for tree-sitter-hcl's error recovery
      const started = Date.now();
      const r = analyzer().analyze(HCL_FILE, slow);
      assert.deepEqual(r.findings.map((f) => [f.ruleId, f.severity]), [['file-skipped', 'info']]);
      assert.match(r.findings[0].message, /HCL parser gave up/);
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
      assert.deepEqual(summary(HCL_FILE, hcl()).map((f) => f.rule), ['control-path-missing'], 'the parser works normally afterwards');
    });
    it('survives 100,000 levels of nesting', () => {
      const deepJson = legacy({ x: 0 }).replace('"x": 0', `"x": ${'['.repeat(100000)}${']'.repeat(100000)}`);
      assert.doesNotThrow(() => analyzer().analyze(JSON_FILE, deepJson));
      const deepHcl = hcl(`x = ${'['.repeat(100000)}${']'.repeat(100000)}`);
      assert.doesNotThrow(() => analyzer().analyze(HCL_FILE, deepHcl));
    });
    it('handles CRLF and unicode without shifting ranges', () => {
      const t = legacy({ ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/tmp/ü-😀-%h'] }).replace(/\n/g, '\r\n');
      assert.deepEqual(summary(JSON_FILE, t).map((f) => f.text), ['/tmp/ü-😀-%h']);
      const h = hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/ü-😀-%h"]').replace(/\n/g, '\r\n');
      assert.deepEqual(summary(HCL_FILE, h).map((f) => f.text), ['/tmp/ü-😀-%h']);
    });
    it('reports a BOM in a JSON template (Packer rejects it) and accepts one in HCL2', () => {
      const t = `\ufeff${legacy({ ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/tmp/%h'] })}`;
      assert.deepEqual(summary(JSON_FILE, t).map((f) => [f.rule, f.text]), [['parse-error', '\ufeff'], ['control-path-unescaped-percent', '/tmp/%h']]);
      const h = `\ufeff${hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/%h"]')}`;
      assert.deepEqual(summary(HCL_FILE, h).map((f) => [f.rule, f.text]), [['control-path-unescaped-percent', '/tmp/%h']]);
    });
  });

  describe('the analysis core stays pure', () => {
    it('imports no vscode, no LSP connection and no fs', () => {
      const root = path.join(__dirname, '..', '..', '..', 'server', 'src', 'analysis');
      const allowed = /^(\.|vscode-languageserver-types$|vscode-languageserver-textdocument$|jsonc-parser$|web-tree-sitter$|ini$|shlex$|semver$|path$|yaml$)/;
      const bad: string[] = [];
      const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) walk(p);
          else for (const m of fs.readFileSync(p, 'utf8').matchAll(/(?:\bfrom\s+|require\(\s*)'([^']+)'/g)) if (!allowed.test(m[1])) bad.push(`${e.name}: ${m[1]}`);
        }
      };
      walk(root);
      assert.deepEqual(bad, []);
    });
  });

  describe('the shared corpus of real templates', function () {
    before(function () {
      if (!corpusAvailable()) {
        if (inCI) throw new Error(`CI=true but the corpus is missing at ${corpusDir}`);
        console.warn(`    skipped: ../shared/corpus is not beside this clone (${corpusDir})`);
        this.skip();
      }
    });
    it('analyses every file without throwing, and the negatives give no findings', () => {
      const a = new Analyzer(diskHost);
      const fired: string[] = [];
      for (const e of corpusIndex()) {
        if (e.kind === 'support') continue;
        const file = path.join(corpusDir, e.file);
        const r = a.analyze(file, fs.readFileSync(file, 'utf8'));
        // Negatives are not templates; a dev container among them is checked as one (test/unit/containers/corpus.test.ts).
        if (e.kind === 'negative' && !containerFileKind(file)) assert.deepEqual(r.findings, [], e.file);
        for (const f of r.findings) fired.push(f.ruleId);
        for (const f of r.findings) assert.notEqual(f.ruleId, 'parse-error', `${e.file}: ${f.message}`);
      }
      assert.ok(fired.length > 0, 'the corpus has real findings');
    });
    it('stays silent where the socket settings are only known at build time', () => {
      const unknown = ['kubernetes-sigs__image-builder/images/capi/packer/ami/packer.json', 'vmware-samples__packer-examples-for-vsphere/builds/linux/rhel/9/linux-rhel.pkr.hcl'];
      for (const f of unknown) {
        const file = path.join(corpusDir, f);
        assert.deepEqual(new Analyzer(diskHost).analyze(file, fs.readFileSync(file, 'utf8')).findings, [], f);
      }
    });
    it('follows ANSIBLE_CONFIG through a resolved local to the real ansible.cfg', () => {
      const file = path.join(corpusDir, 'SchedMD__slurm-gcp/packer/main.pkr.hcl');
      const r = new Analyzer(diskHost).analyze(file, fs.readFileSync(file, 'utf8'));
      assert.ok(r.dependsOn.includes(path.join(corpusDir, 'SchedMD__slurm-gcp/ansible/ansible.cfg')), JSON.stringify(r.dependsOn));
    });
  });
  describe('an HCL2 folder of many files', () => {
    /** `n` templates in one folder, each with a variable, a source and a build the others can see, and an auto var file. */
    const folder = (n: number): Record<string, string> => {
      const files: Record<string, string> = { '/ws/big/values.auto.pkrvars.hcl': 'cp_0 = "/tmp/%%h-%%p"\n' };
      for (let i = 0; i < n; i++) {
        files[`/ws/big/t${String(i).padStart(3, '0')}.pkr.hcl`] = `variable "cp_${i}" {
  default = "/tmp/cp-${i}-%h"
}
source "null" "s${i}" {
  communicator = "ssh"
  ssh_host     = "127.0.0.1"
}
build {
  sources = ["source.null.s${(i + 1) % n}"]
  provisioner "ansible" {
    playbook_file    = "p.yml"
    ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=\${var.cp_${(i + 1) % n}}"]
  }
}
`;
      }
      return files;
    };
    /** The host over `files`, counting reads of the folder's templates; `version` answers folderVersion when given. */
    const counting = (files: Record<string, string>, version?: () => string) => {
      const base = memoryHost(files);
      const host: AnalysisHost & { reads: number } = {
        reads: 0,
        readFile: (f) => {
          if (f.endsWith('.pkr.hcl')) host.reads++;
          return base.readFile(f);
        },
        listDir: (d) => base.listDir(d),
        ...(version ? { folderVersion: () => version() } : {}),
      };
      return host;
    };
    const templates = (files: Record<string, string>) => Object.keys(files).filter((f) => f.endsWith('.pkr.hcl'));
    const analyseAll = (a: Analyzer, files: Record<string, string>) => templates(files).map((f) => a.analyze(f, files[f]));
    const plain = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

    it('reads each template of the folder a bounded number of times across the analyses of all of them, when the host can tell the folder has not changed', () => {
      // Analysing every template of a folder of N files must read O(N) files, not the N - 1 others per template (N² in all).
      for (const n of [20, 80]) {
        const files = folder(n);
        const host = counting(files, () => 'v1');
        analyseAll(new Analyzer(host), files);
        assert.ok(host.reads <= 3 * n, `${host.reads} reads of the templates for ${n} templates`);
      }
    });
    it('gives every template the results a fresh analyser gives, with or without the host telling', () => {
      const files = folder(12);
      const fresh = templates(files).map((f) => new Analyzer(memoryHost(files)).analyze(f, files[f]));
      assert.deepStrictEqual(plain(analyseAll(new Analyzer(counting(files, () => 'v1')), files)), plain(fresh));
      assert.deepStrictEqual(plain(analyseAll(new Analyzer(counting(files)), files)), plain(fresh));
      // Files changed in place (a default escaped, a variable of another file defined again, a reference added): the kept aggregate is updated.
      let version = 'v1';
      const kept = new Analyzer(counting(files, () => version));
      analyseAll(kept, files);
      files['/ws/big/t003.pkr.hcl'] = files['/ws/big/t003.pkr.hcl'].replace('/tmp/cp-3-%h', '/tmp/cp-3-%%h');
      files['/ws/big/t007.pkr.hcl'] += 'variable "cp_8" {\n  default = "/tmp/x"\n}\nlocals {\n  again = var.cp_9\n}\n';
      version = 'v2';
      const after = templates(files).map((f) => new Analyzer(memoryHost(files)).analyze(f, files[f]));
      assert.notDeepStrictEqual(plain(after), plain(fresh));
      assert.deepStrictEqual(plain(analyseAll(kept, files)), plain(after));
      // t000 uses cp_1, whose default in t001 has a single %: the fix edits t001.
      assert.deepEqual(fresh[0].findings.map((f) => [f.ruleId, f.fixes[0].edits.map((e) => e.file)]), [['control-path-unescaped-percent', ['/ws/big/t001.pkr.hcl']]]);
      // t011 uses cp_0, which the auto var file sets escaped.
      assert.deepEqual(fresh[11].findings, []);
      assert.deepEqual(fresh[0].builds, ['null.s1', ...[...Array(10).keys()].map((i) => `null.s${i + 2}`), 'null.s0']);
      assert.deepEqual(fresh[0].dependsOn.filter((f) => f.startsWith('/ws/big/') && f.endsWith('.hcl')), [...templates(files).slice(1), '/ws/big/values.auto.pkrvars.hcl']);
    });
    it('parses the template being analysed once, not again as a file of its folder, when its text changes (a keystroke)', () => {
      const files = folder(6);
      let version = 'v1';
      const a = new Analyzer(counting(files, () => version));
      const parsed: string[] = [];
      const parse = a.parse.bind(a);
      a.parse = (file, text) => {
        parsed.push(file);
        return parse(file, text);
      };
      const [t0, t1] = templates(files);
      a.analyze(t0, files[t0]);
      a.analyze(t1, files[t1]);
      for (let i = 0; i < 3; i++) {
        files[t0] = files[t0].replace(/default = "[^"]*"/, `default = "/tmp/v${i}-%%h"`);
        version = `v${i + 2}`;
        parsed.length = 0;
        a.analyze(t0, files[t0]);
        assert.deepEqual(parsed, [t0]);
      }
      parsed.length = 0;
      a.analyze(t1, files[t1]);
      assert.deepEqual(parsed, [t1, t0], 'the next template of the folder reads its last text');
      // The aggregate made for t2 has not read t2 yet when t1 changes: both are taken in.
      const b = new Analyzer(counting(files, () => version));
      const t2 = templates(files)[2];
      b.analyze(t2, files[t2]);
      files[t1] = files[t1].replace(/default = "[^"]*"/, 'default = "/tmp/t1-%h"');
      version = 'v9';
      for (const t of [t1, t2, t0]) assert.deepStrictEqual(plain(b.analyze(t, files[t])), plain(new Analyzer(memoryHost(files)).analyze(t, files[t])), t);
    });
    it('sees a changed file of the folder: through a new folder version, after invalidate(), or through its text when the host cannot tell', () => {
      const t0 = '/ws/big/t000.pkr.hcl';
      const t1 = '/ws/big/t001.pkr.hcl';
      const rules = (a: Analyzer, files: Record<string, string>) => a.analyze(t0, files[t0]).findings.map((f) => f.ruleId);
      const escape = (files: Record<string, string>, yes: boolean) => {
        files[t1] = yes ? files[t1].replace('/tmp/cp-1-%h', '/tmp/cp-1-%%h') : files[t1].replace('%%h', '%h');
      };
      const files = folder(4);
      let version = 'v1';
      const a = new Analyzer(counting(files, () => version));
      assert.deepEqual(rules(a, files), ['control-path-unescaped-percent']);
      escape(files, true);
      version = 'v2';
      assert.deepEqual(rules(a, files), []);
      escape(files, false);
      a.invalidate(t1);
      assert.deepEqual(rules(a, files), ['control-path-unescaped-percent']);
      const untold = folder(4);
      const b = new Analyzer(counting(untold));
      assert.deepEqual(rules(b, untold), ['control-path-unescaped-percent']);
      escape(untold, true);
      assert.deepEqual(rules(b, untold), []);
      delete untold[t1];
      assert.deepEqual(rules(b, untold), [], 'without t001, cp_1 has no value');
    });
  });
});
