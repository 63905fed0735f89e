/**
 * Running the bake's helper programs (the container engine's CLI, the Dev
 * Containers CLI) without a shell: to completion with the output collected,
 * or streamed line by line. No `vscode` import; `spawn` is injectable so tests
 * can watch every call.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { ExecFn } from './engine';
import { LineSplitter } from './machineReadable';

export type SpawnFn = (file: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

/** The largest delay Node's timers take (2^31 - 1 ms); a larger one overflows and fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer delay that cannot overflow. */
export function timerMs(ms: number): number {
  return Math.max(0, Math.min(Math.floor(ms), MAX_TIMER_MS));
}

export interface Streamed {
  /** Undefined when the command could not even be spawned (`closed` then carries the error). */
  child?: ChildProcess;
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>;
}

export class Processes {
  /** The command running now that a cancel before Packer starts should stop (image build, `devcontainer up`). */
  current: ChildProcess | undefined;

  constructor(private readonly spawnFn: SpawnFn = nodeSpawn, private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** Runs a command to completion, collecting its output; killed after `timeoutMs`. */
  exec: ExecFn = (file, args, { env, timeoutMs }) => new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let child: ChildProcess;
    try {
      child = this.spawnFn(file, args, { env, shell: false, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      resolve({ code: null, stdout, stderr, error: error as Error });
      return;
    }
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, timerMs(timeoutMs));
    child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.once('error', (error) => { clearTimeout(timer); resolve({ code: null, stdout, stderr, error }); });
    child.once('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });

  /** `exec` with the runner's environment. */
  run(file: string, args: string[], timeoutMs = 60_000) {
    return this.exec(file, args, { env: this.env, timeoutMs });
  }

  /** Spawns a command whose output is streamed line by line to `onLine`. */
  stream(file: string, args: string[], onLine: (line: string, stream: 'stdout' | 'stderr') => void): Streamed {
    let child: ChildProcess;
    try {
      child = this.spawnFn(file, args, { env: this.env, shell: false, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      // spawn() throws for some bad inputs (a NUL in an argument); report it like a failed start.
      return { closed: Promise.resolve({ code: null, signal: null, error: error as Error }) };
    }
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
      const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
      for (const name of ['stdout', 'stderr'] as const) {
        child[name]?.setEncoding('utf8').on('data', (d: string) => { for (const l of splitters[name].push(d)) onLine(l, name); });
      }
      let error: Error | undefined;
      child.once('error', (e) => { error = e; });
      child.once('close', (code, signal) => {
        for (const name of ['stdout', 'stderr'] as const) for (const l of splitters[name].flush()) onLine(l, name);
        resolve({ code, signal, error });
      });
    });
    return { child, closed };
  }

  /** Streams a command as `current` (so a cancel can stop it) and waits for its end. */
  async streamCurrent(file: string, args: string[], onLine: (line: string, stream: 'stdout' | 'stderr') => void) {
    const { child, closed } = this.stream(file, args, onLine);
    this.current = child;
    try {
      return await closed;
    } finally {
      this.current = undefined;
    }
  }
}

/** Resolves true when `p` settles within `ms`, false otherwise. */
export function settles(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timerMs(ms));
    void p.then(() => { clearTimeout(timer); resolve(true); });
  });
}
