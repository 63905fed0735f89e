/**
 * `packer-bake lint [paths...]`: the language server's findings for CI
 * pipelines, from the same analysis core, over the same walk
 * (workspaceScan.ts) and the same bounded reads (boundedRead.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import * as v8 from 'v8';
import { Analyzer, DEFAULT_SETTINGS, RULES, type AnalysisSettings, type RuleSeverity } from './analysis';
import { MAX_LISTING, boundedDiskHost, cachedHost, listingOf } from './diskHost';
import { EditScope } from './editScope';
import { WriteRefused, digest, writeIfUnchanged } from './fileWrite';
import { FixSession } from './fixSession';
import { FORMATS, annotationsBeside, dedupe, displayText, render, type Format, type RenderContext } from './lintOutput';
import { encodeText } from './textBytes';
import { hclRuntime } from './wasmPaths';
import { hclSettled, lazyHcl, loadHcl } from './analysis/hclParser';
import { TargetWalk } from './workspaceScan';
import { MAX_FILE_SIZE_CAP } from './shared/settings';
import { bakeMain } from './cliBake';
import { FileLinter, PARALLEL_MIN_FILES, defaultJobs, isLintReader, isLintWorker, lintInWorkers, lintPipelined, serveLintReader, serveLintWorker, type LintOutcome } from './lintWorkers';

const USAGE = `Usage: packer-bake lint [options] [--] [paths...]
       packer-bake bake <template-or-folder> [options]   (see packer-bake bake --help)

Checks Packer templates (legacy JSON, *.pkr.hcl, *.pkr.json) for Ansible SSH
control-socket problems, and the containers they run in: devcontainer.json,
GitHub Actions workflows, Jenkinsfiles. Paths are files or folders (default:
the current folder); folders named node_modules, dist or out and hidden
folders other than .devcontainer and .github are skipped.

Options:
  --format <format>          text (default), json, sarif (GitHub code scanning),
                             github (workflow-command annotations) or rdjson (reviewdog);
                             with text in GitHub Actions, annotations also go to stderr
  --rule <id>=<severity>     error, warning, info, hint or off; repeatable
  --safe-dir <dir>           another directory where sockets work; repeatable
  --max-file-size <bytes>    read no file larger than this: templates, ansible.cfg,
                             sibling and var files (default: 5242880)
  --cwd <dir>                the directory Packer is started in (default: inferred per
                             template from its relative paths, e.g. playbook_file)
  --toolchain <tool>=<ver>   the version that will run the build: packer, ansiblePlugin,
                             ansible (ansible-core) or openssh (e.g. openssh=9.2p1); repeatable
  --fix                      apply the preferred fixes in place, then report what is left;
                             only files inside the paths given are written
  -j, --jobs <n>             threads for a large lint (200 files or more): 1, one thread;
                             2, one reads the files while the other analyses them; more,
                             each lints whole folders (default: 2 on 2 or 3 cores, else
                             one per core but one, at most 8)
  --verbose                  say on stderr how many files were linted, on how many
                             threads, in how long
  -h, --help                 show this help
  -v, --version              show the version
  --                         everything after it is a path, even if it starts with -

Exit status: 0 when nothing at warning or above was found, 1 when something was,
2 for bad usage (or an internal error), 3 when a file could not be read, analysed
or written, or a folder had more than 50,000 entries (each is named on stderr;
the others were still linted).`;

const SEVERITIES = new Set(['error', 'warning', 'info', 'hint', 'off']);

class UsageError extends Error {}

export interface CliIo {
  cwd: string;
  out: (s: string) => void;
  err: (s: string) => void;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  if (argv[0] === 'bake') return bakeMain(argv.slice(1), { ...io, env: process.env, signals: process, color: process.stdout.isTTY === true });
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`packer-bake: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

/**
 * A shell glob puts file names on the command line: `packer-bake lint *` in a
 * folder holding a file named `--fix` would otherwise rewrite files. An
 * argument before `--` that looks like an option and names an existing file
 * is refused; after `--` everything is a path.
 */
function refuseAmbiguousArguments(argv: string[], cwd: string): void {
  for (const arg of argv) {
    if (arg === '--') return;
    if (!arg.startsWith('-') || arg === '-') continue;
    let exists = true;
    try {
      fs.lstatSync(path.resolve(cwd, arg));
    } catch {
      exists = false;
    }
    if (exists) throw new UsageError(`${JSON.stringify(arg)} is an option and also a file in this folder; put paths after "--" (packer-bake lint [options] -- paths...)`);
  }
}

interface Options {
  format: Format;
  fix: boolean;
  /** Worker threads for a large lint (1: none). */
  jobs: number;
  /** Say on stderr how many files were linted, on how many threads, in how long. */
  verbose: boolean;
  settings: AnalysisSettings;
  /** Absolute paths to lint, as given. */
  targets: string[];
}

/** The command line, checked; undefined when it asked for help or the version (already printed). */
function parseCommandLine(argv: string[], io: CliIo): Options | undefined {
  refuseAmbiguousArguments(argv, io.cwd);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      rule: { type: 'string', multiple: true, default: [] },
      'safe-dir': { type: 'string', multiple: true, default: [] },
      'max-file-size': { type: 'string' },
      toolchain: { type: 'string', multiple: true, default: [] },
      cwd: { type: 'string' },
      fix: { type: 'boolean', default: false },
      jobs: { type: 'string', short: 'j' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
    },
  });
  if (values.help) {
    io.out(USAGE);
    return undefined;
  }
  if (values.version) {
    io.out(version());
    return undefined;
  }
  const [command, ...paths] = positionals;
  if (command !== 'lint') throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : 'missing command');
  const format = values.format!;
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be ${FORMATS.join(', ')}, not ${JSON.stringify(format)}`);
  const rules: Record<string, RuleSeverity> = {};
  for (const r of values.rule!) {
    const [id, sev] = r.split('=');
    if (!RULES.some((x) => x.id === id)) throw new UsageError(`unknown rule ${JSON.stringify(id)} (rules: ${RULES.map((x) => x.id).join(', ')})`);
    if (!sev || !SEVERITIES.has(sev)) throw new UsageError(`--rule ${r}: severity must be error, warning, info, hint or off`);
    rules[id] = sev as RuleSeverity;
  }
  let maxFileSize = DEFAULT_SETTINGS.maxFileSize;
  if (values['max-file-size'] !== undefined) {
    maxFileSize = Number(values['max-file-size']);
    if (!Number.isInteger(maxFileSize) || maxFileSize <= 0 || maxFileSize > MAX_FILE_SIZE_CAP) {
      throw new UsageError(`--max-file-size must be a whole number of bytes from 1 to ${MAX_FILE_SIZE_CAP}`);
    }
  }
  const toolchain: Record<string, string> = {};
  for (const t of values.toolchain!) {
    const [tool, ver] = t.split('=');
    if (!['packer', 'ansiblePlugin', 'ansible', 'openssh'].includes(tool) || !ver || !/\d/.test(ver)) throw new UsageError(`--toolchain ${t}: expected packer=<version>, ansiblePlugin=<version>, ansible=<version> or openssh=<version>`);
    toolchain[tool] = ver;
  }
  const targets = (paths.length ? paths : ['.']).map((t) => {
    const abs = path.resolve(io.cwd, t);
    if (!fs.existsSync(abs)) throw new UsageError(`no such file or folder: ${JSON.stringify(t)}`);
    return abs;
  });
  let jobs = defaultJobs();
  if (values.jobs !== undefined) {
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new UsageError('--jobs must be a whole number from 1 to 64');
  }
  let workingDirectory: string | undefined;
  if (values.cwd !== undefined) {
    workingDirectory = path.resolve(io.cwd, values.cwd);
    if (!fs.statSync(workingDirectory, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--cwd ${JSON.stringify(values.cwd)}: not a folder`);
  }
  // The working-directory search stays inside the current folder (where `packer build` would be typed)
  // and the folders given outside it.
  const roots = [io.cwd, ...targets.map((p) => (fs.statSync(p).isDirectory() ? p : path.dirname(p)))
    .filter((p) => path.relative(io.cwd, p).startsWith('..') || path.isAbsolute(path.relative(io.cwd, p)))];
  return { format: format as Format, fix: values.fix!, jobs, verbose: values.verbose!, targets, settings: { rules, safeDirectories: values['safe-dir']!, toolchain, maxFileSize, roots, workingDirectory } };
}

/** Files that could not be read, analysed or written, folders not walked whole: each named on stderr once, and exit status 3. */
class Problems {
  count = 0;
  constructor(private readonly io: CliIo) {}

  add(file: string, what: string, why: string): void {
    this.count++;
    this.io.err(`packer-bake: ${displayText(file, this.io.cwd)}: ${what}: ${why}`);
  }
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const options = parseCommandLine(argv, io);
  if (!options) return 0;
  // The walk's folder listings, for the analysis's working-directory search (which lists the same folders).
  const listings = new Map<string, string[]>();
  const problems = new Problems(io);
  const cut = (d: string) => problems.add(d, 'not walked whole', `it has more than ${MAX_LISTING.toLocaleString('en-US')} entries; the templates among the first ${MAX_LISTING.toLocaleString('en-US')} were linted`);
  const walk = TargetWalk.of(options.targets, { onListing: (d, entries) => listings.set(d, listingOf(entries)), onCut: cut });
  // Two threads make a pipeline (lintPipelined), which starts reading once the walk has found enough files.
  // Worker threads run this bundle: only from the bundle (tests that import this file run one thread).
  const pipelined = options.jobs === 2 && !options.fix && __filename.endsWith('.js');
  let files = walk.take(pipelined ? PARALLEL_MIN_FILES : Infinity);
  // The HCL parser (WebAssembly) is loaded when the first HCL2 text is parsed, not before: a run over
  // legacy JSON templates never loads it. No spare instance ahead of time either (see hclParser.ts).
  lazyHcl(() => hclRuntime(), { spare: false });
  if (options.fix) {
    const fixed = await fixFiles(files, options, problems, io);
    if (options.format === 'text') io.err(`packer-bake: applied ${fixed} fix${fixed === 1 ? '' : 'es'}`);
  }
  const started = performance.now();
  const linter = new FileLinter(options.settings, listings);
  let threads = 1;
  let outcome: LintOutcome;
  if (pipelined && files.length === PARALLEL_MIN_FILES) {
    threads = 2;
    ({ files, outcome } = await lintPipelined(__filename, files, walk, options.settings.maxFileSize, linter));
  } else {
    files.push(...walk.rest());
    threads = files.length >= PARALLEL_MIN_FILES && __filename.endsWith('.js') ? Math.min(options.jobs, Math.ceil(files.length / (PARALLEL_MIN_FILES / 2))) : 1;
    outcome = threads > 1 ? await lintInWorkers(__filename, files, options.settings, threads, linter) : await linter.lint(files);
  }
  if (options.verbose) io.err(`packer-bake: linted ${files.length} file${files.length === 1 ? '' : 's'} on ${threads} thread${threads === 1 ? '' : 's'} in ${Math.round(performance.now() - started)} ms`);
  for (const p of outcome.problems) problems.add(p.file, p.what, p.why);
  const findings = outcome.findings;
  const unique = dedupe(findings);
  const output: RenderContext = { cwd: io.cwd, toolVersion: version(), readText: (f) => linter.readFile(f), env: process.env };
  io.out(render(options.format, unique, output));
  const annotations = annotationsBeside(options.format, unique, output);
  if (annotations) io.err(annotations);
  if (problems.count > 0) return 3;
  return unique.some((f) => f.severity === 'error' || f.severity === 'warning') ? 1 : 0;
}

/**
 * Applies the preferred fixes of every template (FixSession: one at a time,
 * re-analysing after each), then writes each changed file once, if it is
 * inside the paths given and still what was read. Returns the fixes written.
 */
async function fixFiles(files: string[], options: Options, problems: Problems, io: CliIo): Promise<number> {
  const limit = options.settings.maxFileSize;
  const read = new Map<string, string>();
  const base = cachedHost(
    boundedDiskHost({
      limit: () => limit,
      // The first read is what the fixes start from; a later read of a changed file must not hide the change.
      onRead: (f, r) => r.ok && !r.binary && !read.has(f) && read.set(f, digest(r.bytes)),
    }),
  );
  const scope = EditScope.of(options.targets);
  const session = new FixSession({ base, refusal: (f) => scope.refusal(f, 'outside the paths given') });
  const analyzer = new Analyzer(session.host, options.settings, { findingsOnly: true });
  // A fix session re-analyses as it goes: the parser is loaded before, not in the middle of one.
  if (files.length > 0) await loadHcl();
  for (const file of files) {
    await hclSettled();
    try {
      session.fix(file, (text) => analyzer.analyze(file, text));
    } catch (e) {
      problems.add(file, 'cannot analyse', e instanceof Error ? e.message : String(e));
    }
  }
  const failed = new Set<string>();
  for (const change of session.changes()) {
    try {
      writeIfUnchanged(change.file, encodeText(change.after), read.get(change.file)!, limit);
    } catch (e) {
      if (!(e instanceof WriteRefused)) throw e;
      failed.add(change.file);
      problems.add(change.file, 'cannot write', e.message);
    }
  }
  for (const w of session.withheld()) io.err(`packer-bake: not fixed: ${displayText(w.file, io.cwd)} (${w.ruleId}): ${w.reason}`);
  return session.appliedExcept(failed);
}

function version(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/**
 * How much V8 lets the old generation grow before collecting again, in
 * percent. A lint allocates hundreds of MB of texts and trees that die young,
 * while what is live stays under 100 MiB. On the benchmark's 5,000 templates,
 * one thread, three runs each, interleaved: V8's own choice peaked at
 * 216-231 MiB, 30% at 157-172 MiB, in 1.0-1.1x the time; 100% at 175-194 MiB
 * (docs/BENCHMARKS.md, measure d).
 */
const HEAP_GROWING_PERCENT = 30;

/**
 * How much bytecode V8's optimizing compiler inlines into one function, in
 * all (V8's default: 920). A lint runs its code once over thousands of
 * templates, and a quarter of its time or more goes before that code is
 * optimized: the compiler thread works through the queue of hot functions
 * while the main thread runs slower code, and a large function that inlined
 * much is compiled again whole when one inlined call meets a new shape. Less
 * inlining empties the queue sooner (docs/BENCHMARKS.md, measure d, (21)).
 */
const INLINED_BYTECODE_CUMULATIVE = 150;

if (isLintWorker()) serveLintWorker();
else if (isLintReader()) serveLintReader();
else if (require.main === module) {
  // V8 picks the old generation's growth from the allocation rate, and a lint allocates hundreds of MB that die
  // young (HEAP_GROWING_PERCENT). V8 reads this flag at each collection, so setting it now takes effect; the
  // command line cannot be assumed (npx, bins).
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  // Read at each optimization, so it applies to this run's (and its workers') compilations.
  v8.setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${INLINED_BYTECODE_CUMULATIVE}`);
  // Set the exit code and let Node finish writing: process.exit() would cut piped output at 64 KiB.
  main(process.argv.slice(2), { cwd: process.cwd(), out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`packer-bake: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
