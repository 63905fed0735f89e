import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { legacy, hcl } from '../support/templates';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli.js');

function lint(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('packer-bake lint (the bundled CLI)', () => {
  let dir: string;
  before(() => {
    assert.ok(fs.existsSync(cli), 'run `npm run build` first');
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-cli-'));
    fs.mkdirSync(path.join(dir, 'images', 'web'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'images', 'web', 'web.json'), legacy());
    fs.writeFileSync(path.join(dir, 'images', 'web', 'web.pkr.hcl'), hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%h"]'));
    fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"not-a-template","builders":"no"}');
    fs.mkdirSync(path.join(dir, 'node_modules', 'x'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'node_modules', 'x', 't.json'), legacy());
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints JSON findings with LSP positions and paths relative to the current folder, exit 1', () => {
    const r = lint(['lint', '--format', 'json'], dir);
    assert.equal(r.code, 1, r.err);
    const out = JSON.parse(r.out) as { file: string; rule: string; severity: string; range: unknown }[];
    assert.deepEqual(out.map((f) => [f.file, f.rule, f.severity, f.range]), [
      ['images/web/web.json', 'control-path-missing', 'warning', { start: { line: 11, character: 14 }, end: { line: 11, character: 23 } }],
      ['images/web/web.pkr.hcl', 'control-path-unescaped-percent', 'error', { start: { line: 11, character: 50 }, end: { line: 11, character: 59 } }],
    ]);
  });

  it('prints text by default, one finding a line with file:line:column', () => {
    const r = lint(['lint', 'images'], dir);
    assert.equal(r.code, 1);
    assert.match(r.out, /^images\/web\/web\.json:12:15: warning control-path-missing: /m);
    assert.match(r.out, /2 problems \(1 error, 1 warning\)/);
  });

  it('prints SARIF 2.1.0 with the rules and their help links', () => {
    const r = lint(['lint', '--format', 'sarif', 'images/web/web.json'], dir);
    const sarif = JSON.parse(r.out) as { version: string; runs: { tool: { driver: { rules: { id: string; helpUri: string }[] } }; results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] };
    assert.equal(sarif.version, '2.1.0');
    assert.ok(sarif.runs[0].tool.driver.rules.some((x) => x.id === 'control-path-missing' && x.helpUri.endsWith('docs/rules/control-path-missing.md')));
    assert.deepEqual(sarif.runs[0].results.map((x) => [x.ruleId, x.level, x.locations[0].physicalLocation.artifactLocation.uri, x.locations[0].physicalLocation.region.startLine]), [
      ['control-path-missing', 'warning', 'images/web/web.json', 12],
    ]);
  });

  it('exits 0 when only rules turned off would fire', () => {
    const r = lint(['lint', '--rule', 'control-path-missing=off', '--rule', 'control-path-unescaped-percent=info'], dir);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /info control-path-unescaped-percent/);
  });

  it('--toolchain turns on the toolchain rules', () => {
    const without = JSON.parse(lint(['lint', '--format', 'json', 'images/web/web.json'], dir).out) as { rule: string }[];
    assert.deepEqual(without.map((f) => f.rule), ['control-path-missing']);
    const withVersions = JSON.parse(lint(['lint', '--format', 'json', '--toolchain', 'packer=1.6.6', '--toolchain', 'openssh=9.2p1', 'images/web/web.json'], dir).out) as { rule: string }[];
    assert.deepEqual(withVersions.map((f) => f.rule), ['control-path-missing', 'proxy-host-key-rejected', 'scp-sftp-mismatch']);
  });

  it('exits 2 for bad usage, saying what is wrong', () => {
    for (const args of [['lint', '--format', 'xml'], ['lint', '--rule', 'nope=error'], ['lint', '--rule', 'control-path-missing=loud'], ['frobnicate'], ['lint', 'missing-folder'], ['lint', '--bogus'], ['lint', '--toolchain', 'vim=9']]) {
      const r = lint(args, dir);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, /^packer-bake: /, args.join(' '));
    }
  });

  it('--fix applies the preferred fixes in place and reports what is left', () => {
    const r = lint(['lint', '--fix'], dir);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.err, /applied 2 fixes/);
    const json = fs.readFileSync(path.join(dir, 'images', 'web', 'web.json'), 'utf8');
    assert.match(json, /"ansible_env_vars": \["ANSIBLE_SSH_CONTROL_PATH=\/tmp\/ansible-ssh-%%h-%%p-%%r"\]/);
    assert.equal(fs.readFileSync(path.join(dir, 'images', 'web', 'web.pkr.hcl'), 'utf8'), hcl('ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%%h"]'));
    assert.equal(lint(['lint', '--fix'], dir).code, 0);
    assert.equal(fs.readFileSync(path.join(dir, 'images', 'web', 'web.json'), 'utf8'), json, 'a second --fix changes nothing');
  });

  it('--fix also fixes the ansible.cfg a template uses', () => {
    const cfgDir = path.join(dir, 'cfg');
    fs.mkdirSync(cfgDir);
    fs.writeFileSync(path.join(cfgDir, 't.pkr.hcl'), hcl());
    fs.writeFileSync(path.join(cfgDir, 'ansible.cfg'), '[ssh_connection]\ncontrol_path = /tmp/c-%h-%r\n');
    const before = JSON.parse(lint(['lint', '--format', 'json', 'cfg'], dir).out) as { file: string; rule: string }[];
    assert.deepEqual(before.map((f) => [f.file, f.rule]), [['cfg/ansible.cfg', 'control-path-unescaped-percent']]);
    assert.equal(lint(['lint', '--fix', 'cfg'], dir).code, 0);
    assert.equal(fs.readFileSync(path.join(cfgDir, 'ansible.cfg'), 'utf8'), '[ssh_connection]\ncontrol_path = /tmp/c-%%h-%%r\n');
    assert.equal(fs.readFileSync(path.join(cfgDir, 't.pkr.hcl'), 'utf8'), hcl());
  });

  it('writes all of a large report to a pipe (more than 64 KiB)', () => {
    for (let i = 0; i < 300; i++) {
      fs.mkdirSync(path.join(dir, 'many', `d${i}`), { recursive: true });
      fs.writeFileSync(path.join(dir, 'many', `d${i}`, 't.json'), legacy());
    }
    const r = lint(['lint', '--format', 'json', 'many'], dir);
    assert.ok(r.out.length > 65536, `only ${r.out.length} bytes`);
    assert.equal((JSON.parse(r.out) as unknown[]).length, 300);
  });

  it('lints the examples folder as the README says', () => {
    const r = lint(['lint', 'examples', '--format', 'json'], root);
    // Container files sit in .devcontainer/ and .github/workflows/ below the example's folder.
    const rules = new Set((JSON.parse(r.out) as { rule: string; file: string }[]).map((f) => `${f.file.split('/').slice(0, 2).join('/')}:${f.rule}`));
    for (const id of ['control-path-missing', 'control-path-unescaped-percent', 'control-path-too-long', 'control-path-unsafe-dir', 'ansible-env-vars-invalid', 'ssh-args-doubled-percent',
      'devcontainer-tmp-not-mounted', 'ci-container-tmp-not-mounted', 'env-control-path-unescaped-percent']) {
      assert.ok(rules.has(`examples/${id}:${id}`), `examples/${id} shows ${id}`);
    }
    assert.ok(![...rules].some((r) => r.startsWith('examples/fixed:')), 'examples/fixed is clean');
  });
});
