// Runner 1: the same end-to-end suite in VS Code desktop downloaded by
// @vscode/test-electron, for machines that can download VS Code. (The CI
// machines cannot; they use run.mjs, Runner 2.) Needs a display: run it under
// xvfb-run on a headless Linux machine.
//
//   node test/e2e/runVscode.mjs [--only trusted|restricted]
// Environment: PACKER_BAKE_VSCODE_VERSION (default "stable").
import { runTests } from '@vscode/test-electron';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { followEvents, installBaseline, printEvent, root, stageRun } from './stage.mjs';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const version = process.env.PACKER_BAKE_VSCODE_VERSION ?? 'stable';

async function main() {
  if (!fs.existsSync(path.join(root, 'dist', 'client.js'))) throw new Error('dist/client.js is missing: run `npm run build` first');
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-vscode-'));
  const totals = { passed: 0, failed: 0, skipped: 0 };
  for (const mode of ['trusted', 'restricted']) {
    if (only && only !== mode) continue;
    const dir = path.join(base, mode);
    const staged = await stageRun(dir, mode);
    const ended = followEvents(staged.eventsFile, printEvent);
    try {
      await runTests({
        version,
        // The baseline extension the activation test compares with, loaded beside the one under test.
        extensionDevelopmentPath: [root, installBaseline(path.join(dir, 'baseline'))],
        extensionTestsPath: staged.electronIndex,
        extensionTestsEnv: { PACKER_BAKE_E2E_CONFIG: staged.configFile },
        launchArgs: [staged.workspace, '--disable-extensions', '--user-data-dir', path.join(dir, 'user-data'),
          ...(mode === 'trusted' ? ['--disable-workspace-trust'] : [])],
      });
    } catch (err) {
      // runTests rejects when the suite fails; the events say which tests.
      if (!fs.existsSync(staged.eventsFile)) throw err;
    }
    const end = await ended;
    totals.passed += end.passed; totals.failed += end.failed; totals.skipped += end.skipped;
  }
  const resultsDir = path.join(root, '.test-results');
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, 'vscode.json'), JSON.stringify({ tier: 'vscode', ...totals }));
  console.log(`\n  vscode: ${totals.passed} passing, ${totals.failed} failing, ${totals.skipped} pending`);
  fs.rmSync(base, { recursive: true, force: true });
  process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
}

main().catch((err) => { console.error(err); process.exit(1); });
