/**
 * The `packerBake.bake.*` settings: names, types and defaults, merged per key.
 * Pure: no `vscode` import (the UI reads the raw values and normalizes them here).
 */

export type ContainerEngineSetting = 'auto' | 'docker' | 'podman';
export type TmpMount = 'tmpfs' | 'bind';

export interface BakeSettings {
  /** `auto` tries docker, then podman. */
  containerEngine: ContainerEngineSetting;
  /** Engine executable; empty = look the engine up on PATH. Machine-scoped. */
  enginePath: string;
  /** Image to run; empty = the bundled image, built on first use. Machine-scoped. */
  image: string;
  /** `tmpfs` mounts a fresh tmpfs on /tmp; `bind` mounts the engine host's /tmp. */
  tmpMount: TmpMount;
  /** Set ANSIBLE_SSH_CONTROL_PATH in the container (protects templates that were not fixed). */
  injectControlPath: boolean;
  /** Extra arguments for `run`, placed before the image. Machine-scoped. */
  extraEngineArgs: string[];
  /** Seconds `<engine> stop` gives Packer to clean up before the container is killed. */
  stopTimeoutSeconds: number;
}

export const BAKE_SECTION = 'packerBake.bake';

export const defaultBakeSettings: Readonly<BakeSettings> = Object.freeze({
  containerEngine: 'auto',
  enginePath: '',
  image: '',
  tmpMount: 'tmpfs',
  injectControlPath: true,
  extraEngineArgs: [],
  stopTimeoutSeconds: 120,
});

/** Merges raw setting values over the defaults, key by key; a wrong-typed value falls back to its default. */
export function normalizeBakeSettings(raw: Partial<Record<keyof BakeSettings, unknown>>): BakeSettings {
  const d = defaultBakeSettings;
  const str = (v: unknown, dflt: string): string => (typeof v === 'string' ? v.trim() : dflt);
  const engine = raw.containerEngine;
  const tmp = raw.tmpMount;
  const timeout = raw.stopTimeoutSeconds;
  return {
    containerEngine: engine === 'docker' || engine === 'podman' || engine === 'auto' ? engine : d.containerEngine,
    enginePath: str(raw.enginePath, d.enginePath),
    image: str(raw.image, d.image),
    tmpMount: tmp === 'bind' || tmp === 'tmpfs' ? tmp : d.tmpMount,
    injectControlPath: typeof raw.injectControlPath === 'boolean' ? raw.injectControlPath : d.injectControlPath,
    extraEngineArgs: Array.isArray(raw.extraEngineArgs) && raw.extraEngineArgs.every((a) => typeof a === 'string')
      ? [...(raw.extraEngineArgs as string[])]
      : [...d.extraEngineArgs],
    stopTimeoutSeconds: typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= 0
      ? Math.floor(timeout)
      : d.stopTimeoutSeconds,
  };
}
