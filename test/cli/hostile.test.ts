/**
 * `packer-bake lint` on repositories built to hurt it (issue #9): every case
 * here failed before the hardening (a hang, a file outside the linted paths
 * rewritten, corrupted bytes, an "internal error" after half the work).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from '../support/bytes';
import { hcl, legacy } from '../support/templates';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli.js');

function lint(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, out: r.stdout, err: r.stderr, signal: r.signal };
}

/** ssh_args whose one ControlPath two rules fix (unsafe dir, doubled %): the overlapping fixes of issue #9 item 4. */
const CFG_TWO_FIXES = '[ssh_connection]\nssh_args = -o ControlMaster=auto -o ControlPersist=60s -o ControlPath=/home/ci/.ansible/cp/cm-%%r@%%h:%%p -o ServerAliveInterval=30\n';
const UNESCAPED = 'ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%h"]';
const FIXED = 'ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%%h"]';

describe('packer-bake lint on hostile repositories', () => {
  let dir: string;
  let ws: string;
  let outside: string;
  before(() => assert.ok(fs.existsSync(cli), 'run `npm run build` first'));
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-hostile-')));
    ws = path.join(dir, 'ws');
    outside = path.join(dir, 'outside');
    fs.mkdirSync(ws);
    fs.mkdirSync(outside);
  });
  afterEach(() => {
    for (const f of walk(dir)) fs.chmodSync(f, 0o755);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('reads', () => {
    it('does not hang on a FIFO named like a template, or used as ANSIBLE_CONFIG; says what it skipped', () => {
      spawnSync('mkfifo', [path.join(ws, 'fifo.pkr.hcl'), path.join(ws, 'fifo.cfg')]);
      fs.writeFileSync(path.join(ws, 't.pkr.hcl'), hcl('ansible_env_vars = ["ANSIBLE_CONFIG=fifo.cfg", "ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%%h"]'));
      const walked = lint(['lint', '--format', 'json', '.'], ws);
      assert.equal(walked.signal, null, 'finished');
      assert.deepEqual([walked.code, JSON.parse(walked.out)], [0, []], walked.err);
      const named = lint(['lint', 'fifo.pkr.hcl', 't.pkr.hcl'], ws);
      assert.equal(named.code, 3, named.err);
      assert.equal(named.err, 'packer-bake: fifo.pkr.hcl: cannot read: it is not a regular file (a FIFO, device or socket)\n');
    });

    it('refuses a symlink to /dev/zero, /proc/self/pagemap as ANSIBLE_CONFIG and a 2 GB sparse file', () => {
      fs.symlinkSync('/dev/zero', path.join(ws, 'zero.pkr.hcl'));
      fs.writeFileSync(path.join(ws, 'ansible.cfg'), '');
      fs.writeFileSync(path.join(ws, 't.json'), legacy({ ansible_env_vars: ['ANSIBLE_CONFIG=/proc/self/pagemap', 'ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%%h'] }));
      const sparse = path.join(ws, 'sparse.pkr.hcl');
      fs.writeFileSync(sparse, '');
      fs.truncateSync(sparse, 2 ** 31);
      const r = lint(['lint', '--format', 'json', 'zero.pkr.hcl', 't.json', 'sparse.pkr.hcl'], ws);
      assert.equal(r.code, 3, r.err);
      assert.equal(r.err, 'packer-bake: zero.pkr.hcl: cannot read: it is not a regular file (a FIFO, device or socket)\n');
      assert.deepEqual((JSON.parse(r.out) as { file: string; rule: string; message: string }[]).map((f) => [f.file, f.rule, f.message]), [
        ['sparse.pkr.hcl', 'file-skipped', 'packer-bake skipped this file: it is larger than 5120 KB (setting packerBake.maxFileSize).'],
      ]);
    });

    it('--max-file-size bounds the ansible.cfg and sibling reads too', () => {
      fs.writeFileSync(path.join(ws, 'ansible.cfg'), `[ssh_connection]\ncontrol_path = /tmp/c-%h\n#${'x'.repeat(5000)}\n`);
      fs.writeFileSync(path.join(ws, 't.pkr.hcl'), hcl());
      const small = JSON.parse(lint(['lint', '--format', 'json', '--max-file-size', '4096', '.'], ws).out) as { rule: string }[];
      assert.deepEqual(small.map((f) => f.rule), ['control-path-missing'], 'the 5 KB ansible.cfg is not read');
      const large = JSON.parse(lint(['lint', '--format', 'json', '.'], ws).out) as { rule: string }[];
      assert.deepEqual(large.map((f) => f.rule), ['control-path-unescaped-percent']);
    });

    it('reports the template beside three 4 MB random *.pkr.hcl files, and reads none of them whole', () => {
      for (const n of [1, 2, 3]) fs.writeFileSync(path.join(ws, `junk${n}.pkr.hcl`), randomBytes(4 * 1024 * 1024, n));
      fs.writeFileSync(path.join(ws, 't.pkr.hcl'), hcl(UNESCAPED));
      const r = lint(['lint', '--format', 'json', 't.pkr.hcl'], ws);
      assert.equal(r.code, 1, r.err);
      assert.deepEqual((JSON.parse(r.out) as { rule: string }[]).map((f) => f.rule), ['control-path-unescaped-percent']);
    });
  });

  describe('--fix writes only inside the paths given', () => {
    for (const [name, setup] of [
      ['a committed symlink ansible.cfg -> outside', () => fs.symlinkSync(path.join(outside, 'ansible.cfg'), path.join(ws, 'ansible.cfg'))],
      ['an absolute ANSIBLE_CONFIG', () => fs.writeFileSync(path.join(ws, 't.json'), legacy({ ansible_env_vars: [`ANSIBLE_CONFIG=${path.join(outside, 'ansible.cfg')}`] }))],
      ['a ../ ANSIBLE_CONFIG', () => fs.writeFileSync(path.join(ws, 't.json'), legacy({ ansible_env_vars: ['ANSIBLE_CONFIG=../outside/ansible.cfg'] }))],
      ['a symlinked folder leading out', () => {
        fs.symlinkSync(outside, path.join(ws, 'cfg'));
        fs.writeFileSync(path.join(ws, 't.json'), legacy({ ansible_env_vars: ['ANSIBLE_CONFIG=cfg/ansible.cfg'] }));
      }],
    ] as const) {
      it(`does not edit a file outside through ${name}, and says so`, () => {
        const cfg = '[ssh_connection]\ncontrol_path = /tmp/c-%h-%r\n';
        fs.writeFileSync(path.join(outside, 'ansible.cfg'), cfg);
        if (!fs.existsSync(path.join(ws, 't.json'))) fs.writeFileSync(path.join(ws, 't.json'), legacy());
        setup();
        const r = lint(['lint', '--fix', 'ws'], dir);
        assert.equal(fs.readFileSync(path.join(outside, 'ansible.cfg'), 'utf8'), cfg);
        assert.equal(r.code, 1, r.err);
        assert.match(r.err, /^packer-bake: not fixed: .*ansible\.cfg \(control-path-unescaped-percent\): (it is outside the paths given|a symbolic link \(.*\) leads outside the paths given)$/m);
        assert.match(r.out, /control-path-unescaped-percent/);
      });
    }

    it('fixes an ansible.cfg inside the folder given, but not beside a single file given', () => {
      fs.writeFileSync(path.join(ws, 't.pkr.hcl'), hcl());
      fs.writeFileSync(path.join(ws, 'ansible.cfg'), '[ssh_connection]\ncontrol_path = /tmp/c-%h\n');
      const single = lint(['lint', '--fix', 'ws/t.pkr.hcl'], dir);
      assert.equal(single.code, 1);
      assert.match(single.err, /not fixed: ws\/ansible\.cfg \(control-path-unescaped-percent\): it is outside the paths given/);
      assert.equal(lint(['lint', '--fix', 'ws'], dir).code, 0);
      assert.equal(fs.readFileSync(path.join(ws, 'ansible.cfg'), 'utf8'), '[ssh_connection]\ncontrol_path = /tmp/c-%%h\n');
    });
  });

  describe('--fix changes only the bytes of its edits', () => {
    it('applies two fixes of one ControlPath in ssh_args one after the other, never with stale offsets', () => {
      fs.writeFileSync(path.join(ws, 't.pkr.hcl'), hcl());
      fs.writeFileSync(path.join(ws, 'ansible.cfg'), CFG_TWO_FIXES);
      const r = lint(['lint', '--fix', '.'], ws);
      assert.equal(r.code, 0, r.out + r.err);
      assert.equal(
        fs.readFileSync(path.join(ws, 'ansible.cfg'), 'utf8'),
        '[ssh_connection]\nssh_args = -o ControlMaster=auto -o ControlPersist=60s -o ControlPath=/tmp/cm-%r@%h:%p -o ServerAliveInterval=30\n',
      );
    });

    for (const [name, comment, eol] of [
      ['a Latin-1 byte', 'caf\xe9', '\n'],
      ['invalid UTF-8 and a truncated sequence', '\xff\xfe\xe2\x82', '\n'],
      ['CRLF line ends', 'crlf', '\r\n'],
    ] as const) {
      it(`keeps ${name} outside the edits byte for byte`, () => {
        // One char per byte: latin1 turns the string into exactly these bytes.
        const text = hcl(UNESCAPED, `# ${comment}\n`).split('\n').join(eol);
        const file = path.join(ws, 't.pkr.hcl');
        fs.writeFileSync(file, Buffer.from(text, 'latin1'));
        const r = lint(['lint', '--fix', '.'], ws);
        assert.equal(r.code, 0, r.out + r.err);
        assert.deepEqual(fs.readFileSync(file), Buffer.from(text.replace(UNESCAPED, FIXED), 'latin1'));
      });
    }

    it('keeps a byte order mark and the file mode', () => {
      const file = path.join(ws, 't.pkr.hcl');
      fs.writeFileSync(file, `\ufeff${hcl(UNESCAPED)}`);
      fs.chmodSync(file, 0o640);
      assert.equal(lint(['lint', '--fix', '.'], ws).code, 0);
      assert.equal(fs.readFileSync(file, 'utf8'), `\ufeff${hcl(FIXED)}`);
      assert.equal(fs.statSync(file).mode & 0o777, 0o640);
      assert.deepEqual(fs.readdirSync(ws), ['t.pkr.hcl'], 'no temporary file left');
    });
  });

  describe('reports per file and carries on', () => {
    it('a read-only template is reported, the others are fixed, exit status 3', () => {
      for (const n of ['a', 'b', 'c']) fs.writeFileSync(path.join(ws, `${n}.pkr.hcl`), hcl(UNESCAPED));
      fs.chmodSync(path.join(ws, 'b.pkr.hcl'), 0o444);
      const r = lint(['lint', '--fix', '.'], ws);
      assert.equal(r.code, 3, r.err);
      assert.match(r.err, /^packer-bake: b\.pkr\.hcl: cannot write: it is read-only$/m);
      assert.equal(fs.readFileSync(path.join(ws, 'a.pkr.hcl'), 'utf8'), hcl(FIXED));
      assert.equal(fs.readFileSync(path.join(ws, 'b.pkr.hcl'), 'utf8'), hcl(UNESCAPED));
      assert.equal(fs.readFileSync(path.join(ws, 'c.pkr.hcl'), 'utf8'), hcl(FIXED));
      assert.match(r.out, /^b\.pkr\.hcl:\d+:\d+: error control-path-unescaped-percent/m);
      assert.doesNotMatch(r.out, /^[ac]\.pkr\.hcl/m);
    });
  });

  describe('arguments', () => {
    it('refuses `lint *` when a file is named like an option, and writes nothing', () => {
      fs.writeFileSync(path.join(ws, 't.pkr.hcl'), hcl(UNESCAPED));
      fs.writeFileSync(path.join(ws, '--fix'), '');
      const star = fs.readdirSync(ws).sort();
      const r = lint(['lint', ...star], ws);
      assert.equal(r.code, 2);
      assert.match(r.err, /^packer-bake: "--fix" is an option and also a file in this folder; put paths after "--" \(packer-bake lint \[options\] -- paths\.\.\.\)/);
      assert.equal(fs.readFileSync(path.join(ws, 't.pkr.hcl'), 'utf8'), hcl(UNESCAPED));
    });

    it('takes everything after -- as a path', () => {
      fs.writeFileSync(path.join(ws, '--fix.json'), legacy());
      const r = lint(['lint', '--format', 'json', '--', '--fix.json'], ws);
      assert.equal(r.code, 1, r.err);
      assert.deepEqual((JSON.parse(r.out) as { file: string }[]).map((f) => f.file), ['--fix.json']);
      assert.equal(fs.readFileSync(path.join(ws, '--fix.json'), 'utf8'), legacy(), 'not fixed');
    });

    it('escapes a file name that would forge lines of the text report', () => {
      const name = 'x\nforged.json:1:1: error forged: ok.pkr.hcl';
      fs.writeFileSync(path.join(ws, name), hcl(UNESCAPED));
      const r = lint(['lint', '.'], ws);
      assert.equal(r.code, 1);
      const lines = r.out.trimEnd().split('\n');
      assert.equal(lines.length, 3, r.out);
      assert.ok(lines[0].startsWith(`${JSON.stringify(name)}:12:`), lines[0]);
    });

    it('walks folders as the language server does: out/ and hidden folders skipped, symlinked templates read', () => {
      fs.mkdirSync(path.join(ws, 'out'));
      fs.mkdirSync(path.join(ws, '.hidden'));
      fs.mkdirSync(path.join(ws, 'node_modules'));
      for (const d of ['out', '.hidden', 'node_modules']) fs.writeFileSync(path.join(ws, d, 't.json'), legacy());
      fs.writeFileSync(path.join(outside, 'real.pkr.hcl'), hcl(UNESCAPED));
      fs.symlinkSync(path.join(outside, 'real.pkr.hcl'), path.join(ws, 'link.pkr.hcl'));
      const r = lint(['lint', '--format', 'json', '.'], ws);
      assert.deepEqual((JSON.parse(r.out) as { file: string }[]).map((f) => f.file), ['link.pkr.hcl']);
      assert.equal(lint(['lint', '--fix', '.'], ws).code, 1, 'the symlink leads out: not fixed');
      assert.equal(fs.readFileSync(path.join(outside, 'real.pkr.hcl'), 'utf8'), hcl(UNESCAPED));
    });

    it('walks at most 50,000 entries of a folder, lints what it walked, and says which folder it did not walk whole (exit 3)', function () {
      this.timeout(120000);
      const big = path.join(ws, 'big');
      fs.mkdirSync(big);
      for (let k = 0; k < 50001; k++) fs.writeFileSync(path.join(big, `f${k}.txt`), '');
      fs.writeFileSync(path.join(ws, 't.pkr.hcl'), hcl(UNESCAPED));
      const r = lint(['lint', '--format', 'json', '.'], ws);
      assert.equal(r.code, 3, r.err);
      assert.equal(r.err.trim(), 'packer-bake: big: not walked whole: it has more than 50,000 entries; the templates among the first 50,000 were linted');
      assert.deepEqual((JSON.parse(r.out) as { file: string; rule: string }[]).map((f) => [f.file, f.rule]), [['t.pkr.hcl', 'control-path-unescaped-percent']]);
    });
  });
});


function walk(d: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isSymbolicLink()) continue;
    out.push(p);
    if (e.isDirectory()) out.push(...walk(p));
  }
  return out;
}
