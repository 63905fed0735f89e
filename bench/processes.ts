/**
 * Measures (c) and (d): the bundled CLI as a whole process (start-up, wasm
 * load, walk, read, analyse, print) against a baseline process, interleaved,
 * median wall time and peak RSS of several runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { corpusDir } from '../test/support/corpus';
import { median, root, runProcess, type ProcessRun } from './lib';
import { generateWorkspace, type Workspace, type WorkspaceSpec } from './workspace';

export interface ProcessFigure {
  ms: number;
  maxRssMiB: number;
  runs: number[];
}

function summarize(runs: ProcessRun[]): ProcessFigure {
  return { ms: median(runs.map((r) => r.ms)), maxRssMiB: Math.max(...runs.map((r) => r.maxRssMiB)), runs: runs.map((r) => Math.round(r.ms)) };
}

export interface LintVsValidate {
  lint: ProcessFigure;
  validate: ProcessFigure;
  /** `packer validate` of a template with no provisioner: Packer's own start, without the ansible-playbook --version its ansible provisioner runs. */
  validateBare?: ProcessFigure;
  lintedFiles: number;
  findings: number;
  packerVersion: string;
  template: string;
}

/** (c) `packer-bake lint <corpus>` vs one `packer validate` of one small template. */
export async function lintVsValidate(cli: string, runs: number): Promise<LintVsValidate> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-bench-validate-'));
  try {
    // The smallest realistic template: the clean example (an amazon-ebs builder and an ansible provisioner).
    for (const f of ['template.json', 'playbook.yml']) fs.copyFileSync(path.join(root, 'examples', 'fixed', f), path.join(tmp, f));
    // Favour the baseline: no update check over the network.
    const env = { ...process.env, CHECKPOINT_DISABLE: '1' };
    const packerVersion = (await runProcess('packer', ['version'], { env })).stdout.trim().split('\n')[0];
    const validate = () => runProcess('packer', ['validate', 'template.json'], { cwd: tmp, env });
    fs.writeFileSync(path.join(tmp, 'bare.json'), `${JSON.stringify({ builders: [{ type: 'null', communicator: 'none' }] })}\n`);
    const validateBare = () => runProcess('packer', ['validate', 'bare.json'], { cwd: tmp, env });
    const lint = () => runProcess(process.execPath, [cli, 'lint', '--format', 'json', corpusDir], { cwd: tmp });
    const v0 = await validate();
    if (v0.code !== 0) throw new Error(`packer validate failed: ${v0.stdout}${v0.stderr}`);
    const l0 = await lint();
    if (l0.code !== 0 && l0.code !== 1) throw new Error(`packer-bake lint failed (${l0.code}): ${l0.stderr}`);
    const findings = (JSON.parse(l0.stdout) as { file: string }[]);
    if ((await validateBare()).code !== 0) throw new Error('packer validate bare.json failed');
    const v: ProcessRun[] = [];
    const vb: ProcessRun[] = [];
    const l: ProcessRun[] = [];
    for (let i = 0; i < runs; i++) {
      v.push(await validate());
      vb.push(await validateBare());
      l.push(await lint());
    }
    // Count the files the CLI reads (every *.json / *.pkr.hcl / *.pkr.json under the corpus).
    const walk = (d: string): number => fs.readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? (e.name.startsWith('.') || e.name === 'node_modules' ? 0 : walk(path.join(d, e.name))) : /\.(json|pkr\.hcl)$/i.test(e.name) ? 1 : 0), 0);
    return { lint: summarize(l), validate: summarize(v), validateBare: summarize(vb), lintedFiles: walk(corpusDir), findings: findings.length, packerVersion, template: 'examples/fixed/template.json' };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export interface WorkspaceFigures {
  workspace: Omit<Workspace, 'dir'>;
  spec: WorkspaceSpec;
  /** The default: worker threads, one per core. */
  lint: ProcessFigure;
  /** `--jobs 1`: one thread. */
  lintOneThread?: ProcessFigure;
  threads?: number;
  bare: ProcessFigure;
  lintExit: number | null;
  findings: number;
}

/** (d) lint of a generated workspace vs the same files parsed bare, both as processes. */
export async function workspaceLint(cli: string, bareParse: string, spec: WorkspaceSpec, runs: number): Promise<WorkspaceFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-bench-ws-'));
  try {
    const ws = generateWorkspace(path.join(dir, 'ws'), spec);
    const lint = () => runProcess(process.execPath, [cli, 'lint', '--format', 'json', '--verbose', 'ws'], { cwd: dir });
    const lintOne = () => runProcess(process.execPath, [cli, 'lint', '--format', 'json', '--jobs', '1', 'ws'], { cwd: dir });
    const bare = () => runProcess(process.execPath, [bareParse, 'ws'], { cwd: dir });
    // Warm the page cache and check both work.
    const b0 = await bare();
    if (b0.code !== 0) throw new Error(`bare parse failed: ${b0.stderr}`);
    const l0 = await lint();
    if (l0.code !== 0 && l0.code !== 1) throw new Error(`packer-bake lint failed (${l0.code}): ${l0.stderr}`);
    const findings = (JSON.parse(l0.stdout) as unknown[]).length;
    const threads = Number(/on (\d+) threads?/.exec(l0.stderr)?.[1]);
    const one0 = await lintOne();
    if (one0.stdout !== l0.stdout) throw new Error('packer-bake lint --jobs 1 printed something else than with threads');
    const l: ProcessRun[] = [];
    const l1: ProcessRun[] = [];
    const b: ProcessRun[] = [];
    for (let i = 0; i < runs; i++) {
      b.push(await bare());
      l.push(await lint());
      l1.push(await lintOne());
    }
    const { dir: _dir, ...workspace } = ws;
    return { workspace, spec, lint: summarize(l), lintOneThread: summarize(l1), threads, bare: summarize(b), lintExit: l0.code, findings };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
