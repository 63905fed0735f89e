/**
 * What the bake runner needs from the place Packer runs in: a container the
 * bake starts itself (`containerBackend.ts`: the bundled image or the
 * configured one) or the workspace's dev container (`devcontainerBackend.ts`).
 * No `vscode` import.
 */
import type { ChildProcess } from 'node:child_process';
import type { PathMap } from './argv';
import type { Engine, ExecResult } from './engine';
import type { BakePhase } from './machineReadable';
import type { Processes } from './processes';
import type { BakeRunnerOptions } from './runner';
import type { BakeSettings, ContainerMode } from './settings';
import type { Probe } from './toolchain';

/** Why a bake could not run, in words for the user and a kind the UI can act on (open the right setting...). */
export type FailureKind =
  /** No container engine, or one that does not answer. */
  | 'engine'
  /** The image could not be built, found or pulled. */
  | 'image'
  /** Paths that cannot be given to the container. */
  | 'setup'
  /** The container's Packer has no `packer init`, and the configuration has `required_plugins`. */
  | 'packer-too-old'
  /** `packer init` could not install the plugins. */
  | 'init'
  /** The preflight (the analysis' findings) stopped the bake. */
  | 'preflight'
  /** The Dev Containers CLI is missing, or could not start the dev container. */
  | 'devcontainer'
  /** Packer ran and failed. */
  | 'packer';

export class BakeFailure extends Error {
  constructor(readonly kind: FailureKind, message: string) {
    super(message);
    this.name = 'BakeFailure';
  }
}

/** What a backend may use from the runner. */
export interface BackendContext {
  options: BakeRunnerOptions;
  settings: BakeSettings;
  env: NodeJS.ProcessEnv;
  processes: Processes;
  homeDir: string;
  containerName: string;
  /** Writes text to the bake's output (masked). */
  out(text: string): void;
  dim(text: string): string;
  progress(phase: BakePhase, message: string): void;
  cancelling(): boolean;
}

/** How Packer is started: the executable, its arguments, and where its paths map to on the host. */
export interface PackerLaunch {
  file: string;
  args: string[];
  pathMap: PathMap;
  /** The template or folder as Packer's command line names it. */
  targetArg: string;
}

export interface BakeBackend {
  readonly mode: ContainerMode;
  /** Everything before Packer can run: engine, image, dev container. Throws a BakeFailure. */
  prepare(): Promise<void>;
  /** Engine found by `prepare`. */
  readonly engine: Engine | undefined;
  /** What runs Packer, for the record: an image reference, or `dev container <id>`. */
  readonly description: string | undefined;
  /** Key under which the container's tool versions are kept (an image id), or undefined to ask every time. */
  toolchainKey(): Promise<string | undefined>;
  /** Runs one of the container's own binaries. */
  probe(p: Probe): Promise<ExecResult>;
  /** Warnings about the container (a /tmp that is not a mount). */
  checks(): Promise<string[]>;
  launch(): PackerLaunch;
  /** After Packer ended by itself: removes what the bake left (container, pid file). */
  cleanup(): Promise<void>;
  /** How a cancel stops Packer, shown to the user. */
  describeStop(timeoutSeconds: number): string;
  /** Stops a running Packer gracefully, then by force; resolves once `run` has ended. */
  stop(run: Promise<void>, runChild: ChildProcess | undefined, timeoutSeconds: number, graceMs: number): Promise<void>;
}
