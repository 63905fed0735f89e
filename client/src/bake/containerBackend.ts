/**
 * Packer in a container the bake starts itself (`<engine> run`): the bundled
 * image, built on first use from the extension's `bake/Dockerfile`, or the
 * image in `packerBake.bake.image`. No `vscode` import.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  buildRunArgs, bundledImageTag, CONTAINER_PLUGIN_PATH, displayCommand, imageBuildArgs, imageExistsArgs, removeArgs, stopArgs,
} from './argv';
import { BakeFailure, type BackendContext, type BakeBackend, type PackerLaunch } from './backend';
import { detectEngine, EngineError, type Engine, type ExecResult } from './engine';
import { settles } from './processes';
import type { Probe } from './toolchain';

export class ContainerBackend implements BakeBackend {
  engine: Engine | undefined;
  private image = '';

  constructor(private readonly ctx: BackendContext, readonly mode: 'bundled' | 'image') {}

  get description(): string | undefined { return this.image || undefined; }

  async prepare(): Promise<void> {
    this.engine = await findEngine(this.ctx);
    if (this.ctx.cancelling()) return;
    const { settings, options } = this.ctx;
    if (this.mode === 'image') {
      if (!settings.image) {
        throw new BakeFailure('image', 'packerBake.bake.container is "image", but packerBake.bake.image names no image. Set it to the image to run Packer in.');
      }
      this.image = settings.image;
      await this.ensureImage();
    } else {
      this.image = bundledImageTag(options.extensionVersion, options.bundledBuildArgs);
      await this.ensureBundledImage();
    }
  }

  private pluginMount(): string[] {
    const v = this.ctx.settings.pluginVolume;
    return v ? ['-v', `${v}:${CONTAINER_PLUGIN_PATH}`, '-e', `PACKER_PLUGIN_PATH=${CONTAINER_PLUGIN_PATH}`] : [];
  }

  async toolchainKey(): Promise<string | undefined> {
    const r = await this.ctx.processes.run(this.engine!.path, imageExistsArgs(this.image));
    const id = r.code === 0 ? r.stdout.trim() : '';
    return id || undefined;
  }

  probe(p: Probe): Promise<ExecResult> {
    const args = ['run', '--rm', '--network', 'none', ...this.pluginMount(), '--entrypoint', p.binary, this.image, ...p.args];
    return this.ctx.processes.run(this.engine!.path, args);
  }

  async checks(): Promise<string[]> {
    return [];
  }

  launch(): PackerLaunch {
    const { options, settings, env, homeDir, containerName } = this.ctx;
    const plan = buildRunArgs({
      request: options.request, settings, image: this.image, containerName, env, homeDir,
      awsDirExists: isDirectory(path.join(homeDir, '.aws')),
      autoRemove: !this.engine!.podmanApi,
    });
    return { file: this.engine!.path, args: plan.args, pathMap: plan.pathMap, targetArg: plan.targetArg };
  }

  async cleanup(): Promise<void> {
    // Without --rm (Podman's Docker API) the stopped container is ours to remove; with --rm this is a no-op.
    await this.ctx.processes.run(this.engine!.path, removeArgs(this.ctx.containerName));
  }

  describeStop(timeoutSeconds: number): string {
    return displayCommand([this.engine!.path, ...stopArgs(this.ctx.containerName, timeoutSeconds)]);
  }

  /**
   * `<engine> stop -t N` (SIGTERM to the init process, which hands it to
   * Packer; Packer's wrapper forwards only SIGTERM to its worker, which
   * cancels the build and cleans up what it launched), then `<engine> rm -f`,
   * so no container is left behind.
   */
  async stop(run: Promise<void>, runChild: ChildProcess | undefined, timeoutSeconds: number, graceMs: number): Promise<void> {
    const engine = this.engine!.path;
    const { processes, containerName } = this.ctx;
    for (let attempt = 0; attempt < 3; attempt++) {
      await processes.run(engine, stopArgs(containerName, timeoutSeconds), (timeoutSeconds + 60) * 1000);
      await processes.run(engine, removeArgs(containerName));
      // The container may not have existed yet when stop ran: then `run` is still going and we go again.
      if (await settles(run, graceMs)) return;
    }
    runChild?.kill('SIGKILL');
    await processes.run(engine, removeArgs(containerName));
    await settles(run, graceMs);
  }

  /** The configured image: used when the engine has it, else pulled (with its progress shown). */
  private async ensureImage(): Promise<void> {
    const { processes, out, dim, progress } = this.ctx;
    const engine = this.engine!;
    progress('image', `Checking for image ${this.image}`);
    if ((await processes.run(engine.path, imageExistsArgs(this.image))).code === 0 || this.ctx.cancelling()) return;
    progress('image', `Pulling image ${this.image}`);
    out(`${dim(`$ ${displayCommand([engine.path, 'pull', this.image])}`)}\n`);
    const tail: string[] = [];
    const r = await processes.streamCurrent(engine.path, ['pull', this.image], (line) => { out(`${line}\n`); tail.push(line); tail.splice(0, tail.length - 20); });
    if (this.ctx.cancelling()) return;
    if (r.code !== 0) {
      const why = r.error ? r.error.message : lastMeaningful(tail) ?? `exit code ${r.code}`;
      throw new BakeFailure('image', `The image ${this.image} (packerBake.bake.image) is not on this engine and could not be pulled: ${why}`);
    }
  }

  private async ensureBundledImage(): Promise<void> {
    const { processes, out, dim, progress, options } = this.ctx;
    const engine = this.engine!;
    progress('image', `Checking for image ${this.image}`);
    if ((await processes.run(engine.path, imageExistsArgs(this.image))).code === 0 || this.ctx.cancelling()) return;
    const args = imageBuildArgs(this.image, options.dockerfile, path.dirname(options.dockerfile), options.bundledBuildArgs);
    progress('image', `Building image ${this.image} (first use)`);
    out(`${dim(`Building the bake image ${this.image} (first use of this extension version):`)}\n`);
    out(`${dim(`$ ${displayCommand([engine.path, ...args])}`)}\n`);
    const tail: string[] = [];
    const r = await processes.streamCurrent(engine.path, args, (line) => {
      out(`${line}\n`);
      tail.push(line);
      tail.splice(0, tail.length - 20);
      const step = /^(?:STEP|Step) (\d+\/\d+)|^#\d+ \[[^\]]*?(\d+\/\d+)\]/.exec(line);
      if (step) progress('image', `Building image ${this.image}: step ${step[1] ?? step[2]}`);
    });
    if (this.ctx.cancelling()) return;
    if (r.code !== 0) {
      const why = r.error ? r.error.message : lastMeaningful(tail) ?? `exit code ${r.code}`;
      throw new BakeFailure('image', `Building the bake image ${this.image} failed: ${why}. Set packerBake.bake.image to use an existing image instead.`);
    }
    out('\n');
  }
}

/** Finds the container engine, as a BakeFailure the user can act on. */
export async function findEngine(ctx: BackendContext): Promise<Engine> {
  ctx.progress('engine', 'Finding the container engine');
  let engine: Engine;
  try {
    engine = await detectEngine(ctx.settings, ctx.env, ctx.processes.exec);
  } catch (error) {
    throw new BakeFailure('engine', error instanceof EngineError ? error.message : `Could not run the container engine: ${(error as Error).message}`);
  }
  ctx.out(`${ctx.dim(`Engine: ${engine.kind} ${engine.version}${engine.podmanApi ? ' (Podman\'s Docker API)' : ''} (${engine.path})`)}\n`);
  return engine;
}

function isDirectory(p: string): boolean {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}

/** The last line of a command's output worth quoting (not a build step's DONE/CACHED). */
export function lastMeaningful(lines: string[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i].trim();
    if (l && !/^(#\d+ )?(DONE|CACHED)/.test(l)) return l;
  }
  return undefined;
}
