/**
 * The server's view of the `packerBake` settings: pulled per resource with
 * `workspace/configuration` when the client supports it (else the values the
 * client pushed with `didChangeConfiguration`), normalised, and cached per
 * scope until the configuration changes.
 */
import * as path from 'path';
import type { Connection } from 'vscode-languageserver/node';
import { DEFAULT_SETTINGS, SETTINGS_SECTION, normalizeSettings, normalizeToolchain, type PackerBakeSettings, type ToolchainSetting } from './shared/settings';
import type { AnalysisSettings } from './analysis';

export class SettingsStore {
  private readonly cache = new Map<string, Promise<PackerBakeSettings>>();
  private pushed: PackerBakeSettings = normalizeSettings(DEFAULT_SETTINGS);
  /** Versions the bake image reported; they win over the `toolchain` setting. */
  private detected: ToolchainSetting = {};
  /** Bumped on every configuration change; results computed under an older generation are stale. */
  generation = 0;

  constructor(
    private readonly connection: Connection,
    private readonly pull: boolean,
    private readonly log: (message: string) => void,
  ) {}

  /** The settings for a scope (a workspace folder URI, or a document URI outside every folder; undefined = global). */
  get(scopeUri: string | undefined): Promise<PackerBakeSettings> {
    return this.read(scopeUri).then((s) => ({ ...s, toolchain: { ...s.toolchain, ...this.detected } }));
  }

  /** Records the versions the bake image reported; true when they differ from what was known (re-analyse then). */
  setDetectedToolchain(raw: unknown): boolean {
    const next = normalizeToolchain(raw);
    if (JSON.stringify(next) === JSON.stringify(this.detected)) return false;
    this.detected = next;
    this.generation++;
    return true;
  }

  private read(scopeUri: string | undefined): Promise<PackerBakeSettings> {
    if (!this.pull) return Promise.resolve(this.pushed);
    const key = scopeUri ?? '';
    let p = this.cache.get(key);
    if (!p) {
      p = this.connection.workspace
        .getConfiguration(scopeUri === undefined ? { section: SETTINGS_SECTION } : { scopeUri, section: SETTINGS_SECTION })
        .then(normalizeSettings, (e: unknown) => {
          this.log(`could not read the packerBake settings (${e instanceof Error ? e.message : String(e)}); using the defaults`);
          this.cache.delete(key);
          return normalizeSettings(undefined);
        });
      this.cache.set(key, p);
    }
    return p;
  }

  /**
   * The configuration may have changed (`settings` is the
   * `didChangeConfiguration` payload, used when the client cannot be asked).
   * Reads the settings of every scope seen so far again and resolves true,
   * with a new generation, only when one of them differs: VS Code sends this
   * notification on start-up and for changes the server need not act on, and
   * each false alarm would otherwise analyse the whole workspace again.
   */
  async changed(settings: unknown): Promise<boolean> {
    if (!this.pull) {
      const section = settings && typeof settings === 'object' ? (settings as Record<string, unknown>)[SETTINGS_SECTION] : undefined;
      const next = normalizeSettings(section);
      const differs = JSON.stringify(next) !== JSON.stringify(this.pushed);
      this.pushed = next;
      if (differs) this.generation++;
      return differs;
    }
    const before = [...this.cache];
    this.cache.clear();
    const old = await Promise.all(before.map(([, p]) => p));
    const now = await Promise.all(before.map(([scope]) => this.get(scope === '' ? undefined : scope)));
    const differs = before.length === 0 || old.some((o, i) => JSON.stringify(o) !== JSON.stringify(now[i]));
    if (differs) this.generation++;
    return differs;
  }
}

/**
 * The analysis core's settings for the user's settings. `folder` is the
 * workspace folder of the analysed file (a relative workingDirectory is
 * relative to it); `roots` bound the working-directory search.
 */
export function analysisSettings(s: PackerBakeSettings, where: { folder?: string; roots?: string[] } = {}): AnalysisSettings {
  const wd = s.workingDirectory;
  const workingDirectory = wd === '' ? undefined : path.isAbsolute(wd) ? path.normalize(wd) : where.folder !== undefined ? path.resolve(where.folder, wd) : undefined;
  return { rules: { ...s.rules }, safeDirectories: [...s.safeDirectories], maxFileSize: s.maxFileSize, toolchain: { ...s.toolchain }, roots: [...(where.roots ?? [])], workingDirectory };
}
