/**
 * Packer in the workspace's dev container, through the Dev Containers CLI
 * (see `devcontainer.ts` for the commands). No `vscode` import.
 */
import type { ChildProcess } from 'node:child_process';
import { displayCommand, fixedEnv, workingDirectory } from './argv';
import { BakeFailure, type BackendContext, type BakeBackend, type PackerLaunch } from './backend';
import { findEngine, lastMeaningful } from './containerBackend';
import {
  DEVCONTAINER_CLEANUP_SCRIPT, DEVCONTAINER_SIGNAL_SCRIPT, devcontainerExecArgs, devcontainerPidFile, devcontainerPlan, devcontainerUpArgs,
  parseDevcontainerUp, tmpIsMounted, type DevcontainerTarget, type DevcontainerUp,
} from './devcontainer';
import { findExecutable, type Engine, type ExecResult } from './engine';
import { settles } from './processes';
import type { Probe } from './toolchain';

/** What to say when the Dev Containers CLI is not there. */
export const DEVCONTAINER_CLI_MISSING = 'The Dev Containers CLI (devcontainer) is not installed: install it with `npm install -g @devcontainers/cli` '
  + '(or "Dev Containers: Install devcontainer CLI" in VS Code), or set packerBake.bake.devcontainerPath.';

export class DevcontainerBackend implements BakeBackend {
  readonly mode = 'devcontainer' as const;
  engine: Engine | undefined;
  private cli = '';
  private target: DevcontainerTarget;
  private up: DevcontainerUp | undefined;
  private readonly pidFile: string;

  constructor(private readonly ctx: BackendContext) {
    const dc = ctx.options.devcontainer;
    if (!dc) throw new BakeFailure('devcontainer', 'A dev container bake needs the workspace folder that holds .devcontainer/devcontainer.json.');
    this.target = { ...dc };
    this.pidFile = devcontainerPidFile(ctx.containerName);
  }

  get description(): string | undefined {
    return this.up?.containerId ? `dev container ${this.up.containerId.slice(0, 12)}` : undefined;
  }

  async prepare(): Promise<void> {
    const { settings, env, processes, out, dim, progress } = this.ctx;
    this.engine = await findEngine(this.ctx);
    this.target.dockerPath = this.engine.path;
    const cli = settings.devcontainerPath || findExecutable('devcontainer', env);
    if (!cli) throw new BakeFailure('devcontainer', DEVCONTAINER_CLI_MISSING);
    this.cli = cli;
    if (this.ctx.cancelling()) return;

    progress('image', 'Starting the dev container (devcontainer up)');
    const args = devcontainerUpArgs(this.target);
    out(`${dim(`$ ${displayCommand([cli, ...args])}`)}\n`);
    let stdout = '';
    const tail: string[] = [];
    const r = await processes.streamCurrent(cli, args, (line, stream) => {
      if (stream === 'stdout') stdout += `${line}\n`;
      if (stream === 'stderr' || !line.startsWith('{')) {
        out(`${dim(line)}\n`);
        tail.push(line);
        tail.splice(0, tail.length - 20);
      }
    });
    if (this.ctx.cancelling()) return;
    if (r.error) {
      const enoent = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new BakeFailure('devcontainer', enoent ? DEVCONTAINER_CLI_MISSING : `Could not run ${cli}: ${r.error.message}`);
    }
    const up = parseDevcontainerUp(stdout);
    if (r.code !== 0 || !up || up.outcome !== 'success' || !up.remoteWorkspaceFolder) {
      const why = up?.message ?? up?.description ?? lastMeaningful(tail) ?? `exit code ${r.code}`;
      throw new BakeFailure('devcontainer', `The dev container of ${this.target.workspaceFolder} did not start (devcontainer up): ${why}`);
    }
    this.up = up;
    out(`${dim(`Dev container ${up.containerId?.slice(0, 12) ?? '?'}: workspace at ${up.remoteWorkspaceFolder}${up.remoteUser ? `, user ${up.remoteUser}` : ''}`)}\n`);
  }

  private exec(command: string[], timeoutMs = 120_000): Promise<ExecResult> {
    return this.ctx.processes.run(this.cli, devcontainerExecArgs(this.target, {}, command), timeoutMs);
  }

  async toolchainKey(): Promise<string | undefined> {
    return this.up?.containerId ? `devcontainer:${this.up.containerId}` : undefined;
  }

  probe(p: Probe): Promise<ExecResult> {
    return this.exec([p.binary, ...p.args]);
  }

  async checks(): Promise<string[]> {
    const mounts = await this.exec(['cat', '/proc/mounts']);
    if (mounts.code !== 0 || tmpIsMounted(mounts.stdout)) return [];
    return ['/tmp in the dev container is not a mount of its own (no tmpfs, no bind mount): Ansible\'s SSH control socket may fail there. '
      + 'Add "runArgs": ["--tmpfs", "/tmp:rw,exec"] to devcontainer.json and rebuild the container.'];
  }

  launch(): PackerLaunch {
    const { options, settings } = this.ctx;
    const plan = devcontainerPlan(options.request, this.target.workspaceFolder, this.up!.remoteWorkspaceFolder!, this.pidFile);
    return {
      file: this.cli,
      args: devcontainerExecArgs(this.target, fixedEnv(settings), plan.command),
      pathMap: { containerCwd: plan.containerCwd, hostCwd: workingDirectory(options.request), mounts: plan.mounts },
      targetArg: plan.targetArg,
    };
  }

  async cleanup(): Promise<void> {
    await this.exec(['sh', '-c', DEVCONTAINER_CLEANUP_SCRIPT, 'packer-bake', this.pidFile]);
  }

  describeStop(timeoutSeconds: number): string {
    return `SIGTERM to Packer in the dev container, SIGKILL after ${timeoutSeconds} s`;
  }

  /**
   * SIGTERM to Packer (its pid is in the pid file), which cancels the build
   * and cleans up what it launched; SIGKILL if it has not ended after the
   * timeout; the CLI itself is killed only if `run` still does not end.
   * The dev container stays: it is the user's.
   */
  async stop(run: Promise<void>, runChild: ChildProcess | undefined, timeoutSeconds: number, graceMs: number): Promise<void> {
    const signal = async (sig: 'TERM' | 'KILL') => (await this.exec(['sh', '-c', DEVCONTAINER_SIGNAL_SCRIPT, 'packer-bake', sig, this.pidFile])).code === 0;
    const ended = async (): Promise<boolean> => {
      // Packer may not have written its pid yet (the CLI is still starting): try again while `run` goes on.
      for (let attempt = 0; attempt < 5; attempt++) {
        if (await signal('TERM')) return settles(run, timeoutSeconds * 1000);
        if (await settles(run, graceMs)) return true;
      }
      return false;
    };
    if (!await ended()) {
      await signal('KILL');
      if (!await settles(run, graceMs)) {
        runChild?.kill('SIGKILL');
        await settles(run, graceMs);
      }
    }
    await this.cleanup();
  }
}
