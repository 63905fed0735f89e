/**
 * One bake, start to finish, without `vscode`: find the engine, get the
 * container ready (the bundled image, built on first use; the configured
 * image; or the workspace's dev container), ask it for its tool versions, run
 * Packer in it, stream its output as readable text, collect artifacts and
 * error locations, and cancel gracefully. The task's pseudoterminal and the
 * `packer-bake bake` CLI wrap it; tests drive it with a fake engine executable.
 *
 * Every piece of text that leaves a bake (output, progress, the result's
 * strings) passes through the runner's one `SecretMasker`.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { containerName as makeContainerName, toHostPath, workingDirectory, type BakeRequest, type PathMap } from './argv';
import { BakeFailure, type BackendContext, type BakeBackend, type FailureKind } from './backend';
import { ContainerBackend } from './containerBackend';
import { DevcontainerBackend } from './devcontainerBackend';
import type { Engine } from './engine';
import {
  ArtifactCollector, errorLocations, parseMachineLine, phaseOf, renderEvent, type Artifact, type BakePhase,
} from './machineReadable';
import { knownSecrets, maskedCommand, SecretMasker } from './mask';
import { Processes, type SpawnFn } from './processes';
import { containerMode, type BakeSettings, type ContainerMode } from './settings';
import {
  describeToolchain, packerTooOldForInit, PACKER_INIT_SINCE, parseAnsiblePlugin, PROBES, probeWith, type ToolchainVersions,
} from './toolchain';

export type { SpawnFn } from './processes';
export { BakeFailure, type FailureKind } from './backend';

export interface BakeRunnerOptions {
  request: BakeRequest;
  settings: BakeSettings;
  /** Settings that were not used as given (see `checkBakeSettings`), shown first. */
  settingProblems?: string[];
  /** Tags the bundled image (`packer-bake:<version>`). */
  extensionVersion: string;
  /** The bundled image's recipe (the extension's `bake/Dockerfile`). */
  dockerfile: string;
  /**
   * `--build-arg`s for the bundled image (the tests pass stand-in base images
   * here, since no registry is reachable there). They change its tag.
   */
  bundledBuildArgs?: Record<string, string>;
  /** The dev container to bake in (`container: devcontainer`): the workspace folder holding `.devcontainer/`, and optionally another devcontainer.json. */
  devcontainer?: { workspaceFolder: string; config?: string };
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
   * Versions found in each container, by image id, so an image is asked once
   * (the extension keeps them in its global state). Without it, every bake asks.
   */
  toolchainCache?: { get(key: string): ToolchainVersions | undefined; set(key: string, versions: ToolchainVersions): void };
  /**
   * Runs once the container's tool versions are known, before Packer starts;
   * returns why the bake must not go on, or undefined (the CLI's `--fail-on`).
   */
  preflight?: (toolchain: ToolchainVersions) => Promise<string | undefined>;
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
  /** Exit code of Packer (through the engine's `run` or the Dev Containers CLI); null if it never ran or was killed. */
  exitCode: number | null;
  artifacts: Artifact[];
  /** Packer's error messages, with the template locations they name. */
  errors: BakeError[];
  /** Why the bake failed, in a sentence, when it did. */
  failure?: string;
  /** What kind of failure, for the UI to offer the right way out (open a setting...). */
  failureKind?: FailureKind;
  /** Where Packer ran. */
  container?: ContainerMode;
  engine?: Engine;
  /** The image (or `dev container <id>`). */
  image?: string;
  containerName: string;
  /** The exact command that ran Packer, secrets masked, for display. */
  command?: string;
  /** Packer's own last words after a cancel (e.g. `Cleanly cancelled builds after being interrupted.`). */
  cancelMessage?: string;
  /** The container's tool versions, when they could be asked. */
  toolchain?: ToolchainVersions;
  /** Things about the container worth knowing that did not stop the bake. */
  warnings: string[];
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
  private readonly masker: SecretMasker;
  private readonly processes: Processes;
  private readonly outputListeners: Array<Listener<string>> = [];
  private readonly progressListeners: Array<Listener<BakeProgress>> = [];
  private readonly toolchainListeners: Array<Listener<ToolchainVersions>> = [];
  private backend: BakeBackend | undefined;
  private runChild: import('node:child_process').ChildProcess | undefined;
  private runClosed: Promise<void> | undefined;
  private cancelling: Promise<void> | undefined;
  private started = false;

  constructor(private readonly options: BakeRunnerOptions) {
    this.env = options.env ?? process.env;
    this.processes = new Processes(options.spawn, this.env);
    this.containerName = options.containerName ?? makeContainerName(Date.now(), randomBytes(6).toString('hex'));
    this.masker = new SecretMasker(knownSecrets(this.env, options.request.variables));
  }

  /** Readable output (masked; lines end with `\n`). */
  onOutput(listener: Listener<string>): void { this.outputListeners.push(listener); }
  onProgress(listener: Listener<BakeProgress>): void { this.progressListeners.push(listener); }
  /** The versions of Packer, the ansible plugin, ansible-core and OpenSSH in the container, once known. */
  onToolchain(listener: Listener<ToolchainVersions>): void { this.toolchainListeners.push(listener); }

  get cancelled(): boolean { return this.cancelling !== undefined; }

  /** Masks text with this bake's secrets; for anything about the bake that its caller prints itself. */
  mask(text: string): string {
    return this.masker.mask(text);
  }

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

  private warn(s: string): string {
    return this.options.color === false ? `Warning: ${s}` : `\u001b[33mWarning: ${s}\u001b[0m`;
  }

  /** Runs the bake. Call once. Never throws: problems are in the result. */
  async run(): Promise<BakeResult> {
    if (this.started) throw new Error('BakeRunner.run() called twice');
    this.started = true;
    const result: BakeResult = { status: 'failed', exitCode: null, artifacts: [], errors: [], containerName: this.containerName, warnings: [] };
    try {
      await this.runSteps(result);
    } catch (error) {
      result.failure = error instanceof Error ? error.message : String(error);
      result.failureKind = error instanceof BakeFailure ? error.kind : error instanceof Error && error.name === 'BakeSetupError' ? 'setup' : undefined;
    }
    if (this.cancelling) {
      await this.cancelling;
      result.status = 'cancelled';
    } else if (result.exitCode === 0 && !result.failure) {
      result.status = 'succeeded';
    }
    this.maskResult(result);
    this.out(`\n${this.summary(result)}\n`);
    return result;
  }

  /** The one place the result's strings are masked, before anyone shows them. */
  private maskResult(result: BakeResult): void {
    const m = (s: string | undefined) => (s === undefined ? undefined : this.masker.mask(s));
    result.failure = m(result.failure);
    result.cancelMessage = m(result.cancelMessage);
    result.command = m(result.command);
    result.warnings = result.warnings.map((w) => this.masker.mask(w));
    result.errors = result.errors.map((e) => ({ ...e, message: this.masker.mask(e.message) }));
    result.artifacts = result.artifacts.map((a) => ({
      ...a, id: m(a.id), description: m(a.description), files: a.files.map((f) => this.masker.mask(f)),
    }));
  }

  private context(): BackendContext {
    return {
      options: this.options,
      settings: this.options.settings,
      env: this.env,
      processes: this.processes,
      homeDir: this.options.homeDir ?? os.homedir(),
      containerName: this.containerName,
      out: (t) => this.out(t),
      dim: (t) => this.dim(t),
      progress: (p, m) => this.progress(p, m),
      cancelling: () => this.cancelling !== undefined,
    };
  }

  private async runSteps(result: BakeResult): Promise<void> {
    const { request, settings } = this.options;
    const cwd = workingDirectory(request);
    this.out(`${this.dim(`Packer: Bake AMI: ${request.target}${cwd !== request.target ? ` (in ${cwd})` : ''}`)}\n`);
    for (const p of this.options.settingProblems ?? []) this.out(`${this.warn(p)}\n`);
    if (this.cancelling) return;

    const mode = containerMode(settings);
    result.container = mode;
    const ctx = this.context();
    const backend: BakeBackend = mode === 'devcontainer' ? new DevcontainerBackend(ctx) : new ContainerBackend(ctx, mode);
    this.backend = backend;
    try {
      await backend.prepare();
    } finally {
      result.engine = backend.engine;
      result.image = backend.description;
    }
    if (this.cancelling) return;

    const toolchain = await this.toolchain(backend);
    result.toolchain = toolchain;
    if (this.cancelling) return;
    for (const w of await backend.checks()) {
      result.warnings.push(w);
      this.out(`${this.warn(w)}\n`);
    }
    if (request.requiresInit && packerTooOldForInit(toolchain)) {
      throw new BakeFailure('packer-too-old', tooOldMessage(toolchain.packer!, mode));
    }
    if (this.options.preflight) {
      const stop = await this.options.preflight(toolchain);
      if (stop) throw new BakeFailure('preflight', stop);
    }
    if (this.cancelling) return;

    const launch = backend.launch();
    result.command = maskedCommand(this.masker, [launch.file, ...launch.args]);
    this.out(`${this.dim(`$ ${result.command}`)}\n\n`);
    const installed = await this.runPacker(backend, launch.file, launch.args, launch.pathMap, launch.targetArg, result);
    if (installed) await this.refreshPlugins(backend, toolchain);
  }

  /** Asks the container for its tool versions (once per image id when there is a cache) and tells the listeners; never fails the bake. */
  private async toolchain(backend: BakeBackend): Promise<ToolchainVersions> {
    const cache = this.options.toolchainCache;
    const key = await backend.toolchainKey();
    let versions = key ? cache?.get(key) : undefined;
    if (!versions) {
      this.progress('image', `Asking ${backend.description ?? 'the container'} for its Packer, plugin, Ansible and OpenSSH versions`);
      versions = await probeWith((p) => backend.probe(p));
      if (key) cache?.set(key, versions);
    }
    this.tellToolchain(backend, versions);
    return versions;
  }

  private tellToolchain(backend: BakeBackend, versions: ToolchainVersions): void {
    const shown = describeToolchain(versions);
    if (shown) this.out(`${this.dim(`Toolchain in ${backend.description ?? 'the container'}: ${shown}`)}\n`);
    for (const l of this.toolchainListeners) l(versions);
  }

  /** After `packer init` installed plugins, the cached versions lack them: ask again for the plugins. */
  private async refreshPlugins(backend: BakeBackend, before: ToolchainVersions): Promise<void> {
    const plugin = parseAnsiblePlugin((await backend.probe(PROBES.plugins)).stdout);
    if (!plugin || plugin === before.ansiblePlugin) return;
    const versions = { ...before, ansiblePlugin: plugin };
    const key = await backend.toolchainKey();
    if (key) this.options.toolchainCache?.set(key, versions);
    this.tellToolchain(backend, versions);
  }

  /** Runs Packer to its end; true when `packer init` installed plugins. */
  private async runPacker(backend: BakeBackend, file: string, args: string[], pathMap: PathMap, targetArg: string, result: BakeResult): Promise<boolean> {
    const { request } = this.options;
    const artifacts = new ArtifactCollector();
    let phase: BakePhase = request.requiresInit ? 'init' : 'build';
    this.progress(phase, request.requiresInit ? 'packer init' : 'packer build');
    const raw: string[] = [];
    let packerSpoke = false;
    const init = new InitWatcher();

    const onLine = (line: string): void => {
      const ev = parseMachineLine(line);
      if (ev.kind !== 'raw' && !packerSpoke) {
        packerSpoke = true;
        if (phase === 'init') { phase = 'build'; this.progress(phase, 'packer build'); }
      }
      if (ev.kind === 'raw') {
        raw.push(line);
        if (!packerSpoke) {
          const said = init.line(line);
          if (said) this.progress('init', said);
        }
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
          const locations = dedupe(errorLocations(ev.text, targetArg).map((l) => ({ ...l, file: toHostPath(pathMap, l.file) })));
          result.errors.push({ message: ev.text.trim(), locations });
          const rendered = renderEvent(ev, this.options.color !== false);
          if (rendered) this.out(rendered);
          for (const l of locations) this.out(`  at ${l.file}:${l.line}${l.column ? `:${l.column}` : ''}\n`);
          return;
        }
      }
      const rendered = renderEvent(ev, this.options.color !== false);
      if (rendered) this.out(rendered);
    };

    const { child, closed } = this.processes.stream(file, args, onLine);
    this.runChild = child;
    this.runClosed = closed.then(() => undefined);
    const r = await closed;
    if (!this.cancelling) await backend.cleanup();
    result.exitCode = r.code;
    result.artifacts = artifacts.artifacts();
    if (r.error) {
      result.failure = `Could not start ${file}: ${r.error.message}`;
      result.failureKind = backend.mode === 'devcontainer' ? 'devcontainer' : 'engine';
    } else if (r.code !== 0 && !this.cancelling) {
      const why = explainRunFailure(r.code, r.signal, raw, init, result.errors.length > 0, {
        mode: backend.mode, pluginVolume: this.options.settings.pluginVolume,
      });
      result.failure = why.message;
      result.failureKind = why.kind;
    }
    return init.installed.length > 0;
  }

  /**
   * Stops the bake: the backend stops Packer gracefully (SIGTERM, so it cleans
   * up what it launched), then by force, and removes what the bake started.
   * Resolves once Packer's command has ended. Idempotent.
   */
  cancel(): Promise<void> {
    this.cancelling ??= this.doCancel();
    return this.cancelling;
  }

  private async doCancel(): Promise<void> {
    const timeout = this.options.settings.stopTimeoutSeconds;
    const grace = this.options.runExitGraceMs ?? RUN_EXIT_GRACE_MS;
    if (!this.runChild || !this.backend) {
      // Packer has not started: stop whatever is running (image build, `devcontainer up`).
      this.processes.current?.kill('SIGTERM');
      this.out(`\n${this.dim('Cancelled before Packer started.')}\n`);
      return;
    }
    this.progress('cleanup', `Stopping: Packer has ${timeout} s to clean up`);
    this.out(`\n${this.dim(`Cancelling: ${this.backend.describeStop(timeout)} (Packer has ${timeout} s to clean up)`)}\n`);
    await this.backend.stop(this.runClosed!, this.runChild, timeout, grace);
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

/**
 * Reads `packer init`'s own (not machine-readable) output: the plugins it
 * installed, and the one it could not get with the reason it gave.
 */
export class InitWatcher {
  readonly installed: string[] = [];
  failedPlugin: string | undefined;
  readonly failureDetail: string[] = [];
  /** Packer without `packer init` printed its usage instead. */
  noInit = false;

  /** Takes one raw line; returns a progress message when the line says something worth showing. */
  line(text: string): string | undefined {
    if (/^Usage: packer \[--version\]/.test(text)) this.noInit = true;
    const installed = /^Installed plugin (\S+) (v?\S+) in /.exec(text);
    if (installed) {
      this.installed.push(`${installed[1]} ${installed[2]}`);
      return `Installed plugin ${installed[1]} ${installed[2]}`;
    }
    const failed = /^Failed getting the "([^"]+)" plugin:?/.exec(text);
    if (failed) {
      this.failedPlugin ??= failed[1];
      return `Could not get plugin ${failed[1]}`;
    }
    if (this.failedPlugin && text.trim() && this.failureDetail.length < 10) this.failureDetail.push(text.trim());
    return undefined;
  }
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

function tooOldMessage(packer: string, mode: ContainerMode): string {
  const fix = mode === 'devcontainer'
    ? 'Update Packer in the dev container (its Dockerfile or features) to 1.7 or newer'
    : mode === 'image'
      ? 'Set packerBake.bake.image to an image with Packer 1.7 or newer, or use the bundled image (packerBake.bake.container: "bundled")'
      : 'Rebuild the bundled image';
  return `This configuration has required_plugins, which need \`packer init\` (Packer ${PACKER_INIT_SINCE} and later), `
    + `but the container's Packer is ${packer}. ${fix}.`;
}

/** A sentence (and a kind) for a non-zero exit of the command that ran Packer. */
export function explainRunFailure(code: number | null, signal: string | null, raw: string[], init: InitWatcher,
  packerReportedErrors: boolean, where: { mode: ContainerMode; pluginVolume: string }): { message: string; kind: FailureKind } {
  const engineLine = raw.find((l) => /^(docker|podman|Error)[:]|Error response from daemon|Error: /.test(l));
  if (init.noInit) {
    return { kind: 'packer-too-old', message: 'this container\'s Packer has no `packer init` (it needs Packer 1.7 or newer, the configuration has required_plugins): '
      + (where.mode === 'devcontainer' ? 'update Packer in the dev container' : 'set packerBake.bake.image to an image with a newer Packer') };
  }
  if (init.failedPlugin) {
    const detail = init.failureDetail.map((l) => l.replace(/^\* /, '')).find((l) => !/^\d+ errors? occurred:?$/.test(l));
    const cache = where.mode !== 'devcontainer' && where.pluginVolume
      ? ` Once installed, the plugin stays in the volume "${where.pluginVolume}" and later bakes need no network for it.`
      : '';
    return {
      kind: 'init',
      message: `packer init could not install the plugin ${init.failedPlugin}${detail ? `: ${detail}` : ''}. `
        + `The container must reach the plugin's releases (github.com, releases.hashicorp.com) to install it.${cache}`,
    };
  }
  if (code === 125 || (code !== null && code >= 125 && !packerReportedErrors && engineLine)) {
    return { kind: 'engine', message: `the container engine could not run the container: ${engineLine ?? `exit code ${code}`}` };
  }
  if (code === null) return { kind: 'packer', message: `the command was killed (${signal ?? 'unknown signal'})` };
  if (packerReportedErrors) return { kind: 'packer', message: 'Packer reported errors (above)' };
  return { kind: 'packer', message: engineLine ?? `exit code ${code}` };
}
