/**
 * One bake, start to finish, without `vscode`: find the engine, make sure the
 * image exists (building the bundled one on first use), run Packer in a
 * container, stream its output as readable text, collect artifacts and error
 * locations, and cancel gracefully. The task's pseudoterminal wraps it; tests
 * drive it with a fake engine executable.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  buildRunArgs, bundledImageTag, containerName as makeContainerName, displayCommand, imageBuildArgs,
  imageExistsArgs, removeArgs, stopArgs, toHostPath, type BakeRequest, type PathMap,
} from './argv';
import { detectEngine, EngineError, type Engine, type ExecFn } from './engine';
import {
  ArtifactCollector, errorLocations, LineSplitter, parseMachineLine, phaseOf, renderEvent,
  type Artifact, type BakePhase,
} from './machineReadable';
import { knownSecrets, SecretMasker } from './mask';
import type { BakeSettings } from './settings';
import { probeToolchain, type ToolchainVersions } from './toolchain';

export type SpawnFn = (file: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export interface BakeRunnerOptions {
  request: BakeRequest;
  settings: BakeSettings;
  /** Tags the bundled image (`packer-bake:<version>`). */
  extensionVersion: string;
  /** The bundled image's recipe (the extension's `bake/Dockerfile`). */
  dockerfile: string;
  /** Environment of every engine command; defaults to the process's, unchanged. */
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  spawn?: SpawnFn;
  /** ANSI colours in the output (the terminal wants them, logs do not). */
  color?: boolean;
  /** Unique container name; generated when absent. */
  containerName?: string;
  /** After a stop, how long to wait for the engine's `run` to end before trying again (tests shorten it). */
  runExitGraceMs?: number;
  /**
   * Versions found in each image, by image id, so an image is asked once
   * (the extension keeps them in its global state). Without it, no probing.
   */
  toolchainCache?: { get(imageId: string): ToolchainVersions | undefined; set(imageId: string, versions: ToolchainVersions): void };
}

export interface HostLocation {
  /** Host path of the file. */
  file: string;
  line: number;
  column?: number;
}

export interface BakeError {
  message: string;
  locations: HostLocation[];
}

export interface BakeResult {
  status: 'succeeded' | 'failed' | 'cancelled';
  /** Exit code of the engine's `run` (Packer's, through the init process); null if it never ran or was killed. */
  exitCode: number | null;
  artifacts: Artifact[];
  /** Packer's error messages, with the template locations they name. */
  errors: BakeError[];
  /** Why the bake failed, in a sentence, when it did. */
  failure?: string;
  engine?: Engine;
  image?: string;
  containerName: string;
  /** The exact `run` command, secrets masked, for display. */
  command?: string;
  /** Packer's own last words after a cancel (e.g. `Cleanly cancelled builds after being interrupted.`). */
  cancelMessage?: string;
}

export interface BakeProgress {
  phase: BakePhase;
  message: string;
}

type Listener<T> = (value: T) => void;

/** How long to wait for the engine's `run` to end after the container is gone, before killing the CLI. */
const RUN_EXIT_GRACE_MS = 5_000;

export class BakeRunner {
  readonly containerName: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly spawnFn: SpawnFn;
  private readonly masker: SecretMasker;
  private readonly outputListeners: Array<Listener<string>> = [];
  private readonly progressListeners: Array<Listener<BakeProgress>> = [];
  private readonly toolchainListeners: Array<Listener<ToolchainVersions>> = [];
  private engine: Engine | undefined;
  /** The engine command running now (version, image inspect/build, run). */
  private current: ChildProcess | undefined;
  private runChild: ChildProcess | undefined;
  private runClosed: Promise<void> | undefined;
  private cancelling: Promise<void> | undefined;
  private started = false;

  constructor(private readonly options: BakeRunnerOptions) {
    this.env = options.env ?? process.env;
    this.spawnFn = options.spawn ?? nodeSpawn;
    this.containerName = options.containerName ?? makeContainerName(Date.now(), randomBytes(6).toString('hex'));
    this.masker = new SecretMasker(knownSecrets(this.env, options.request.variables));
  }

  /** Readable output (masked; lines end with `\n`). */
  onOutput(listener: Listener<string>): void { this.outputListeners.push(listener); }
  onProgress(listener: Listener<BakeProgress>): void { this.progressListeners.push(listener); }
  /** The versions of Packer, the ansible plugin and OpenSSH in the image, once known. */
  onToolchain(listener: Listener<ToolchainVersions>): void { this.toolchainListeners.push(listener); }

  get cancelled(): boolean { return this.cancelling !== undefined; }

  private out(text: string): void {
    const masked = this.masker.mask(text);
    for (const l of this.outputListeners) l(masked);
  }

  private progress(phase: BakePhase, message: string): void {
    const p = { phase, message: this.masker.mask(message) };
    for (const l of this.progressListeners) l(p);
  }

  private dim(s: string): string {
    return this.options.color === false ? s : `\u001b[2m${s}\u001b[0m`;
  }

  /** Runs an engine command to completion, collecting its output (stdout optionally streamed). */
  private exec: ExecFn = (file, args, { env, timeoutMs }) => new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let child: ChildProcess;
    try {
      child = this.spawnFn(file, args, { env, shell: false, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      resolve({ code: null, stdout, stderr, error: error as Error });
      return;
    }
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, timeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.once('error', (error) => { clearTimeout(timer); resolve({ code: null, stdout, stderr, error }); });
    child.once('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });

  /** Spawns an engine command whose output is streamed line by line to `onLine`. */
  private stream(file: string, args: string[], onLine: (line: string, stream: 'stdout' | 'stderr') => void):
    { child: ChildProcess; closed: Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }> } {
    const child = this.spawnFn(file, args, { env: this.env, shell: false, stdio: ['ignore', 'pipe', 'pipe'] });
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

  /** Runs the bake. Call once. Never throws: problems are in the result. */
  async run(): Promise<BakeResult> {
    if (this.started) throw new Error('BakeRunner.run() called twice');
    this.started = true;
    const result: BakeResult = { status: 'failed', exitCode: null, artifacts: [], errors: [], containerName: this.containerName };
    try {
      await this.runSteps(result);
    } catch (error) {
      result.failure = error instanceof Error ? error.message : String(error);
    }
    if (this.cancelling) {
      await this.cancelling;
      result.status = 'cancelled';
    } else if (result.exitCode === 0 && !result.failure) {
      result.status = 'succeeded';
    }
    if (result.failure) result.failure = this.masker.mask(result.failure);
    this.out(`\n${this.summary(result)}\n`);
    return result;
  }

  private async runSteps(result: BakeResult): Promise<void> {
    const { request, settings } = this.options;
    this.out(`${this.dim(`Packer: Bake AMI: ${request.template}`)}\n`);

    this.progress('engine', 'Finding the container engine');
    let engine: Engine;
    try {
      engine = await detectEngine(settings, this.env, this.exec);
    } catch (error) {
      if (error instanceof EngineError) throw error;
      throw new Error(`Could not run the container engine: ${(error as Error).message}`);
    }
    this.engine = result.engine = engine;
    this.out(`${this.dim(`Engine: ${engine.kind} ${engine.version}${engine.podmanApi ? ' (Podman\'s Docker API)' : ''} (${engine.path})`)}\n`);
    if (this.cancelling) return;

    const image = settings.image || bundledImageTag(this.options.extensionVersion);
    result.image = image;
    if (!settings.image) await this.ensureBundledImage(engine, image);
    if (this.cancelling) return;
    await this.reportToolchain(engine, image);
    if (this.cancelling) return;

    const env = this.env;
    const homeDir = this.options.homeDir ?? os.homedir();
    const plan = buildRunArgs({
      request, settings, image, containerName: this.containerName, env, homeDir,
      awsDirExists: isDirectory(path.join(homeDir, '.aws')),
      autoRemove: !engine.podmanApi,
    });
    result.command = this.masker.mask(displayCommand([engine.path, ...plan.args]));
    this.out(`${this.dim(`$ ${result.command}`)}\n\n`);
    await this.runContainer(engine, plan.args, plan.pathMap, plan.templateArg, result);
  }

  /** Asks the image for its tool versions (once per image id) and tells the listeners; never fails the bake. */
  private async reportToolchain(engine: Engine, image: string): Promise<void> {
    const cache = this.options.toolchainCache;
    if (!cache || this.toolchainListeners.length === 0) return;
    const inspected = await this.exec(engine.path, imageExistsArgs(image), { env: this.env, timeoutMs: 60_000 });
    const id = inspected.code === 0 ? inspected.stdout.trim() : '';
    if (!id) return;
    let versions = cache.get(id);
    if (!versions) {
      this.progress('image', `Asking ${image} for its Packer, Ansible plugin and OpenSSH versions`);
      versions = await probeToolchain(engine.path, image, this.exec, this.env);
      cache.set(id, versions);
    }
    const shown = Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ');
    if (shown) this.out(`${this.dim(`Toolchain in ${image}: ${shown}`)}\n`);
    for (const l of this.toolchainListeners) l(versions);
  }

  private async ensureBundledImage(engine: Engine, image: string): Promise<void> {
    this.progress('image', `Checking for image ${image}`);
    const found = await this.exec(engine.path, imageExistsArgs(image), { env: this.env, timeoutMs: 60_000 });
    if (found.code === 0 || this.cancelling) return;
    const contextDir = path.dirname(this.options.dockerfile);
    const args = imageBuildArgs(image, this.options.dockerfile, contextDir);
    this.progress('image', `Building image ${image} (first use)`);
    this.out(`${this.dim(`Building the bake image ${image} (first use of this extension version):`)}\n`);
    this.out(`${this.dim(`$ ${displayCommand([engine.path, ...args])}`)}\n`);
    let tail: string[] = [];
    const { child, closed } = this.stream(engine.path, args, (line) => {
      this.out(`${line}\n`);
      tail = [...tail.slice(-19), line];
      const step = /^(?:STEP|Step) (\d+\/\d+)|^#\d+ \[[^\]]*?(\d+\/\d+)\]/.exec(line);
      if (step) this.progress('image', `Building image ${image}: step ${step[1] ?? step[2]}`);
    });
    this.current = child;
    const r = await closed;
    this.current = undefined;
    if (this.cancelling) return;
    if (r.code !== 0) {
      const why = r.error ? r.error.message : lastMeaningful(tail) ?? `exit code ${r.code}`;
      throw new Error(`Building the bake image ${image} failed: ${why}. Set packerBake.bake.image to use an existing image instead.`);
    }
    this.out('\n');
  }

  private async runContainer(engine: Engine, args: string[], pathMap: PathMap, templateArg: string, result: BakeResult): Promise<void> {
    const { request } = this.options;
    const artifacts = new ArtifactCollector();
    let phase: BakePhase = request.requiresInit ? 'init' : 'build';
    this.progress(phase, request.requiresInit ? 'packer init' : 'packer build');
    const raw: string[] = [];
    let packerSpoke = false;
    let sawInitUsage = false;

    const onLine = (line: string): void => {
      const ev = parseMachineLine(line);
      if (ev.kind !== 'raw' && !packerSpoke) {
        packerSpoke = true;
        if (phase === 'init') { phase = 'build'; this.progress(phase, 'packer build'); }
      }
      if (ev.kind === 'raw') {
        raw.push(line);
        if (/^Usage: packer \[--version\]/.test(line)) sawInitUsage = true;
      }
      artifacts.add(ev);
      if (ev.kind === 'ui') {
        if (ev.level === 'say') {
          const message = ev.text.trim().replace(/^==> /, '');
          const p = phaseOf(message);
          if (p) phase = p;
          if (message) this.progress(phase, message.split('\n')[0].slice(0, 200));
          if (this.cancelling && /cancel/i.test(message)) result.cancelMessage = message;
        }
        if (ev.level === 'error') {
          const locations = dedupe(errorLocations(ev.text, templateArg).map((l) => ({ ...l, file: toHostPath(pathMap, l.file) })));
          result.errors.push({ message: this.masker.mask(ev.text.trim()), locations });
          const rendered = renderEvent(ev, this.options.color !== false);
          if (rendered) this.out(rendered);
          for (const l of locations) this.out(`  at ${l.file}:${l.line}${l.column ? `:${l.column}` : ''}\n`);
          return;
        }
      }
      const rendered = renderEvent(ev, this.options.color !== false);
      if (rendered) this.out(rendered);
    };

    const { child, closed } = this.stream(engine.path, args, onLine);
    this.runChild = child;
    this.current = child;
    this.runClosed = closed.then(() => undefined);
    const r = await closed;
    this.current = undefined;
    // Without --rm (Podman's Docker API) the stopped container is ours to remove; with --rm this is a no-op.
    if (!this.cancelling) await this.exec(engine.path, removeArgs(this.containerName), { env: this.env, timeoutMs: 60_000 });
    result.exitCode = r.code;
    result.artifacts = artifacts.artifacts();
    if (r.error) {
      result.failure = `Could not start ${engine.path}: ${r.error.message}`;
    } else if (r.code !== 0 && !this.cancelling) {
      result.failure = explainRunFailure(r.code, r.signal, raw, sawInitUsage, result.errors.length > 0);
    }
  }

  /**
   * Stops the bake. While the container runs: `<engine> stop -t N` (SIGTERM to
   * the init process, which hands it to Packer; Packer's wrapper forwards only
   * SIGTERM to its worker, which cancels the build and cleans up what it
   * launched), then `<engine> rm -f`, so no container is left behind.
   * Resolves once the engine's `run` has ended. Idempotent.
   */
  cancel(): Promise<void> {
    this.cancelling ??= this.doCancel();
    return this.cancelling;
  }

  private async doCancel(): Promise<void> {
    const timeout = this.options.settings.stopTimeoutSeconds;
    const grace = this.options.runExitGraceMs ?? RUN_EXIT_GRACE_MS;
    if (!this.runChild) {
      // Not yet running a container: stop whatever engine command is running (image build, probe).
      this.current?.kill('SIGTERM');
      this.out(`\n${this.dim('Cancelled before the container started.')}\n`);
      return;
    }
    const engine = this.engine!;
    const run = this.runClosed!;
    this.progress('cleanup', `Stopping: Packer has ${timeout} s to clean up`);
    this.out(`\n${this.dim(`Cancelling: ${displayCommand([engine.path, ...stopArgs(this.containerName, timeout)])} (Packer has ${timeout} s to clean up)`)}\n`);
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.exec(engine.path, stopArgs(this.containerName, timeout), { env: this.env, timeoutMs: (timeout + 60) * 1000 });
      await this.exec(engine.path, removeArgs(this.containerName), { env: this.env, timeoutMs: 60_000 });
      // The container may not have existed yet when stop ran: then `run` is still going and we go again.
      if (await settles(run, grace)) return;
    }
    this.runChild.kill('SIGKILL');
    await this.exec(engine.path, removeArgs(this.containerName), { env: this.env, timeoutMs: 60_000 });
    await settles(run, grace);
  }

  private summary(result: BakeResult): string {
    const lines: string[] = [];
    if (result.status === 'cancelled') {
      lines.push(`Bake cancelled${result.exitCode !== null ? ` (exit code ${result.exitCode})` : ''}.`);
    } else if (result.status === 'succeeded') {
      const amis = result.artifacts.flatMap((a) => a.amis);
      if (amis.length > 0) for (const a of amis) lines.push(`Baked ${a.ami} in ${a.region}`);
      else lines.push(`Bake finished: ${result.artifacts.length} artifact(s)${result.artifacts.map((a) => `\n  ${a.target}: ${a.id ?? a.description ?? ''}`).join('')}`);
    } else {
      lines.push(`Bake failed${result.exitCode !== null ? ` (exit code ${result.exitCode})` : ''}: ${result.failure ?? 'see the output above'}`);
    }
    const text = lines.join('\n');
    if (this.options.color === false) return text;
    const colour = result.status === 'succeeded' ? '32' : result.status === 'cancelled' ? '33' : '31';
    return `\u001b[1;${colour}m${text}\u001b[0m`;
  }
}

function isDirectory(p: string): boolean {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}

function settles(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void p.then(() => { clearTimeout(timer); resolve(true); });
  });
}

function dedupe(locations: HostLocation[]): HostLocation[] {
  const seen = new Set<string>();
  return locations.filter((l) => {
    const k = `${l.file}:${l.line}:${l.column ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function lastMeaningful(lines: string[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i].trim();
    if (l && !/^(#\d+ )?(DONE|CACHED)/.test(l)) return l;
  }
  return undefined;
}

/** A sentence for a non-zero exit of the engine's `run`. */
export function explainRunFailure(code: number | null, signal: string | null, raw: string[], initMissing: boolean,
  packerReportedErrors: boolean): string {
  const engineLine = raw.find((l) => /^(docker|podman|Error)[:]|Error response from daemon|Error: /.test(l));
  if (initMissing) {
    return 'this image\'s Packer has no `packer init` (it needs Packer 1.7 or newer, the template has required_plugins): '
      + 'set packerBake.bake.image to an image with a newer Packer';
  }
  if (code === 125 || (code !== null && code >= 125 && !packerReportedErrors && engineLine)) {
    return `the container engine could not run the container: ${engineLine ?? `exit code ${code}`}`;
  }
  if (code === null) return `the engine command was killed (${signal ?? 'unknown signal'})`;
  if (packerReportedErrors) return 'Packer reported errors (above)';
  return engineLine ?? `exit code ${code}`;
}
