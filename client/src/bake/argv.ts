/**
 * Argument vectors for the container engine's CLI. Pure: no `vscode`, no I/O.
 *
 * Everything here is an array handed to `spawn` without a shell; no value is
 * ever quoted, interpolated or joined into a command string (the only string
 * form, `displayCommand`, is for showing the command to the user).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { BakeSettings } from './settings';

export type TemplateFormat = 'json' | 'hcl' | 'hcl-json';

/**
 * What to bake: one Packer configuration and the options chosen for it.
 *
 * A legacy JSON template is one file. An HCL2 configuration is a folder:
 * Packer loads every `*.pkr.hcl` and `*.pkr.json` in it as one (a template
 * beside its `variables.pkr.hcl`), so `target` is that folder and the build
 * runs on it, never on one of its files.
 */
export interface BakeRequest {
  /** Absolute host path: the legacy JSON template file, or the HCL2 configuration's folder. */
  target: string;
  format: TemplateFormat;
  /**
   * Absolute host directory Packer runs in (Ansible reads ansible.cfg there,
   * relative paths resolve against it); defaults to the target's folder.
   */
  cwd?: string;
  /** Host folder mounted into the container (the workspace folder); must hold `cwd` and `target`. */
  mountRoot?: string;
  /** `-only` names; empty = every build. */
  only: string[];
  /** Var files, absolute (or relative to `cwd`). */
  varFiles: string[];
  /** `-var name=value` pairs, in order. */
  variables: Record<string, string>;
  /** Run `packer init` before the build (HCL2 with `required_plugins`). */
  requiresInit: boolean;
}

/** The folder of a request's target: the HCL2 folder itself, or the legacy template's folder. */
export function targetFolder(request: Pick<BakeRequest, 'target' | 'format'>, hostPath: path.PlatformPath = path): string {
  return request.format === 'json' ? hostPath.dirname(request.target) : request.target;
}

/** The directory Packer runs in. */
export function workingDirectory(request: Pick<BakeRequest, 'target' | 'format' | 'cwd'>, hostPath: path.PlatformPath = path): string {
  return request.cwd ?? targetFolder(request, hostPath);
}

/** A bake that cannot be set up as asked (paths that cannot be mounted), explained. */
export class BakeSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BakeSetupError';
  }
}

/** Where the workspace folder appears inside the container. */
export const CONTAINER_WORKSPACE = '/workspace';
/** Where var files from outside the workspace folder appear inside the container. */
export const CONTAINER_VAR_FILES = '/packer-bake/var-files';
/** Home of the container's root user, where ~/.aws is mounted. */
export const CONTAINER_HOME = '/root';
/**
 * Where the plugin-cache volume is mounted, and PACKER_PLUGIN_PATH points:
 * plugins `packer init` installs there survive the container.
 */
export const CONTAINER_PLUGIN_PATH = '/packer-plugins';

/**
 * Ansible formats the configured control path with Python's `%` operator before
 * handing it to ssh, so ssh's own `%h`/`%p`/`%r` tokens must be written `%%`.
 * A short path under /tmp (the container's real mount) stays far below the
 * 108-byte socket path limit.
 */
export const INJECTED_CONTROL_PATH = '/tmp/ansible-ssh-%%h-%%p-%%r';

/** AWS variables passed to the container by name only: the engine CLI reads the value from its own environment. */
export const AWS_SECRET_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
export const AWS_PLAIN_ENV = ['AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION'] as const;

/** Label put on every bake container, so they can be found (and proved gone). */
export const CONTAINER_LABEL = 'io.packer-bake.bake';

export interface RunArgsInput {
  request: BakeRequest;
  settings: BakeSettings;
  image: string;
  containerName: string;
  /** The environment the engine CLI will run with (its values are never copied into the argv). */
  env: Readonly<Record<string, string | undefined>>;
  /** Host home directory; `~/.aws` is mounted read-only when `awsDirExists`. */
  homeDir: string;
  awsDirExists: boolean;
  /** Host path module; `path` (the platform's) unless a test says otherwise. */
  hostPath?: path.PlatformPath;
  /**
   * `--rm` (default true). Off for the docker CLI talking to Podman's
   * Docker-compatible API: Podman before 4.6 answers the CLI's
   * `wait?condition=removed` with exit code 0 whatever the container returned
   * (containers/podman#18889), so the runner removes the container itself.
   */
  autoRemove?: boolean;
}

/** Maps paths in Packer's output (container side) back to host paths. */
export interface PathMap {
  /** Container working directory (where Packer runs). */
  containerCwd: string;
  hostCwd: string;
  /** Container prefix → host prefix, longest first. */
  mounts: Array<{ container: string; host: string }>;
}

export interface RunPlan {
  /** The argv after the engine executable: `run ...`. */
  args: string[];
  pathMap: PathMap;
  /** The template file or configuration folder, relative to Packer's working directory. */
  targetArg: string;
}

/** A unique container name: `packer-bake-<time>-<random>`. */
export function containerName(now: number, randomHex: string): string {
  return `packer-bake-${now.toString(36)}-${randomHex.replace(/[^0-9a-f]/gi, '').slice(0, 12)}`;
}

/** True for a host path the `-v src:dst` syntax cannot carry (a colon other than a Windows drive's). */
function needsMountSyntax(hostPath: string): boolean {
  return /:/.test(hostPath.replace(/^[A-Za-z]:[\\/]/, ''));
}

/** One CSV field for `--mount` (the engine parses that option as a CSV record). */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * A bind mount as engine arguments. `-v src:dst` is used when it can carry the
 * path, because Podman's Docker-compatible API re-parses `--mount` options and
 * rejects quotes, commas and newlines in them, while `-v` passes any path
 * without a colon unchanged; a path with a colon needs `--mount`.
 */
export function bindMount(hostPath: string, containerPath: string, readonly: boolean): string[] {
  if (!needsMountSyntax(hostPath)) return ['-v', `${hostPath}:${containerPath}${readonly ? ':ro' : ''}`];
  const fields = ['type=bind', csvField(`source=${hostPath}`), csvField(`target=${containerPath}`)];
  if (readonly) fields.push('readonly');
  return ['--mount', fields.join(',')];
}

/** `rel` (host separators) as a container path below `base`. */
function toContainer(base: string, rel: string, hostPath: path.PlatformPath): string {
  if (rel === '') return base;
  return path.posix.join(base, ...rel.split(hostPath.sep));
}

function isInside(root: string, p: string, hostPath: path.PlatformPath): boolean {
  const rel = hostPath.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !hostPath.isAbsolute(rel));
}

/** Command-line argument for a path relative to the working directory; never one Packer could read as a flag. */
export function relativeArg(rel: string): string {
  if (rel === '') return '.';
  return rel.startsWith('-') ? `./${rel}` : rel;
}

/** The deepest folder holding every path (host separators); the root when they share nothing else. */
export function commonFolder(paths: string[], hostPath: path.PlatformPath = path): string {
  let common = paths[0];
  for (const p of paths.slice(1)) {
    while (!isInside(common, p, hostPath)) {
      const up = hostPath.dirname(common);
      if (up === common) return common;
      common = up;
    }
  }
  return common;
}

/**
 * The host folder to mount: the mount root (workspace folder) when it holds
 * Packer's working directory and the target, else the deepest folder holding
 * both. Never a filesystem root: mounting `/` would hand the container the
 * whole host.
 */
export function mountRootFor(request: BakeRequest, hostPath: path.PlatformPath = path): string {
  const cwd = workingDirectory(request, hostPath);
  const folder = targetFolder(request, hostPath);
  if (request.mountRoot && isInside(request.mountRoot, cwd, hostPath) && isInside(request.mountRoot, folder, hostPath)) return request.mountRoot;
  const root = commonFolder([cwd, folder], hostPath);
  if (hostPath.dirname(root) === root) {
    throw new BakeSetupError(`Packer's working directory ${cwd} and ${request.target} share no folder but the filesystem root, which will not be mounted into the container`);
  }
  return root;
}

/** The Packer command run in the container (without `packer init`). */
export function packerBuildArgs(request: BakeRequest, targetArg: string, varFileArgs: string[]): string[] {
  const args = ['build', '-machine-readable'];
  if (request.only.length > 0) args.push(`-only=${request.only.join(',')}`);
  for (const v of varFileArgs) args.push(`-var-file=${v}`);
  for (const [k, v] of Object.entries(request.variables)) args.push('-var', `${k}=${v}`);
  args.push(targetArg);
  return args;
}

/**
 * `packer init` and the build in one container (plugins installed by init live
 * in the container). The script is a constant: template and build arguments
 * reach it as positional parameters, never as script text, and `exec` makes
 * Packer the init process's child so SIGTERM reaches it.
 */
export const INIT_THEN_BUILD_SCRIPT = 'set -e; packer init "$1"; shift; exec packer "$@"';

/** The whole `run` argv (after the engine executable). */
export function buildRunArgs(input: RunArgsInput): RunPlan {
  const { request, settings, env } = input;
  const hp = input.hostPath ?? path;
  const cwd = workingDirectory(request, hp);
  const mountRoot = mountRootFor(request, hp);
  const inContainer = (hostAbs: string) => toContainer(CONTAINER_WORKSPACE, hp.relative(mountRoot, hostAbs), hp);
  const containerCwd = inContainer(cwd);
  const mounts: PathMap['mounts'] = [{ container: CONTAINER_WORKSPACE, host: mountRoot }];

  const args = ['run', ...(input.autoRemove === false ? [] : ['--rm']), '--init', '--name', input.containerName, '--label', `${CONTAINER_LABEL}=1`];
  args.push(...(settings.tmpMount === 'bind' ? bindMount('/tmp', '/tmp', false) : ['--tmpfs', '/tmp:rw,exec,mode=1777']));
  args.push(...bindMount(mountRoot, CONTAINER_WORKSPACE, false));

  const varFileArgs: string[] = [];
  request.varFiles.forEach((file, i) => {
    const abs = hp.resolve(cwd, file);
    if (isInside(mountRoot, abs, hp)) {
      varFileArgs.push(relativeArg(path.posix.relative(containerCwd, inContainer(abs))));
    } else {
      const target = path.posix.join(CONTAINER_VAR_FILES, String(i), hp.basename(abs));
      args.push(...bindMount(abs, target, true));
      mounts.push({ container: target, host: abs });
      varFileArgs.push(target);
    }
  });

  if (input.awsDirExists) {
    const awsDir = hp.join(input.homeDir, '.aws');
    args.push(...bindMount(awsDir, `${CONTAINER_HOME}/.aws`, true));
    args.push('-e', `AWS_CONFIG_FILE=${CONTAINER_HOME}/.aws/config`, '-e', `AWS_SHARED_CREDENTIALS_FILE=${CONTAINER_HOME}/.aws/credentials`);
    mounts.push({ container: `${CONTAINER_HOME}/.aws`, host: awsDir });
  }
  if (settings.pluginVolume) {
    // A named volume (created by the engine on first use) holds the plugins
    // `packer init` installs, so they are downloaded once, not every bake.
    args.push('-v', `${settings.pluginVolume}:${CONTAINER_PLUGIN_PATH}`, '-e', `PACKER_PLUGIN_PATH=${CONTAINER_PLUGIN_PATH}`);
  }
  // By name only: `-e NAME` makes the engine CLI copy the value from its own
  // environment, so no secret ever appears in an argv (or in `ps`).
  for (const name of passThroughEnvNames(env)) args.push('-e', name);
  for (const [k, v] of Object.entries(fixedEnv(settings))) args.push('-e', `${k}=${v}`);
  args.push('-w', containerCwd);
  args.push(...settings.extraEngineArgs);
  args.push(input.image);

  const targetArg = relativeArg(path.posix.relative(containerCwd, inContainer(request.target)));
  args.push(...packerCommand(request, targetArg, varFileArgs));

  mounts.sort((a, b) => b.container.length - a.container.length);
  return { args, pathMap: { containerCwd, hostCwd: cwd, mounts }, targetArg };
}

/** Variables every bake sets in the container (no secrets: these are shown as they are). */
export function fixedEnv(settings: Pick<BakeSettings, 'injectControlPath'>): Record<string, string> {
  return {
    ...(settings.injectControlPath ? { ANSIBLE_SSH_CONTROL_PATH: INJECTED_CONTROL_PATH } : {}),
    CHECKPOINT_DISABLE: '1',
  };
}

/** The command run in the container: `packer build ...`, or `packer init` then the build. */
export function packerCommand(request: BakeRequest, targetArg: string, varFileArgs: string[]): string[] {
  const build = packerBuildArgs(request, targetArg, varFileArgs);
  return request.requiresInit ? ['sh', '-c', INIT_THEN_BUILD_SCRIPT, 'packer-bake', targetArg, ...build] : ['packer', ...build];
}

/** Environment variables handed to the container by name: the AWS ones and `PKR_VAR_*`, when set. */
export function passThroughEnvNames(env: Readonly<Record<string, string | undefined>>): string[] {
  const names: string[] = [];
  for (const n of [...AWS_SECRET_ENV, ...AWS_PLAIN_ENV]) if (env[n] !== undefined && env[n] !== '') names.push(n);
  for (const n of Object.keys(env).sort()) if (/^PKR_VAR_[A-Za-z0-9_-]+$/.test(n) && env[n] !== undefined) names.push(n);
  return names;
}

/** Maps a path printed by Packer (relative to its working directory, or absolute in the container) to the host. */
export function toHostPath(map: PathMap, printed: string): string {
  const p = path.posix.isAbsolute(printed) ? printed : path.posix.join(map.containerCwd, printed);
  for (const m of map.mounts) {
    if (p === m.container || p.startsWith(`${m.container}/`)) {
      const rest = p.slice(m.container.length).replace(/^\//, '');
      return rest === '' ? m.host : path.join(m.host, ...rest.split('/'));
    }
  }
  return p;
}

export const stopArgs = (name: string, timeoutSeconds: number): string[] => ['stop', '-t', String(timeoutSeconds), name];
export const removeArgs = (name: string): string[] => ['rm', '-f', name];
export const imageExistsArgs = (image: string): string[] => ['image', 'inspect', '--format', '{{.Id}}', image];
export const imageBuildArgs = (tag: string, dockerfile: string, contextDir: string, buildArgs: Record<string, string> = {}): string[] =>
  ['build', '-t', tag, ...Object.entries(buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]), '-f', dockerfile, contextDir];
/**
 * Probes the engine. The docker CLI also lists the server's components, which
 * tell Docker from Podman's Docker-compatible API (`Podman Engine`); the podman
 * CLI's version has no components.
 */
export const versionArgs = (kind: 'docker' | 'podman'): string[] => kind === 'docker'
  ? ['version', '--format', '{{.Server.Version}}|{{range .Server.Components}}{{.Name}},{{end}}']
  : ['version', '--format', '{{.Server.Version}}'];

/**
 * Tag of the bundled image for an extension version. Build arguments other
 * than the Dockerfile's defaults (the tests' stand-in base images) give
 * another image, so they get another tag.
 */
export function bundledImageTag(extensionVersion: string, buildArgs: Record<string, string> = {}): string {
  const entries = Object.entries(buildArgs).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return `packer-bake:${extensionVersion}`;
  return `packer-bake:${extensionVersion}-${createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 12)}`;
}

/**
 * POSIX-shell quoting of an argv, for display only (the header in the terminal,
 * the output channel). Never executed.
 */
export function displayCommand(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
