/**
 * The adversarial tier, CLI side: `node dist/cli.js lint` and `lint --fix` on
 * a hostile workspace (test/attack/hostileWorkspace.ts), measured from /proc:
 * bytes read, peak memory, bytes outside the workspace, bytes of a fixed file
 * outside its edits.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { legacy } from '../support/templates';
import { CAP, DEFAULT_LIMIT, FIXED, HostileWorkspace, LATIN1_FIXED, LATIN1_TEMPLATE, MiB, SPECIAL_CONFIGS, UNESCAPED, type ProcStats } from './hostileWorkspace';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const EXIT_STATS = path.join(__dirname, 'exitStats.cjs');
/** Peak resident memory of the CLI on the hostile workspace (measured about 115 MiB). */
const CLI_MEMORY = 256 * MiB;
/** Reads of one file per run of lint --fix at the most: as a template, as a sibling of another, again after a fix (measured: under 3). */
const READS_PER_FILE = 4;

interface Run extends ProcStats {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  ms: number;
}

function lint(args: string[], cwd: string): Run {
  const stats = path.join(path.dirname(cwd), `stats-${process.hrtime.bigint()}.json`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['-r', EXIT_STATS, CLI, ...args], {
    cwd, encoding: 'utf8', timeout: 60000, env: { ...process.env, PACKER_BAKE_ATTACK_STATS: stats },
  });
  const ms = Date.now() - t0;
  const measured = fs.existsSync(stats) ? (JSON.parse(fs.readFileSync(stats, 'utf8')) as ProcStats) : { rchar: NaN, vmHWM: NaN };
  fs.rmSync(stats, { force: true });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr, ms, ...measured };
}

describe('attack: packer-bake lint on a hostile workspace', function () {
  this.timeout(120000);
  let h: HostileWorkspace;
  /** Bytes the CLI reads linting one small template: Node, the bundle, the template. */
  let baseline: number;

  before(() => {
    assert.ok(fs.existsSync(CLI), 'run `npm run build` first');
    h = HostileWorkspace.build();
    fs.mkdirSync(path.join(h.root, 'plain'));
    fs.writeFileSync(path.join(h.root, 'plain', 't.json'), legacy({ ansible_env_vars: ['ANSIBLE_CONFIG=empty.cfg'] }));
    fs.writeFileSync(path.join(h.root, 'plain', 'empty.cfg'), '');
    const plain = lint(['lint', '--max-file-size', '65536', 't.json'], path.join(h.root, 'plain'));
    assert.equal(plain.code, 1, plain.err);
    baseline = plain.rchar;
  });
  after(() => h?.remove());

  for (const [name, cfg] of Object.entries(SPECIAL_CONFIGS)) {
    it(`reads no more than the limit of ANSIBLE_CONFIG=${cfg} (${name}), and finishes`, () => {
      const limit = 65536;
      const r = lint(['lint', '--format', 'json', '--max-file-size', String(limit), `${name}.json`], path.join(h.ws, 'special'));
      assert.equal(r.signal, null, `finished (${r.ms} ms)`);
      // No finding depends on a config it cannot read; no internal error.
      assert.deepEqual([r.code, r.err, JSON.parse(r.out)], [0, '', []]);
      // Beyond what linting a template with an empty ansible.cfg reads: at most limit + 1 bytes of the special file, plus slack for a longer path.
      assert.ok(r.rchar - baseline <= limit + 1 + 16384, `read ${r.rchar - baseline} bytes beyond the baseline of ${baseline}`);
    });
  }

  it('lint over the whole workspace finishes, reads each file at most a few times within the limit, stays within its memory bound', () => {
    const r = lint(['lint', '--format', 'json', '--', '.'], h.ws);
    assert.equal(r.signal, null, 'finished');
    assert.equal(r.code, 1, r.err);
    const findings = JSON.parse(r.out) as { file: string; rule: string; message: string }[];
    const skipped = findings.filter((f) => f.rule === 'file-skipped').map((f) => `${f.file}: ${f.message}`).sort();
    assert.deepEqual(skipped, [
      'binary/junk1.pkr.hcl: packer-bake skipped this file: it looks binary.',
      'binary/junk2.pkr.hcl: packer-bake skipped this file: it looks binary.',
      'binary/junk3.pkr.hcl: packer-bake skipped this file: it looks binary.',
      'huge/big.pkr.hcl: packer-bake skipped this file: it is larger than 5120 KB (setting packerBake.maxFileSize).',
      'special/sparse.pkr.hcl: packer-bake skipped this file: it is larger than 5120 KB (setting packerBake.maxFileSize).',
    ]);
    // The binary siblings do not hide the template beside them; the name with a newline is reported, escaped.
    assert.ok(findings.some((f) => f.file === 'binary/t.pkr.hcl' && f.rule === 'control-path-unescaped-percent'));
    assert.ok(findings.some((f) => f.file.startsWith('names/line\n') && f.rule === 'control-path-unescaped-percent'));
    const bound = baseline + READS_PER_FILE * (h.readableBytes(DEFAULT_LIMIT) + DEFAULT_LIMIT + 1);
    assert.ok(r.rchar <= bound, `read ${(r.rchar / MiB).toFixed(1)} MiB, bound ${(bound / MiB).toFixed(1)} MiB`);
    assert.ok(r.vmHWM <= CLI_MEMORY, `peak RSS ${(r.vmHWM / MiB).toFixed(0)} MiB`);
  });

  it('--max-file-size cannot be raised above the 64 MiB cap', () => {
    const r = lint(['lint', '--format', 'json', '--max-file-size', String(CAP + 1), '--', 'sparse.pkr.hcl'], path.join(h.ws, 'special'));
    assert.deepEqual([r.code, r.err.split('\n')[0], r.out], [2, `packer-bake: --max-file-size must be a whole number of bytes from 1 to ${CAP}`, ''], r.err);
    const at = lint(['lint', '--format', 'json', '--max-file-size', String(CAP), '--', 'sparse.pkr.hcl'], path.join(h.ws, 'special'));
    assert.deepEqual((JSON.parse(at.out) as { message: string }[]).map((f) => f.message), ['packer-bake skipped this file: it is larger than 65536 KB (setting packerBake.maxFileSize).']);
    assert.ok(at.rchar <= baseline + 1024 * 1024, `read ${(at.rchar / MiB).toFixed(1)} MiB: the 2 GB file is refused by its size, unread`);
  });

  it('lint --fix changes no byte outside the workspace, no byte of a fixed file outside its edits, and reports what it left alone', () => {
    const sentinel = h.sentinel();
    const readonly = fs.readFileSync(path.join(h.ws, 'readonly', 't.pkr.hcl'));
    const r = lint(['lint', '--fix', '--', '.'], h.ws);
    assert.equal(r.signal, null, 'finished');
    assert.deepEqual(h.sentinel(), sentinel, 'the tree outside the workspace is byte for byte what it was');
    // The Latin-1 file: only the fix's bytes changed, the 0xE9 byte survives.
    const latin1 = fs.readFileSync(path.join(h.ws, 'latin1', 't.pkr.hcl'));
    assert.deepEqual(latin1, LATIN1_FIXED);
    const at = LATIN1_TEMPLATE.indexOf('%h');
    assert.deepEqual([latin1.subarray(0, at), latin1.subarray(at + 3)], [LATIN1_TEMPLATE.subarray(0, at), LATIN1_TEMPLATE.subarray(at + 2)]);
    assert.ok(latin1.includes(0xe9));
    assert.equal(fs.readFileSync(path.join(h.ws, 'binary', 't.pkr.hcl'), 'utf8').includes(FIXED), true);
    assert.deepEqual(fs.readFileSync(path.join(h.ws, 'readonly', 't.pkr.hcl')), readonly, 'the read-only file is left alone');
    assert.equal(fs.readFileSync(path.join(h.ws, 'names', '--fix'), 'utf8'), '');
    // Exit 3: a file could not be written; each refusal said, per file.
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /^packer-bake: readonly\/t\.pkr\.hcl: cannot write: it is read-only$/m);
    for (const held of [/outside\/abs\.cfg \(control-path-unescaped-percent\): it is outside the paths given/, /symlinked\/ansible\.cfg .*: a symbolic link .* leads outside/, /dirlink\/cfg\/ansible\.cfg .*: a symbolic link .* leads outside/, /tlink\/link\.pkr\.hcl .*: a symbolic link .* leads outside/]) {
      assert.match(r.err, new RegExp(`^packer-bake: not fixed: .*${held.source}`, 'm'));
    }
    assert.ok(r.vmHWM <= CLI_MEMORY, `peak RSS ${(r.vmHWM / MiB).toFixed(0)} MiB`);
    assert.ok(!fs.readFileSync(path.join(h.ws, 'huge', 'big.pkr.hcl')).includes(FIXED), 'the file above the limit is not rewritten');
    assert.ok(fs.readFileSync(path.join(h.ws, 'huge', 'small.pkr.hcl'), 'utf8').includes(FIXED));
    assert.ok(!fs.readFileSync(path.join(h.root, 'outside', 'real.pkr.hcl'), 'utf8').includes(FIXED));
    assert.ok(fs.readFileSync(path.join(h.root, 'outside', 'real.pkr.hcl'), 'utf8').includes(UNESCAPED));
  });
});
