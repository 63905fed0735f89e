/**
 * `packer-bake bake <template-or-folder>`: the editor's Bake AMI, headless, for
 * CI. The same vscode-free runner (same image, mounts, masking, cancel), the
 * same preflight (the analysis' findings for the configuration, with the
 * container's tool versions; `--fail-on` says which severities stop the bake),
 * and the exit code is Packer's.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { Analyzer, DEFAULT_SETTINGS, RULES, initHcl, type Finding, type RuleSeverity, type Template } from './analysis';
import { boundedDiskHost, cachedHost } from './diskHost';
import { dedupe, displayText as display, render } from './lintOutput';
import { hclRuntime } from './wasmPaths';
import { BakeRunner, type BakeResult } from '../../client/src/bake/runner';
import { checkBakeSettings, type BakeSettings } from '../../client/src/bake/settings';
import type { BakeRequest } from '../../client/src/bake/argv';
import { describeToolchain, type ToolchainVersions } from '../../client/src/bake/toolchain';

export const BAKE_USAGE = `Usage: packer-bake bake <template-or-folder> [options]

Runs \`packer build\` in a container whose /tmp is a mount of its own, as
"Packer: Bake AMI" does in VS Code: an HCL2 folder (or any .pkr.hcl file in it,
which stands for its folder) or a legacy JSON template. First the same checks
as \`packer-bake lint\`, with the container's own tool versions.

Options:
  --only <build>               a build to run (packer build -only); repeatable
  --var-file <file>            a var file (-var-file); repeatable, in order
  --var <name>=<value>         a variable (-var); repeatable. Give secrets as
                               PKR_VAR_<name> environment variables instead
  --cwd <dir>                  the directory Packer runs in (default: the one the
                               analysis infers, normally the template's folder)
  --engine docker|podman       the container engine (default: docker if it
                               answers, else podman)
  --engine-path <file>         the engine executable
  --engine-arg <arg>           an extra \`run\` argument, e.g. --engine-arg=--network
                               --engine-arg=host; repeatable
  --image <ref>                run this image instead of the bundled one
  --devcontainer               run in the folder's dev container (Dev Containers CLI)
  --devcontainer-config <file> a devcontainer.json other than .devcontainer/devcontainer.json
  --devcontainer-path <file>   the Dev Containers CLI executable (default: devcontainer)
  --tmp-mount tmpfs|bind       what /tmp is in the container (default: tmpfs)
  --no-control-path            do not set ANSIBLE_SSH_CONTROL_PATH in the container
  --plugin-volume <name>       volume for plugins packer init installs
                               (default: packer-bake-plugins; "" for none)
  --stop-timeout <seconds>     on SIGINT/SIGTERM, time Packer gets to clean up (default: 120)
  --fail-on <severity>         error, warning, info, hint or none: findings at
                               this severity or above stop the bake (default: error)
  --rule <id>=<severity>       as for lint; repeatable
  --safe-dir <dir>             as for lint; repeatable
  -h, --help                   show this help

Exit status: Packer's; 1 when the bake could not start (engine, image, the
checks above); 2 for bad usage.`;

export interface BakeCliIo {
  cwd: string;
  /** Writes a line (the newline is added). */
  out: (s: string) => void;
  err: (s: string) => void;
  /** The environment for the engine (credentials pass through by name). */
  env?: NodeJS.ProcessEnv;
  /** SIGINT/SIGTERM cancel the bake gracefully when given (the real process). */
  signals?: Pick<NodeJS.Process, 'on' | 'removeListener'>;
  color?: boolean;
  /** The bundled image's recipe (default: bake/Dockerfile next to the package). */
  dockerfile?: string;
  /** Build arguments of the bundled image (the tests' stand-in base images). */
  bundledBuildArgs?: Record<string, string>;
}

class BakeUsageError extends Error {}

const SEVERITY_RANK: Record<string, number> = { hint: 0, info: 1, warning: 2, error: 3 };
const SEVERITIES = ['error', 'warning', 'info', 'hint', 'off'];

export async function bakeMain(argv: string[], io: BakeCliIo): Promise<number> {
  try {
    return await bake(argv, io);
  } catch (e) {
    if (e instanceof BakeUsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`packer-bake bake: ${(e as Error).message}\n\n${BAKE_USAGE}`);
      return 2;
    }
    throw e;
  }
}

/** The configuration a path names: an HCL2 folder (a .pkr.hcl/.pkr.json stands for its folder) or a legacy JSON template. */
function configurationFiles(target: string): { format: 'hcl' | 'json'; target: string; files: string[] } {
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch {
    throw new BakeUsageError(`no such file or folder: ${target}`);
  }
  const folder = st.isDirectory() ? target : /\.pkr\.(hcl|json)$/i.test(target) ? path.dirname(target) : undefined;
  if (folder) {
    const files = fs.readdirSync(folder, { withFileTypes: true })
      .filter((d) => d.isFile() && /\.pkr\.(hcl|json)$/i.test(d.name)).map((d) => path.join(folder, d.name)).sort();
    if (files.length === 0) throw new BakeUsageError(`${target} holds no HCL2 template (*.pkr.hcl, *.pkr.json)`);
    return { format: 'hcl', target: folder, files };
  }
  if (!/\.json$/i.test(target)) throw new BakeUsageError(`${target} is neither an HCL2 folder, a .pkr.hcl file nor a legacy JSON template`);
  return { format: 'json', target, files: [target] };
}

async function bake(argv: string[], io: BakeCliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      only: { type: 'string', multiple: true, default: [] },
      'var-file': { type: 'string', multiple: true, default: [] },
      var: { type: 'string', multiple: true, default: [] },
      cwd: { type: 'string' },
      engine: { type: 'string' },
      'engine-path': { type: 'string' },
      'engine-arg': { type: 'string', multiple: true, default: [] },
      image: { type: 'string' },
      devcontainer: { type: 'boolean', default: false },
      'devcontainer-config': { type: 'string' },
      'devcontainer-path': { type: 'string' },
      'tmp-mount': { type: 'string' },
      'no-control-path': { type: 'boolean', default: false },
      'plugin-volume': { type: 'string' },
      'stop-timeout': { type: 'string' },
      'fail-on': { type: 'string', default: 'error' },
      rule: { type: 'string', multiple: true, default: [] },
      'safe-dir': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.out(BAKE_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new BakeUsageError(positionals.length === 0 ? 'which template or folder?' : `one template or folder, not ${positionals.length}`);
  const failOn = values['fail-on']!;
  if (!['error', 'warning', 'info', 'hint', 'none'].includes(failOn)) throw new BakeUsageError(`--fail-on must be error, warning, info, hint or none, not "${failOn}"`);
  if (values.image !== undefined && values.devcontainer) throw new BakeUsageError('--image and --devcontainer exclude each other');
  const rules: Record<string, RuleSeverity> = {};
  for (const r of values.rule!) {
    const [id, sev] = r.split('=');
    if (!RULES.some((x) => x.id === id)) throw new BakeUsageError(`unknown rule "${id}"`);
    if (!sev || !SEVERITIES.includes(sev)) throw new BakeUsageError(`--rule ${r}: severity must be error, warning, info, hint or off`);
    rules[id] = sev as RuleSeverity;
  }
  const variables: Record<string, string> = {};
  for (const v of values.var!) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new BakeUsageError(`--var ${v}: expected <name>=<value>`);
    variables[v.slice(0, eq)] = v.slice(eq + 1);
  }
  const number = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw new BakeUsageError(`${flag} must be a whole number of seconds`);
    return n;
  };
  const { settings, problems } = checkBakeSettings({
    container: values.devcontainer ? 'devcontainer' : values.image !== undefined ? 'image' : 'auto',
    containerEngine: values.engine ?? 'auto',
    enginePath: values['engine-path'] ?? '',
    image: values.image ?? '',
    tmpMount: values['tmp-mount'] ?? 'tmpfs',
    injectControlPath: !values['no-control-path'],
    extraEngineArgs: values['engine-arg'],
    stopTimeoutSeconds: number('--stop-timeout', values['stop-timeout']),
    pluginVolume: values['plugin-volume'],
    devcontainerPath: values['devcontainer-path'] ?? '',
  } satisfies Partial<Record<keyof BakeSettings, unknown>>);
  // A flag the user typed is not a setting to fall back from: say it and stop.
  if (problems.length > 0) throw new BakeUsageError(problems.map((p) => p.replace(/^packerBake\.bake\.(\S+)/, (_m, k: string) => flagOf(k))).join(' '));

  const config = configurationFiles(path.resolve(io.cwd, positionals[0]));
  await initHcl(hclRuntime());
  const host = cachedHost(boundedDiskHost({ limit: () => DEFAULT_SETTINGS.maxFileSize }));
  const analyze = (toolchain: ToolchainVersions) => {
    const analyzer = new Analyzer(host, { rules, safeDirectories: values['safe-dir']!, toolchain });
    return config.files.map((f) => analyzer.analyze(f, host.readFile(f) ?? ''));
  };
  const first = analyze({});
  const templates = first.map((r) => r.template).filter((t): t is Template => t !== undefined);
  if (config.format === 'json' && templates.length === 0) throw new BakeUsageError(`${positionals[0]} is not a legacy JSON Packer template (no "builders")`);
  const builds = [...new Set(templates.flatMap((t) => t.builders.map((b) => b.name)))];
  const only = values.only!.flatMap((o) => o.split(',')).map((o) => o.trim()).filter(Boolean);
  for (const o of only) if (!builds.includes(o) && !/[*?]/.test(o)) io.err(`packer-bake bake: warning: no build "${o}" in ${display(config.target, io.cwd)} (builds: ${builds.join(', ') || 'none'})`);

  const folder = config.format === 'json' ? path.dirname(config.target) : config.target;
  const inferred = first.map((r) => r.workingDirectory).find((w) => w && w.dir !== folder) ?? first.find((r) => r.workingDirectory)?.workingDirectory;
  const cwd = values.cwd !== undefined ? path.resolve(io.cwd, values.cwd) : inferred?.dir;
  if (values.cwd !== undefined && !isDirectory(cwd!)) throw new BakeUsageError(`--cwd ${values.cwd} is not a folder`);
  const request: BakeRequest = {
    target: config.target,
    format: config.format,
    ...(cwd && cwd !== folder ? { cwd } : {}),
    mountRoot: io.cwd,
    only,
    varFiles: values['var-file']!.map((v) => path.resolve(io.cwd, v)),
    variables,
    requiresInit: config.format === 'hcl' && templates.some((t) => t.requiresInit),
  };
  for (const v of request.varFiles) if (!fs.existsSync(v)) throw new BakeUsageError(`no such var file: ${display(v, io.cwd)}`);

  const toolchainSeen = new Map<string, ToolchainVersions>();
  const runner = new BakeRunner({
    request,
    settings,
    extensionVersion: packageVersion(),
    dockerfile: io.dockerfile ?? path.join(__dirname, '..', 'bake', 'Dockerfile'),
    ...(io.bundledBuildArgs ? { bundledBuildArgs: io.bundledBuildArgs } : {}),
    ...(settings.container === 'devcontainer'
      ? { devcontainer: { workspaceFolder: io.cwd, ...(values['devcontainer-config'] ? { config: path.resolve(io.cwd, values['devcontainer-config']) } : {}) } }
      : {}),
    env: io.env ?? process.env,
    color: io.color ?? false,
    toolchainCache: { get: (k) => toolchainSeen.get(k), set: (k, v) => { toolchainSeen.set(k, v); } },
    preflight: async (toolchain) => preflight(analyze(toolchain).flatMap((r) => r.findings), toolchain, failOn, io, (f) => host.readFile(f)),
  });
  // Every chunk the runner writes ends a line; `out` adds the newline back.
  runner.onOutput((text) => io.out(text.endsWith('\n') ? text.slice(0, -1) : text));

  const cancel = (signal: string) => {
    io.err(`packer-bake bake: ${signal}: cancelling (Packer gets ${settings.stopTimeoutSeconds} s to clean up)`);
    void runner.cancel();
  };
  const onInt = () => cancel('SIGINT');
  const onTerm = () => cancel('SIGTERM');
  io.signals?.on('SIGINT', onInt);
  io.signals?.on('SIGTERM', onTerm);
  let result: BakeResult;
  try {
    result = await runner.run();
  } finally {
    io.signals?.removeListener('SIGINT', onInt);
    io.signals?.removeListener('SIGTERM', onTerm);
  }
  if (result.exitCode !== null) return result.exitCode;
  return result.status === 'succeeded' ? 0 : 1;
}

/** Prints the findings; returns why the bake must stop, if findings reach `--fail-on`. */
function preflight(findings: Finding[], toolchain: ToolchainVersions, failOn: string, io: BakeCliIo, readText: (file: string) => string | undefined): string | undefined {
  const unique = dedupe(findings);
  const versions = describeToolchain(toolchain);
  io.out(`packer-bake: checked with ${versions || 'unknown tool versions'}:`);
  io.out(render('text', unique, { cwd: io.cwd, toolVersion: packageVersion(), readText }));
  io.out('');
  if (failOn === 'none') return undefined;
  const stopping = unique.filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]);
  if (stopping.length === 0) return undefined;
  return `${stopping.length} finding${stopping.length === 1 ? '' : 's'} at ${failOn} or above (--fail-on ${failOn}): `
    + 'fix them first (`packer-bake lint --fix`), or bake anyway with --fail-on none';
}

function flagOf(setting: string): string {
  const flags: Record<string, string> = {
    containerEngine: '--engine', tmpMount: '--tmp-mount', pluginVolume: '--plugin-volume', stopTimeoutSeconds: '--stop-timeout',
    extraEngineArgs: '--engine-arg', container: '--devcontainer',
  };
  return flags[setting] ?? `--${setting}`;
}

function isDirectory(p: string): boolean {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}

function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
