// Runner 2: the end-to-end suite in a real VS Code (1.100.3) on machines that
// cannot download VS Code desktop, CI included. VS Code's server and web
// workbench come from code-server (prepared and cached by prepare-vscode.sh);
// Debian's Chromium, driven by playwright-core, opens the workbench, which is
// what starts the extension host. The suite itself runs from the harness
// extension's activate() and reports through an events file.
//
// Two runs: a trusted workspace (--disable-workspace-trust) with the full
// suite, and Restricted Mode with suite/restricted/.
// Writes .test-results/e2e.json; exits non-zero on any failure.
//
//   node test/e2e/run.mjs [--only trusted|restricted] [--keep] [--screenshots DIR]
// Environment: PACKER_BAKE_E2E_TIMEOUT (ms per run, default 300000).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { followEvents, installBaseline, installExtension, printEvent, root, stageRun } from './stage.mjs';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const keep = args.includes('--keep');
const screenshotDir = args.includes('--screenshots') ? path.resolve(args[args.indexOf('--screenshots') + 1]) : undefined;
const runTimeout = Number(process.env.PACKER_BAKE_E2E_TIMEOUT ?? 300_000);
const chromiumPath = process.env.PACKER_BAKE_CHROMIUM ?? '/usr/bin/chromium';
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];

function prepareVscode() {
  const r = spawnSync('bash', [path.join(root, 'test/e2e/prepare-vscode.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`prepare-vscode.sh failed (exit ${r.status})`);
  return r.stdout.trim().split('\n').pop();
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Starts VS Code's server; resolves once it says it is listening. */
async function startServer(vscodeDir, dir, extensionsDir, trusted) {
  const port = await freePort();
  const log = fs.openSync(path.join(dir, 'server.log'), 'a');
  const serverArgs = ['out/server-main.js', '--host', '127.0.0.1', '--port', String(port),
    '--without-connection-token', '--accept-server-license-terms',
    '--user-data-dir', path.join(dir, 'user-data'), '--server-data-dir', path.join(dir, 'server-data'),
    '--extensions-dir', extensionsDir, '--disable-telemetry'];
  if (trusted) serverArgs.push('--disable-workspace-trust');
  // Own process group, so the extension host and language server go with it.
  const child = spawn(process.execPath, serverArgs, { cwd: vscodeDir, detached: true, stdio: ['ignore', 'pipe', log] });
  let out = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s; see ${dir}/server.log`)), 60_000);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}); see ${dir}/server.log`)); });
    child.stdout.on('data', (d) => {
      fs.appendFileSync(path.join(dir, 'server.log'), d);
      out += d;
      if (/listening on|Web UI available/i.test(out)) { clearTimeout(timer); resolve(); }
    });
  });
  child.removeAllListeners('exit');
  return { port, child, stop: () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ } } };
}

/**
 * User settings for the test profile: nothing may reach the network (there is
 * none; a failed lookup in another extension would surface as an uncaught
 * error in the shared extension host, which mocha pins on the running test).
 */
function writeUserSettings(userDataDir) {
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'workbench.enableExperiments': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'npm.fetchOnlinePackageInfo': false,
    'json.schemaDownload.enable': false,
    'typescript.disableAutomaticTypeAcquisition': true,
    'security.workspace.trust.startupPrompt': 'never',
    // For the README screenshot: the editor as most users have it, without sticky headers.
    'editor.stickyScroll.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
  }, null, 2));
}

async function runMode(browser, vscodeDir, base, mode) {
  const dir = path.join(base, mode);
  const extensionsDir = path.join(dir, 'extensions');
  fs.mkdirSync(extensionsDir, { recursive: true });
  installExtension(extensionsDir);
  installBaseline(extensionsDir);
  const staged = await stageRun(dir, mode, { extensionsDir, screenshots: true });
  const workspace = staged.workspace;
  writeUserSettings(path.join(dir, 'user-data'));
  const server = await startServer(vscodeDir, dir, extensionsDir, mode === 'trusted');
  const context = await browser.newContext({ viewport: { width: 1200, height: 720 } });
  const page = await context.newPage();
  const consoleLog = path.join(dir, 'browser-console.log');
  page.on('console', (m) => fs.appendFileSync(consoleLog, `[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => fs.appendFileSync(consoleLog, `[pageerror] ${e.stack ?? e}\n`));
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`no end of the ${mode} run after ${runTimeout / 1000} s; logs in ${dir}`)), runTimeout);
  server.child.once('exit', (code) => abort.abort(new Error(`the VS Code server exited (${code}) during the ${mode} run; logs in ${dir}`)));
  page.on('crash', () => abort.abort(new Error(`the workbench page crashed during the ${mode} run; logs in ${dir}`)));
  try {
    const t0 = Date.now();
    const ended = followEvents(staged.eventsFile, (e) => {
      if (e.event === 'start') console.log(`\n  [${mode}] extension host started the suite ${((Date.now() - t0) / 1000).toFixed(1)} s after the workbench was opened`);
      printEvent(e);
      if (e.event === 'screenshot') void takeScreenshot(page, e, dir);
      if (e.event === 'click') void click(page, e);
      if (e.event === 'answer') void answer(page, e);
    }, { signal: abort.signal });
    await page.goto(`http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(workspace)}`);
    return await ended;
  } finally {
    clearTimeout(timer);
    await context.close().catch(() => {});
    server.stop();
  }
}

/** Writes an ack whole: the suite reads it as soon as the name appears. */
function writeAck(file, text) {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
}

/** The suite asks for a click with an event and waits for `<ack>`, which says `clicked` or why not. */
async function click(page, e) {
  let result = 'clicked';
  try {
    const target = page.locator(e.selector).filter({ hasText: e.text }).first();
    // Under load the workbench can take a while to render the element (a list row, a dialog): wait for it,
    // bring it into view, then click; a toast or dialog over it shows in the call log kept below.
    await target.waitFor({ state: 'visible', timeout: 20_000 });
    await target.scrollIntoViewIfNeeded({ timeout: 5_000 });
    await target.click({ timeout: 10_000 });
  } catch (err) {
    const lines = err.message.split('\n').map((l) => l.trim()).filter(Boolean);
    result = `not clicked: ${[lines[0], ...lines.slice(1).slice(-3)].join(' | ')}`;
  }
  writeAck(e.ack, result);
}

/**
 * The suite answers a quick pick or input box: once the quick input titled
 * `title` is shown, types `text` into it (replacing its value, which filters
 * a pick's items) and presses Enter. The ack says `answered` or why not.
 */
async function answer(page, e) {
  let result = 'answered';
  try {
    await page.locator('.quick-input-widget .quick-input-title').filter({ hasText: e.title }).first().waitFor({ state: 'visible', timeout: 15_000 });
    const input = page.locator('.quick-input-widget .quick-input-box input').first();
    await input.fill(e.text, { timeout: 10_000 });
    // The list filters as the input changes; let it render before accepting.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await input.press('Enter', { timeout: 10_000 });
  } catch (err) {
    result = `not answered: ${err.message.split('\n')[0]}`;
  }
  writeAck(e.ack, result);
}

/** The suite asks for a screenshot with an event and waits for `<file>.done`. */
async function takeScreenshot(page, e, dir) {
  const target = screenshotDir ? path.join(screenshotDir, e.name) : path.join(dir, e.name);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  try {
    if (e.selector) await page.locator(e.selector).first().waitFor({ state: 'visible', timeout: 10_000 }).catch(() => {});
    // Let the workbench finish painting (fonts, decorations) after the last change.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.screenshot({ path: target, type: target.endsWith('.jpg') ? 'jpeg' : 'png', quality: target.endsWith('.jpg') ? 80 : undefined });
    console.log(`    (screenshot ${target}, ${(fs.statSync(target).size / 1024).toFixed(0)} KiB)`);
  } finally {
    fs.writeFileSync(e.ack, 'done');
  }
}

async function main() {
  const t0 = Date.now();
  const vscodeDir = prepareVscode();
  console.log(`e2e: VS Code server ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${vscodeDir})`);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-e2e-'));
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const totals = { passed: 0, failed: 0, skipped: 0 };
  try {
    for (const mode of ['trusted', 'restricted']) {
      if (only && only !== mode) continue;
      let end;
      try {
        end = await runMode(browser, vscodeDir, base, mode);
      } catch (err) {
        console.log(`    \u2716 [${mode}] ${err.message}`);
        end = { passed: 0, failed: 1, skipped: 0 };
      }
      totals.passed += end.passed; totals.failed += end.failed; totals.skipped += end.skipped;
    }
  } finally {
    await browser.close();
  }
  const resultsDir = path.join(root, '.test-results');
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, 'e2e.json'), JSON.stringify({ tier: 'e2e', ...totals }));
  console.log(`\n  e2e: ${totals.passed} passing, ${totals.failed} failing, ${totals.skipped} pending (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  if (totals.failed > 0 || keep) console.log(`  logs and workspaces kept in ${base}`);
  else fs.rmSync(base, { recursive: true, force: true });
  process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
}

main().catch((err) => { console.error(err); process.exit(1); });
