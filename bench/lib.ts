/** Small helpers shared by the benchmarks: timing, statistics, processes, the machine. */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const root = path.resolve(__dirname, '..');

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank];
}

/**
 * Runs `fn` repeatedly until at least `minMs` has passed (and at least once);
 * returns milliseconds per call. Batching keeps timer resolution out of
 * sub-millisecond figures.
 */
export function perCall(fn: () => void, minMs = 5): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    fn();
    n++;
    t = performance.now();
  } while (t - t0 < minMs);
  return (t - t0) / n;
}

/**
 * Measures a subject against its baseline, interleaved (baseline, subject,
 * baseline, ...) so that a change in machine load hits both alike. Returns
 * the median per-call time of each over `rounds` rounds.
 */
export function versus(baseline: () => void, subject: () => void, rounds = 7, minMs = 5): { baseline: number; subject: number } {
  for (let i = 0; i < 3; i++) {
    baseline();
    subject();
  }
  const b: number[] = [];
  const s: number[] = [];
  for (let r = 0; r < rounds; r++) {
    b.push(perCall(baseline, minMs));
    s.push(perCall(subject, minMs));
  }
  return { baseline: median(b), subject: median(s) };
}

export interface ProcessRun {
  /** Wall-clock milliseconds from spawn to exit. */
  ms: number;
  /** Peak resident set size of the process in MiB (from /usr/bin/time -v). */
  maxRssMiB: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command under /usr/bin/time -v; wall time is measured here, peak RSS
 * comes from time(1). Output goes to files, not pipes: a pipe adds back-pressure
 * the baseline does not have (and the CLI's output to a pipe is cut at 64 KiB
 * when it calls process.exit, see docs/BENCHMARKS.md).
 */
export function runProcess(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProcessRun> {
  const base = path.join(os.tmpdir(), `packer-bake-bench-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const [report, out, err] = ['time', 'out', 'err'].map((x) => `${base}.${x}`);
  const fdOut = fs.openSync(out, 'w');
  const fdErr = fs.openSync(err, 'w');
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-v', '-o', report, cmd, ...args], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', fdOut, fdErr] });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      fs.closeSync(fdOut);
      fs.closeSync(fdErr);
      const read = (f: string) => {
        try {
          return fs.readFileSync(f, 'utf8');
        } catch {
          return '';
        } finally {
          fs.rmSync(f, { force: true });
        }
      };
      const [text, stdout, stderr] = [read(report), read(out), read(err)];
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
      if (!m) return reject(new Error(`/usr/bin/time gave no report for ${cmd} ${args.join(' ')}:\n${text}${stderr}`));
      resolve({ ms, maxRssMiB: Number(m[1]) / 1024, code, stdout, stderr });
    });
  });
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  loadBefore: number[];
  commit: string;
  date: string;
}

export function machine(): Machine {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = m[1].trim();
  } catch {
    /* not Linux */
  }
  let cpus = os.cpus().length;
  try {
    cpus = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    /* keep os.cpus() */
  }
  let osName = `${os.type()} ${os.release()}`;
  try {
    const m = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(fs.readFileSync('/etc/os-release', 'utf8'));
    if (m) osName = `${m[1]} (kernel ${os.release()})`;
  } catch {
    /* keep uname */
  }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    /* not a checkout */
  }
  return {
    cpus,
    cpuModel,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: osName,
    node: process.version,
    loadBefore: os.loadavg().map((x) => Math.round(x * 100) / 100),
    commit,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

/** Deterministic pseudo-random numbers (mulberry32), so generated workspaces are the same every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const fmtMs = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));
export const fmtRatio = (r: number): string => `${r.toFixed(2)}×`;
export const log = (s: string): void => void process.stderr.write(`bench: ${s}\n`);
