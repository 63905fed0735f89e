/**
 * The server's view of the `packerBake` settings: pulled per resource with
 * `workspace/configuration` when the client supports it (else the values the
 * client pushed with `didChangeConfiguration`), normalised, and cached per
 * scope until the configuration changes.
 */
import type { Connection } from 'vscode-languageserver/node';
import { DEFAULT_SETTINGS, SETTINGS_SECTION, normalizeSettings, type PackerBakeSettings } from './shared/settings';
import type { AnalysisSettings } from './analysis';

export class SettingsStore {
  private readonly cache = new Map<string, Promise<PackerBakeSettings>>();
  private pushed: PackerBakeSettings = normalizeSettings(DEFAULT_SETTINGS);
  /** Bumped on every configuration change; results computed under an older generation are stale. */
  generation = 0;

  constructor(
    private readonly connection: Connection,
    private readonly pull: boolean,
    private readonly log: (message: string) => void,
  ) {}

  /** The settings for a scope (a workspace folder URI, or a document URI outside every folder; undefined = global). */
  get(scopeUri: string | undefined): Promise<PackerBakeSettings> {
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

  /** Forgets cached values; `settings` is the `didChangeConfiguration` payload (used when the client cannot be asked). */
  changed(settings: unknown): void {
    this.generation++;
    this.cache.clear();
    if (!this.pull) {
      const section = settings && typeof settings === 'object' ? (settings as Record<string, unknown>)[SETTINGS_SECTION] : undefined;
      this.pushed = normalizeSettings(section);
    }
  }
}

/** The analysis core's settings for the user's settings. */
export function analysisSettings(s: PackerBakeSettings): AnalysisSettings {
  return { rules: { ...s.rules }, safeDirectories: [...s.safeDirectories], maxFileSize: s.maxFileSize };
}
