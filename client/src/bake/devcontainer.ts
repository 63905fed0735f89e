/**
 * Bakes in the workspace's own dev container, through the Dev Containers CLI
 * (npm `@devcontainers/cli`): `devcontainer up` starts (or reuses) the
 * container `.devcontainer/devcontainer.json` describes, `devcontainer exec`
 * runs Packer in it. Argument vectors and output parsing only: pure, no
 * `vscode`, no I/O.
 *
 * The container is the user's: a bake never removes it (VS Code and the next
 * bake reuse it). What a bake starts in it, it stops: Packer's process id is
 * written to a file in the container's /tmp, and cancelling sends SIGTERM to
 * it (Packer then cleans up what it launched), then SIGKILL after
 * `stopTimeoutSeconds`.
 */
import path from 'node:path';
import { BakeSetupError, relativeArg, type BakeRequest, packerBuildArgs, workingDirectory, targetFolder } from './argv';

/** Which dev container: the workspace folder the CLI looks in, and optionally the devcontainer.json to use. */
export interface DevcontainerTarget {
  /** Host folder the dev container mounts (the VS Code workspace folder). */
  workspaceFolder: string;
  /** A devcontainer.json other than `.devcontainer/devcontainer.json` (`--config`). */
  config?: string;
  /** The container engine CLI the Dev Containers CLI drives (`--docker-path`); docker or podman. */
  dockerPath?: string;
}

/** The Dev Containers CLI's answer to `up` (the last line it prints on stdout). */
export interface DevcontainerUp {
  outcome: string;
  containerId?: string;
  remoteUser?: string;
  /** Where the workspace folder is inside the container. */
  remoteWorkspaceFolder?: string;
  message?: string;
  description?: string;
}

/** Options both `up` and `exec` take, in front of anything else. */
export function devcontainerCommonArgs(t: DevcontainerTarget): string[] {
  return [
    '--workspace-folder', t.workspaceFolder,
    ...(t.config ? ['--config', t.config] : []),
    ...(t.dockerPath ? ['--docker-path', t.dockerPath] : []),
  ];
}

export function devcontainerUpArgs(t: DevcontainerTarget): string[] {
  return ['up', ...devcontainerCommonArgs(t)];
}

/**
 * `devcontainer exec` stops reading its own options at the first word that is
 * not one: every option goes before the command, and the command's own
 * arguments reach it untouched.
 */
export function devcontainerExecArgs(t: DevcontainerTarget, env: Record<string, string>, command: string[]): string[] {
  const remoteEnv = Object.entries(env).flatMap(([k, v]) => ['--remote-env', `${k}=${v}`]);
  return ['exec', ...devcontainerCommonArgs(t), ...remoteEnv, ...command];
}

/** Reads `up`'s result: the last line of stdout that is a JSON object with an `outcome`. */
export function parseDevcontainerUp(stdout: string): DevcontainerUp | undefined {
  const lines = stdout.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.startsWith('{'));
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const v = JSON.parse(lines[i]) as unknown;
      if (v && typeof v === 'object' && typeof (v as DevcontainerUp).outcome === 'string') return v as DevcontainerUp;
    } catch { /* not the result line */ }
  }
  return undefined;
}

/**
 * Runs Packer in the dev container and records its process id. Constant
 * script: the pid file, the working directory, the init target and Packer's
 * arguments arrive as positional parameters, never as script text.
 * `packer init` runs in the background with its own pid in the file (a
 * cancel during init stops init), then `exec` turns the shell into Packer, so
 * the pid in the file is Packer's and SIGTERM reaches it.
 */
export const DEVCONTAINER_RUN_SCRIPT = 'set -e; pidfile=$1; cd "$2"; shift 2; '
  + 'if [ "$1" = --init ]; then packer init "$2" & echo $! > "$pidfile"; wait $!; shift 2; fi; '
  + 'echo $$ > "$pidfile"; exec packer "$@"';

/** Sends a signal (`TERM`, `KILL`) to the process whose id the pid file holds. */
export const DEVCONTAINER_SIGNAL_SCRIPT = 'pid=$(cat "$2" 2>/dev/null) && [ -n "$pid" ] && kill -s "$1" "$pid"';

/** Removes the pid file once Packer is done. */
export const DEVCONTAINER_CLEANUP_SCRIPT = 'rm -f "$1"';

/** The pid file of one bake, in the container's /tmp. */
export function devcontainerPidFile(bakeName: string): string {
  return `/tmp/${bakeName}.pid`;
}

export interface DevcontainerPlan {
  /** The `exec` command after the executable's options: `sh -c <script> ...`. */
  command: string[];
  containerCwd: string;
  targetArg: string;
  /** Container prefix → host prefix, for paths in Packer's output. */
  mounts: Array<{ container: string; host: string }>;
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The command that bakes `request` in a dev container whose workspace folder
 * (`workspaceFolder` on the host) appears at `remoteWorkspaceFolder`. The dev
 * container sees only its workspace folder: Packer's working directory, the
 * target and every var file must be inside it.
 */
export function devcontainerPlan(request: BakeRequest, workspaceFolder: string, remoteWorkspaceFolder: string, pidFile: string): DevcontainerPlan {
  const cwd = workingDirectory(request);
  const inContainer = (host: string, what: string): string => {
    if (!isInside(workspaceFolder, host)) {
      throw new BakeSetupError(`${what} ${host} is outside the workspace folder ${workspaceFolder}, the only folder the dev container sees`);
    }
    const rel = path.relative(workspaceFolder, host);
    return rel === '' ? remoteWorkspaceFolder : path.posix.join(remoteWorkspaceFolder, ...rel.split(path.sep));
  };
  const containerCwd = inContainer(cwd, 'Packer\'s working directory');
  inContainer(targetFolder(request), 'The template folder');
  const targetArg = relativeArg(path.posix.relative(containerCwd, inContainer(request.target, 'The template')));
  const varFileArgs = request.varFiles.map((v) => relativeArg(path.posix.relative(containerCwd, inContainer(path.resolve(cwd, v), 'The var file'))));
  const build = packerBuildArgs(request, targetArg, varFileArgs);
  const init = request.requiresInit ? ['--init', targetArg] : [];
  return {
    command: ['sh', '-c', DEVCONTAINER_RUN_SCRIPT, 'packer-bake', pidFile, containerCwd, ...init, ...build],
    containerCwd,
    targetArg,
    mounts: [{ container: remoteWorkspaceFolder, host: workspaceFolder }],
  };
}

/** True when `/proc/mounts` text has a mount on /tmp (a tmpfs or a bind mount), where sockets work. */
export function tmpIsMounted(procMounts: string): boolean {
  return procMounts.split('\n').some((l) => l.split(' ')[1] === '/tmp');
}
