/**
 * The `packerBake.*` settings, declared once for the client, the server and
 * the manifest test: names, types, defaults, and a normaliser that turns
 * whatever the user wrote into a complete, valid value. Imports nothing, so
 * both processes can use it.
 */

/** The configuration section (`workspace/configuration` `section`, and the settings' prefix). */
export const SETTINGS_SECTION = 'packerBake';

export const SEVERITIES = ['error', 'warning', 'info', 'hint'] as const;
export type SeveritySetting = (typeof SEVERITIES)[number] | 'off';
export const SEVERITY_SETTINGS: readonly SeveritySetting[] = [...SEVERITIES, 'off'];

export const TRACE_LEVELS = ['off', 'messages', 'verbose'] as const;
export type TraceLevel = (typeof TRACE_LEVELS)[number];

export interface PackerBakeSettings {
  /** Analyse Packer templates at all. */
  enable: boolean;
  /** Rule id → severity (`off` disables the rule). Rules not listed keep their default severity. */
  rules: Record<string, SeveritySetting>;
  /** Directories, besides /tmp and /dev/shm, where a control socket is known to work in the build container. */
  safeDirectories: string[];
  /** Templates larger than this many bytes are skipped with one informational diagnostic. */
  maxFileSize: number;
  /** Traces the client/server messages in the output channel (read by the language client). */
  trace: { server: TraceLevel };
  /**
   * Versions of the tools that will run the build, for the toolchain rules
   * (`proxy-host-key-rejected`, `scp-sftp-mismatch`). The versions reported by
   * the bake image win over these.
   */
  toolchain: ToolchainSetting;
  /**
   * The directory Packer is started in, absolute or relative to the workspace
   * folder; empty: inferred per template from its relative paths.
   */
  workingDirectory: string;
}

export interface ToolchainSetting {
  packer?: string;
  ansiblePlugin?: string;
  /** ansible-core, as `ansible --version` prints it (e.g. 2.19.4). */
  ansible?: string;
  openssh?: string;
}

export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;
/**
 * The largest `maxFileSize` honoured, whoever sets it: every file a
 * repository names is read up to this many bytes at most.
 */
export const MAX_FILE_SIZE_CAP = 64 * 1024 * 1024;

export const DEFAULT_SETTINGS: Readonly<PackerBakeSettings> = Object.freeze<PackerBakeSettings>({
  enable: true,
  rules: {},
  safeDirectories: [],
  maxFileSize: DEFAULT_MAX_FILE_SIZE,
  trace: { server: 'off' },
  toolchain: {},
  workingDirectory: '',
});

/** Full setting names (`packerBake.enable`...), for `contributes.configuration` and change checks. */
export const SETTING_NAMES = {
  enable: `${SETTINGS_SECTION}.enable`,
  rules: `${SETTINGS_SECTION}.rules`,
  safeDirectories: `${SETTINGS_SECTION}.safeDirectories`,
  maxFileSize: `${SETTINGS_SECTION}.maxFileSize`,
  traceServer: `${SETTINGS_SECTION}.trace.server`,
  toolchain: `${SETTINGS_SECTION}.toolchain`,
  workingDirectory: `${SETTINGS_SECTION}.workingDirectory`,
} as const;

/**
 * A complete settings value from whatever `workspace/configuration` returned
 * (null, a partial object, values of the wrong type). Each key falls back to
 * its default on its own; an unknown severity keeps the rule's default; this
 * never throws.
 */
export function normalizeSettings(raw: unknown): PackerBakeSettings {
  const o = isObject(raw) ? raw : {};
  const trace = isObject(o.trace) ? o.trace.server : undefined;
  return {
    enable: typeof o.enable === 'boolean' ? o.enable : DEFAULT_SETTINGS.enable,
    rules: normalizeRules(o.rules),
    safeDirectories: normalizeDirectories(o.safeDirectories),
    maxFileSize: typeof o.maxFileSize === 'number' && Number.isFinite(o.maxFileSize) && o.maxFileSize >= 1 ? Math.min(Math.floor(o.maxFileSize), MAX_FILE_SIZE_CAP) : DEFAULT_SETTINGS.maxFileSize,
    trace: { server: (TRACE_LEVELS as readonly unknown[]).includes(trace) ? (trace as TraceLevel) : DEFAULT_SETTINGS.trace.server },
    toolchain: normalizeToolchain(o.toolchain),
    workingDirectory: typeof o.workingDirectory === 'string' ? o.workingDirectory.trim() : DEFAULT_SETTINGS.workingDirectory,
  };
}

/** The tools whose versions the analysis can use. */
export const TOOLCHAIN_KEYS = ['packer', 'ansiblePlugin', 'ansible', 'openssh'] as const;

/** Keeps the version strings that look like versions. */
export function normalizeToolchain(raw: unknown): ToolchainSetting {
  const t: ToolchainSetting = {};
  if (!isObject(raw)) return t;
  for (const key of TOOLCHAIN_KEYS) {
    const v = raw[key];
    if (typeof v === 'string' && /\d/.test(v)) t[key] = v.trim();
  }
  return t;
}

function normalizeRules(raw: unknown): Record<string, SeveritySetting> {
  const rules: Record<string, SeveritySetting> = {};
  if (!isObject(raw)) return rules;
  for (const [id, value] of Object.entries(raw)) {
    const severity = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
    // "information" is what VS Code itself calls the level.
    const named = severity === 'information' ? 'info' : severity;
    if ((SEVERITY_SETTINGS as readonly (string | undefined)[]).includes(named)) rules[id] = named as SeveritySetting;
  }
  return rules;
}

function normalizeDirectories(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter((d): d is string => typeof d === 'string' && d.trim().startsWith('/')).map((d) => d.trim());
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What the manifest needs to know about a rule. */
export interface RuleInfo {
  id: string;
  defaultSeverity: string;
  description: string;
}

/**
 * The `contributes.configuration.properties` of these settings, so the
 * manifest is written from this module (a protocol test checks that
 * package.json still matches). Every setting is `resource`-scoped (it can
 * differ per workspace folder) except `trace.server`, which applies to the
 * one connection and is `window`-scoped.
 */
export function configurationProperties(rules: readonly RuleInfo[]): Record<string, unknown> {
  const severity = { type: 'string', enum: [...SEVERITY_SETTINGS] };
  return {
    [SETTING_NAMES.enable]: {
      type: 'boolean',
      default: DEFAULT_SETTINGS.enable,
      scope: 'resource',
      description: 'Check Packer templates for Ansible SSH control-socket problems (diagnostics and quick fixes).',
    },
    [SETTING_NAMES.rules]: {
      type: 'object',
      default: {},
      scope: 'resource',
      markdownDescription:
        'Severity per rule id: `error`, `warning`, `info`, `hint`, or `off` to disable the rule. Rules not listed keep their default severity; an unknown value is ignored. Example: `{ "control-path-unsafe-dir": "off" }`.',
      properties: Object.fromEntries(
        rules.map((r) => [r.id, { ...severity, markdownDescription: `${r.description} Default: \`${r.defaultSeverity}\`.` }]),
      ),
      additionalProperties: severity,
    },
    [SETTING_NAMES.safeDirectories]: {
      type: 'array',
      items: { type: 'string', pattern: '^/' },
      default: [...DEFAULT_SETTINGS.safeDirectories],
      scope: 'resource',
      markdownDescription:
        'Absolute directories, besides `/tmp` and `/dev/shm`, where an SSH control socket is known to work in your build container (for rule `control-path-unsafe-dir`).',
    },
    [SETTING_NAMES.maxFileSize]: {
      type: 'number',
      default: DEFAULT_SETTINGS.maxFileSize,
      minimum: 1,
      maximum: MAX_FILE_SIZE_CAP,
      scope: 'resource',
      markdownDescription: `No file larger than this many bytes is read: templates (skipped with one informational diagnostic), ansible.cfg files, sibling and var files. At most ${MAX_FILE_SIZE_CAP} bytes. In Restricted Mode the workspace's value is ignored.`,
    },
    [SETTING_NAMES.toolchain]: {
      type: 'object',
      default: {},
      scope: 'resource',
      markdownDescription:
        'Versions of the tools that will run your builds, for the rules `proxy-host-key-rejected` and `scp-sftp-mismatch` (they stay silent while the versions are unknown). **Packer: Bake AMI** asks its image and uses those versions first. Example: `{ "packer": "1.6.6", "openssh": "9.2p1" }`.',
      properties: {
        packer: { type: 'string', description: 'Packer version, as `packer version` prints it (e.g. 1.6.6).' },
        ansiblePlugin: { type: 'string', description: 'packer-plugin-ansible version, as `packer plugins installed` shows it (e.g. 1.1.1).' },
        ansible: { type: 'string', description: 'ansible-core version, as `ansible --version` prints it (e.g. 2.19.4).' },
        openssh: { type: 'string', description: 'OpenSSH client version, as `ssh -V` prints it (e.g. 9.2p1).' },
      },
      additionalProperties: false,
    },
    [SETTING_NAMES.workingDirectory]: {
      type: 'string',
      default: DEFAULT_SETTINGS.workingDirectory,
      scope: 'resource',
      markdownDescription:
        'The directory Packer is started in (`cd <dir> && packer build ...`), absolute or relative to the workspace folder. Ansible reads `ansible.cfg` and a relative `ANSIBLE_CONFIG` from there. Empty: inferred per template from the paths it names (`playbook_file`, `ANSIBLE_CONFIG`, scripts), else the template\'s folder.',
    },
    [SETTING_NAMES.traceServer]: {
      type: 'string',
      enum: [...TRACE_LEVELS],
      default: DEFAULT_SETTINGS.trace.server,
      scope: 'window',
      description: 'Traces the messages between VS Code and the packer-bake language server in the Packer Bake output channel.',
    },
  };
}
