/**
 * The `packerBake.bake.*` settings: names, types and defaults, merged per key,
 * every value checked (a bad one falls back to its default and is reported).
 * Pure: no `vscode` import (the UI reads the raw values and normalizes them here).
 */

export type ContainerEngineSetting = 'auto' | 'docker' | 'podman';
export type TmpMount = 'tmpfs' | 'bind';
/**
 * Which container runs Packer. `auto`: the image in `packerBake.bake.image`
 * when one is set, else the bundled one. `devcontainer`: the workspace's dev
 * container, through the Dev Containers CLI.
 */
export type ContainerSetting = 'auto' | 'bundled' | 'image' | 'devcontainer';
/** The container a bake really uses, once `auto` is decided. */
export type ContainerMode = Exclude<ContainerSetting, 'auto'>;

export interface BakeSettings {
  container: ContainerSetting;
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
  /**
   * Named volume mounted at PACKER_PLUGIN_PATH, so plugins `packer init`
   * installed survive bakes; empty = none. Machine-scoped.
   */
  pluginVolume: string;
  /** The Dev Containers CLI (`devcontainer`); empty = look it up on PATH. Machine-scoped. */
  devcontainerPath: string;
}

export const BAKE_SECTION = 'packerBake.bake';

/**
 * Upper bound of `stopTimeoutSeconds`. An hour is far more than any builder's
 * clean-up needs, and keeps every timer derived from it (`(timeout + 60) * 1000`
 * ms) well below the 2^31 - 1 ms Node's timers take: a larger delay
 * overflows and fires after 1 ms, which would kill Packer mid-clean-up.
 */
export const MAX_STOP_TIMEOUT_SECONDS = 3600;

export const defaultBakeSettings: Readonly<BakeSettings> = Object.freeze({
  container: 'auto',
  containerEngine: 'auto',
  enginePath: '',
  image: '',
  tmpMount: 'tmpfs',
  injectControlPath: true,
  extraEngineArgs: [],
  stopTimeoutSeconds: 120,
  pluginVolume: 'packer-bake-plugins',
  devcontainerPath: '',
});

/** A volume name both Docker and Podman accept. */
const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export interface NormalizedBakeSettings {
  settings: BakeSettings;
  /** One sentence per value that was not used as given (shown when a bake starts). */
  problems: string[];
}

/**
 * Merges raw setting values over the defaults, key by key. A value of the
 * wrong type or outside its range is replaced (by the default, or clamped to
 * the range) and reported in `problems`.
 */
export function checkBakeSettings(raw: Partial<Record<keyof BakeSettings, unknown>>): NormalizedBakeSettings {
  const d = defaultBakeSettings;
  const problems: string[] = [];
  const bad = (key: keyof BakeSettings, why: string, used: unknown) => {
    problems.push(`${BAKE_SECTION}.${key} ${why}; using ${JSON.stringify(used)}.`);
    return used;
  };
  const oneOf = <T extends string>(key: keyof BakeSettings, allowed: readonly T[], dflt: T): T => {
    const v = raw[key];
    if (v === undefined) return dflt;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    return bad(key, `must be one of ${allowed.join(', ')}, not ${JSON.stringify(v)}`, dflt) as T;
  };
  const str = (key: keyof BakeSettings, dflt: string): string => {
    const v = raw[key];
    if (v === undefined) return dflt;
    if (typeof v === 'string') return v.trim();
    return bad(key, `must be a string, not ${JSON.stringify(v)}`, dflt) as string;
  };

  const injected = raw.injectControlPath;
  let injectControlPath = d.injectControlPath;
  if (typeof injected === 'boolean') injectControlPath = injected;
  else if (injected !== undefined) bad('injectControlPath', `must be true or false, not ${JSON.stringify(injected)}`, d.injectControlPath);

  const extra = raw.extraEngineArgs;
  let extraEngineArgs = [...d.extraEngineArgs];
  if (Array.isArray(extra) && extra.every((a) => typeof a === 'string')) extraEngineArgs = [...(extra as string[])];
  else if (extra !== undefined) bad('extraEngineArgs', 'must be a list of strings', d.extraEngineArgs);

  const timeout = raw.stopTimeoutSeconds;
  let stopTimeoutSeconds = d.stopTimeoutSeconds;
  if (typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= 0) {
    stopTimeoutSeconds = Math.min(Math.floor(timeout), MAX_STOP_TIMEOUT_SECONDS);
    if (timeout > MAX_STOP_TIMEOUT_SECONDS) bad('stopTimeoutSeconds', `is above the maximum of ${MAX_STOP_TIMEOUT_SECONDS} seconds`, stopTimeoutSeconds);
  } else if (timeout !== undefined) {
    bad('stopTimeoutSeconds', `must be a number of seconds from 0 to ${MAX_STOP_TIMEOUT_SECONDS}, not ${JSON.stringify(timeout)}`, d.stopTimeoutSeconds);
  }

  let pluginVolume = str('pluginVolume', d.pluginVolume);
  if (pluginVolume !== '' && !VOLUME_NAME.test(pluginVolume)) {
    pluginVolume = bad('pluginVolume', `is not a volume name (letters, digits, "_", "." and "-")`, d.pluginVolume) as string;
  }

  return {
    settings: {
      container: oneOf('container', ['auto', 'bundled', 'image', 'devcontainer'] as const, d.container),
      containerEngine: oneOf('containerEngine', ['auto', 'docker', 'podman'] as const, d.containerEngine),
      enginePath: str('enginePath', d.enginePath),
      image: str('image', d.image),
      tmpMount: oneOf('tmpMount', ['tmpfs', 'bind'] as const, d.tmpMount),
      injectControlPath,
      extraEngineArgs,
      stopTimeoutSeconds,
      pluginVolume,
      devcontainerPath: str('devcontainerPath', d.devcontainerPath),
    },
    problems,
  };
}

/** `checkBakeSettings` without the report. */
export function normalizeBakeSettings(raw: Partial<Record<keyof BakeSettings, unknown>>): BakeSettings {
  return checkBakeSettings(raw).settings;
}

/** The container a bake uses: `auto` is the configured image when there is one, else the bundled image. */
export function containerMode(settings: Pick<BakeSettings, 'container' | 'image'>): ContainerMode {
  if (settings.container !== 'auto') return settings.container;
  return settings.image ? 'image' : 'bundled';
}
