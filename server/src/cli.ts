/**
 * `packer-bake lint [paths...]`: the language server's findings for CI
 * pipelines, from the same analysis core.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { Analyzer, RULES, applyEdits, fixAll, formatForName, initHcl, type Finding, type RuleSeverity } from './analysis';
import { dedupe, display, render } from './lintOutput';
import { cachedHost, diskHost } from './diskHost';
import { bundledWasmPaths } from './wasmPaths';
import { bakeMain } from './cliBake';

const USAGE = `Usage: packer-bake lint [paths...] [options]
       packer-bake bake <template-or-folder> [options]   (see packer-bake bake --help)

Checks Packer templates (legacy JSON, *.pkr.hcl, *.pkr.json) for Ansible SSH
control-socket problems. Paths are files or folders (default: the current folder).

Options:
  --format text|json|sarif   output format (default: text)
  --rule <id>=<severity>     error, warning, info, hint or off; repeatable
  --safe-dir <dir>           another directory where sockets work; repeatable
  --max-file-size <bytes>    skip larger templates (default: 5242880)
  --toolchain <tool>=<ver>   the version that will run the build: packer, ansiblePlugin,
                             ansible (ansible-core) or openssh (e.g. openssh=9.2p1); repeatable
  --fix                      apply the preferred fixes in place, then report what is left
  -h, --help                 show this help
  -v, --version              show the version

Exit status: 0 when nothing at warning or above was found, 1 when something was, 2 for bad usage.`;

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out']);
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

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      rule: { type: 'string', multiple: true, default: [] },
      'safe-dir': { type: 'string', multiple: true, default: [] },
      'max-file-size': { type: 'string' },
      toolchain: { type: 'string', multiple: true, default: [] },
      fix: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
    },
  });
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (values.version) {
    io.out(version());
    return 0;
  }
  const [command, ...paths] = positionals;
  if (command !== 'lint') throw new UsageError(command ? `unknown command "${command}"` : 'missing command');
  const format = values.format!;
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`--format must be text, json or sarif, not "${format}"`);
  const rules: Record<string, RuleSeverity> = {};
  for (const r of values.rule!) {
    const [id, sev] = r.split('=');
    if (!RULES.some((x) => x.id === id)) throw new UsageError(`unknown rule "${id}" (rules: ${RULES.map((x) => x.id).join(', ')})`);
    if (!sev || !SEVERITIES.has(sev)) throw new UsageError(`--rule ${r}: severity must be error, warning, info, hint or off`);
    rules[id] = sev as RuleSeverity;
  }
  let maxFileSize: number | undefined;
  if (values['max-file-size'] !== undefined) {
    maxFileSize = Number(values['max-file-size']);
    if (!Number.isInteger(maxFileSize) || maxFileSize <= 0) throw new UsageError('--max-file-size must be a positive whole number of bytes');
  }
  const toolchain: Record<string, string> = {};
  for (const t of values.toolchain!) {
    const [tool, ver] = t.split('=');
    if (!['packer', 'ansiblePlugin', 'ansible', 'openssh'].includes(tool) || !ver || !/\d/.test(ver)) throw new UsageError(`--toolchain ${t}: expected packer=<version>, ansiblePlugin=<version>, ansible=<version> or openssh=<version>`);
    toolchain[tool] = ver;
  }
  const targets = paths.length ? paths : ['.'];
  const files: string[] = [];
  for (const t of targets) {
    const abs = path.resolve(io.cwd, t);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      throw new UsageError(`no such file or folder: ${t}`);
    }
    if (st.isDirectory()) walk(abs, files);
    else files.push(abs);
  }

  await initHcl(bundledWasmPaths());
  const host = cachedHost(diskHost);
  const analyzer = new Analyzer(host, { rules, safeDirectories: values['safe-dir']!, toolchain, ...(maxFileSize ? { maxFileSize } : {}) });
  const findings: Finding[] = [];
  let fixed = 0;
  for (const file of files) {
    const text = host.readFile(file);
    if (text === undefined) {
      io.err(`packer-bake: cannot read ${display(file, io.cwd)}`);
      continue;
    }
    if (values.fix) {
      const r = fixAll(analyzer, file, text);
      if (r.applied > 0) {
        fs.writeFileSync(file, r.text);
        host.forget(file);
        fixed += r.applied;
      }
      fixed += fixOtherFiles(analyzer, host, file, r.text);
    }
    findings.push(...analyzer.analyze(file, host.readFile(file) ?? text).findings);
  }
  const unique = dedupe(findings);
  io.out(render(format, unique, io.cwd, version()));
  if (values.fix && format === 'text') io.err(`packer-bake: applied ${fixed} fix${fixed === 1 ? '' : 'es'}`);
  return unique.some((f) => f.severity === 'error' || f.severity === 'warning') ? 1 : 0;
}

/** Preferred fixes that edit another file (an ansible.cfg), applied once each. */
function fixOtherFiles(analyzer: Analyzer, host: ReturnType<typeof cachedHost>, file: string, text: string): number {
  let n = 0;
  for (const f of analyzer.analyze(file, text).findings) {
    const fix = f.fixes.find((x) => x.isPreferred);
    if (!fix || fix.edits.every((e) => e.file === file)) continue;
    for (const e of fix.edits) {
      const current = host.readFile(e.file);
      if (current === undefined) continue;
      fs.writeFileSync(e.file, applyEdits(current, e.edits));
      host.forget(e.file);
      analyzer.invalidate(e.file);
    }
    n++;
  }
  return n;
}

function walk(dir: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(p, out);
    } else if (e.isFile() && formatForName(e.name)) {
      out.push(p);
    }
  }
}

function version(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

if (require.main === module) {
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
