// The pre-commit hook (.pre-commit-hooks.yaml), run by the real pre-commit
// against a consumer repository. The hook repository is a stand-in for this
// one: a git repository with this project's hook file, package.json bins,
// .npmignore and built dist/, without the development dependencies (which
// `npm install` would fetch for minutes). pre-commit goes the same way with
// it: npm install, npm pack, npm install -g of the package, then the entry.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireTool } from '../support/requireTool';
import { legacy } from '../support/templates';

const root = path.join(__dirname, '..', '..');

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function git(cwd: string, ...args: string[]) {
  const r = run('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], cwd);
  assert.equal(r.code, 0, `git ${args.join(' ')}: ${r.out}`);
  return r.out.trim();
}

/** The hook repository: this project's hook file, bins and built CLI, committed. */
function hookRepository(dir: string): { path: string; rev: string } {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string>; license: string };
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: manifest.name, version: manifest.version, license: manifest.license, bin: manifest.bin }, null, 2));
  for (const f of ['.pre-commit-hooks.yaml', '.npmignore', 'LICENSE']) fs.copyFileSync(path.join(root, f), path.join(dir, f));
  fs.cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.map') });
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'hooks');
  return { path: dir, rev: git(dir, 'rev-parse', 'HEAD') };
}

describe('pre-commit hook (the real pre-commit)', function () {
  this.timeout(600_000);
  let base: string;
  let consumer: string;
  let env: Record<string, string>;

  before(function () {
    requireTool(this, 'pre-commit', 'runs the hook');
    assert.ok(fs.existsSync(path.join(root, 'dist', 'cli.js')), 'run `npm run build` first');
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-pre-commit-')));
    const hooks = hookRepository(path.join(base, 'hooks'));
    consumer = path.join(base, 'consumer');
    fs.mkdirSync(path.join(consumer, 'images'), { recursive: true });
    git(consumer, 'init', '-q');
    fs.writeFileSync(path.join(consumer, '.pre-commit-config.yaml'), `repos:\n  - repo: ${hooks.path}\n    rev: ${hooks.rev}\n    hooks:\n      - id: packer-bake\n`);
    fs.writeFileSync(path.join(consumer, 'README.md'), '# images\n');
    fs.writeFileSync(path.join(consumer, 'images', 'web.json'), legacy());
    git(consumer, 'add', '-A');
    // Its own cache, so nothing is shared with (or left in) the user's ~/.cache/pre-commit.
    env = { PRE_COMMIT_HOME: path.join(base, 'cache'), GITHUB_ACTIONS: '' };
  });

  after(() => base && fs.rmSync(base, { recursive: true, force: true }));

  it('fails the commit on a finding, naming file, line and rule', () => {
    const r = run('pre-commit', ['run', '--all-files'], consumer, env);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /packer-bake\.+Failed/);
    assert.match(r.out, /images\/web\.json:12:15: warning control-path-missing: /);
  });

  it('passes once the template is fixed', () => {
    assert.equal(run(process.execPath, [path.join(root, 'dist', 'cli.js'), 'lint', '--fix', 'images'], consumer).code, 0);
    git(consumer, 'add', '-A');
    const r = run('pre-commit', ['run', '--all-files'], consumer, env);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /packer-bake\.+Passed/);
  });

  it('runs only when a template, var file or ansible.cfg is in the commit', () => {
    fs.writeFileSync(path.join(consumer, 'images', 'web.json'), legacy());
    fs.appendFileSync(path.join(consumer, 'README.md'), 'more\n');
    const onlyReadme = run('pre-commit', ['run', '--files', 'README.md'], consumer, env);
    assert.equal(onlyReadme.code, 0, onlyReadme.out);
    assert.match(onlyReadme.out, /packer-bake\.+\(no files to check\)Skipped/);
    fs.writeFileSync(path.join(consumer, 'images', 'ansible.cfg'), '[ssh_connection]\nssh_args = -o ControlMaster=auto -o ControlPersist=60s\n');
    // A change to the ansible.cfg alone lints the templates beside it.
    const cfg = run('pre-commit', ['run', '--files', 'images/ansible.cfg'], consumer, env);
    assert.equal(cfg.code, 1, cfg.out);
    assert.match(cfg.out, /images\/web\.json:12:15: warning control-path-missing: /);
  });
});
