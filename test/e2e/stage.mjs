// Stages one end-to-end run: the built extension as VS Code would install it,
// the harness extension and the compiled suite, a fresh copy of the example
// workspace, and the config the harness reads. Shared by run.mjs (code-server)
// and runVscode.mjs (@vscode/test-electron).
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
export const extensionId = `${manifest.publisher}.${manifest.name}`;

/** The files of the extension as packaged (the allow-list in .vscodeignore), relative to the root. */
const packagedEntries = ['package.json', 'dist', 'syntaxes', 'bake/Dockerfile', 'images/icon.png', 'README.md', 'CHANGELOG.md', 'LICENSE'];

/** Copies the built extension into `extensionsDir` as `<publisher>.<name>-<version>/`. */
export function installExtension(extensionsDir) {
  if (!fs.existsSync(path.join(root, manifest.main))) {
    throw new Error(`${manifest.main} is missing: run \`npm run build\` first`);
  }
  const dest = path.join(extensionsDir, `${extensionId}-${manifest.version}`);
  for (const entry of packagedEntries) {
    const from = path.join(root, entry);
    if (!fs.existsSync(from)) continue;
    fs.cpSync(from, path.join(dest, entry), { recursive: true, filter: (f) => !f.endsWith('.map') });
  }
  return dest;
}

/** The trivial extension whose activation the suite compares packer-bake's with (same activation events, an empty activate()). */
export const BASELINE_ID = 'packer-bake-test.e2e-baseline';

/** Writes the baseline extension into `extensionsDir`; returns its folder. */
export function installBaseline(extensionsDir) {
  const dest = path.join(extensionsDir, `${BASELINE_ID}-0.0.1`);
  fs.mkdirSync(dest, { recursive: true });
  fs.writeFileSync(path.join(dest, 'package.json'), JSON.stringify({
    name: 'e2e-baseline', displayName: 'packer-bake e2e baseline', version: '0.0.1', publisher: 'packer-bake-test', private: true,
    description: 'Test-only extension: activates on the same events as packer-bake and does nothing, as a baseline for activation times.',
    engines: manifest.engines, activationEvents: manifest.activationEvents, main: './extension.js',
    capabilities: { untrustedWorkspaces: { supported: true }, virtualWorkspaces: false },
  }, null, 2));
  fs.writeFileSync(path.join(dest, 'extension.js'), 'exports.activate = function () {};\nexports.deactivate = function () {};\n');
  return dest;
}

/** The suite files for a mode: `suite/*.test.ts` for a trusted workspace, `suite/restricted/*.test.ts` for Restricted Mode. */
export function suiteFiles(mode, only = process.env.PACKER_BAKE_E2E_FILES) {
  const dir = path.join(root, 'test', 'e2e', 'suite', mode === 'restricted' ? 'restricted' : '');
  // PACKER_BAKE_E2E_FILES=a,b runs only the suite files whose names contain a or b (while working on them).
  const wanted = only ? only.split(',') : undefined;
  return fs.readdirSync(dir).filter((f) => f.endsWith('.test.ts') && (!wanted || wanted.some((w) => f.includes(w)))).sort().map((f) => path.join(dir, f));
}

const esbuildCommon = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  external: ['vscode'],
  logLevel: 'warning',
};

/**
 * Builds the harness (into `extensionsDir`) and the suite for `mode`, copies
 * the example workspace into `dir`, and writes the harness config.
 * Returns { harnessDir, electronIndex, configFile, eventsFile, workspace }.
 */
export async function stageRun(dir, mode, { extensionsDir = path.join(dir, 'extensions'), timeout = 60_000, screenshots = false } = {}) {
  const harnessDir = path.join(extensionsDir, 'packer-bake-test.e2e-harness-0.0.1');
  fs.mkdirSync(path.join(harnessDir, 'out', 'suite'), { recursive: true });
  fs.copyFileSync(path.join(root, 'test/e2e/harness/package.json'), path.join(harnessDir, 'package.json'));
  const files = suiteFiles(mode);
  await Promise.all([
    build({ ...esbuildCommon, entryPoints: [path.join(root, 'test/e2e/harness/src/extension.ts')], outfile: path.join(harnessDir, 'out/extension.js') }),
    build({ ...esbuildCommon, entryPoints: [path.join(root, 'test/e2e/harness/src/electronIndex.ts')], outfile: path.join(dir, 'electron/index.js') }),
    build({ ...esbuildCommon, entryPoints: files, outdir: path.join(harnessDir, 'out/suite') }),
  ]);
  // The bake tier's fake container engine, for the Bake AMI tests.
  fs.copyFileSync(path.join(root, 'test/bake/fakeEngine.cjs'), path.join(harnessDir, 'out/suite/fakeEngine.cjs'));
  const workspace = path.join(dir, 'workspace');
  fs.cpSync(path.join(root, 'examples'), workspace, { recursive: true });
  const eventsFile = path.join(dir, 'events.jsonl');
  const config = {
    mochaPath: path.dirname(require.resolve('mocha/package.json')),
    files: files.map((f) => path.join(harnessDir, 'out/suite', path.basename(f, '.ts') + '.js')),
    eventsFile,
    timeout,
    mode,
    screenshots,
  };
  const configFile = path.join(harnessDir, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  return { harnessDir, electronIndex: path.join(dir, 'electron/index.js'), configFile, eventsFile, workspace };
}

/**
 * Follows the JSON-lines events file the harness appends to, calling `onEvent`
 * for each, and resolves with the `end` event. Woken by file-system events.
 */
export function followEvents(file, onEvent, { signal } = {}) {
  return new Promise((resolve, reject) => {
    let offset = 0;
    let pending = '';
    const dirWatcher = fs.watch(path.dirname(file), () => drain());
    const finish = (fn, v) => { dirWatcher.close(); signal?.removeEventListener('abort', onAbort); fn(v); };
    const onAbort = () => finish(reject, signal.reason);
    signal?.addEventListener('abort', onAbort);
    function drain() {
      if (!fs.existsSync(file)) return;
      const buf = fs.readFileSync(file);
      if (buf.length <= offset) return;
      pending += buf.subarray(offset).toString('utf8');
      offset = buf.length;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (!line.trim()) continue;
        const e = JSON.parse(line);
        onEvent(e);
        if (e.event === 'end') return finish(resolve, e);
      }
    }
    drain();
  });
}

/** Mocha-like printing of the harness events. */
export function printEvent(e) {
  switch (e.event) {
    case 'start': console.log(`\n  [${e.mode}] ${e.total} test(s)`); break;
    case 'pass': console.log(`    \u2714 ${e.fullTitle} (${e.duration} ms)`); break;
    case 'pending': console.log(`    - ${e.fullTitle} (skipped)`); break;
    case 'fail': console.log(`    \u2716 ${e.fullTitle}\n${e.error.split('\n').map((l) => '        ' + l).join('\n')}`); break;
    case 'end': if (e.error) console.log(`    harness error: ${e.error}`); break;
  }
}
