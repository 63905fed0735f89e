/**
 * Runs the end-to-end mocha suite inside the VS Code extension host and
 * reports each result as one JSON line appended to `eventsFile`, so the runner
 * outside VS Code can follow progress and knows the run is over when the
 * `end` event arrives. Shared by both runners (code-server and test-electron).
 */
import fs from 'node:fs';
import path from 'node:path';

/** What the runner hands the harness, as `config.json` beside it or via an environment variable. */
export interface SuiteConfig {
  /** Absolute path of the mocha package to load (the project's own). */
  mochaPath: string;
  /** Absolute paths of the compiled test files, in order. */
  files: string[];
  /** JSON-lines file the events are appended to. */
  eventsFile: string;
  /** Per-test timeout in ms. */
  timeout: number;
  /** Label of this run ("trusted", "restricted"), echoed into the events. */
  mode: string;
  /** True when the runner can take screenshots of the workbench (code-server + Chromium). */
  screenshots?: boolean;
}

/**
 * What the suite can ask of the runner, as `globalThis.packerBakeE2E`: a
 * screenshot of the workbench, taken once `selector` (if given) is visible.
 * Resolves when taken, or at once where the runner cannot take screenshots.
 */
export interface E2EHost {
  screenshot(name: string, selector?: string): Promise<void>;
  /**
   * A real mouse click on the first visible element matching `selector` whose
   * text includes `text`. Resolves `clicked`, `unsupported` where the runner
   * has no browser, or `not clicked: <why>`.
   */
  click(selector: string, text: string): Promise<string>;
  /**
   * Answers the quick pick or input box whose title includes `title`: types
   * `text` into it and presses Enter. Resolves `answered`, `unsupported`
   * where the runner has no browser, or `not answered: <why>`.
   */
  answer(title: string, text: string): Promise<string>;
  /** True when `click` can click (a browser drives the workbench), so a test may open a modal dialog it must answer. */
  canClick: boolean;
}

/** One line of the events file. */
export type SuiteEvent =
  | { event: 'start'; mode: string; total: number }
  | { event: 'pass'; title: string; fullTitle: string; duration: number }
  | { event: 'fail'; title: string; fullTitle: string; error: string }
  | { event: 'pending'; title: string; fullTitle: string }
  | { event: 'screenshot'; name: string; selector?: string; ack: string }
  | { event: 'click'; selector: string; text: string; ack: string }
  | { event: 'answer'; title: string; text: string; ack: string }
  | { event: 'end'; passed: number; failed: number; skipped: number; error?: string };

function emit(file: string, e: SuiteEvent): void {
  fs.appendFileSync(file, JSON.stringify(e) + '\n');
}

interface MochaTest { title: string; fullTitle(): string; duration?: number }

function screenshotHost(config: SuiteConfig): E2EHost {
  let n = 0;
  /** Asks the runner to act in the workbench; resolves with what it wrote to the ack file. */
  const ask = (event: 'click' | 'answer', payload: { selector: string; text: string } | { title: string; text: string }) => new Promise<string>((resolve) => {
    if (!config.screenshots) return resolve('unsupported');
    const ack = `${config.eventsFile}.${event}-${++n}.done`;
    const watcher = fs.watch(path.dirname(ack), () => {
      // The runner renames the ack into place whole; an empty read is a write still under way.
      const body = fs.existsSync(ack) ? fs.readFileSync(ack, 'utf8') : '';
      if (!body) return;
      watcher.close();
      resolve(body);
    });
    emit(config.eventsFile, { event, ...payload, ack } as SuiteEvent);
  });
  return {
    screenshot: (name, selector) => new Promise<void>((resolve) => {
      if (!config.screenshots) return resolve();
      const ack = `${config.eventsFile}.screenshot-${++n}.done`;
      const dir = path.dirname(ack);
      const watcher = fs.watch(dir, () => { if (fs.existsSync(ack)) { watcher.close(); resolve(); } });
      emit(config.eventsFile, { event: 'screenshot', name, ...(selector ? { selector } : {}), ack });
    }),
    click: (selector, text) => ask('click', { selector, text }),
    answer: (title, text) => ask('answer', { title, text }),
    canClick: !!config.screenshots,
  };
}

export async function runSuite(config: SuiteConfig): Promise<{ failed: number }> {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  (globalThis as { packerBakeE2E?: E2EHost }).packerBakeE2E = screenshotHost(config);
  try {
    // The project's mocha, loaded by path: the extension host has no node_modules of its own.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Mocha = require(config.mochaPath) as typeof import('mocha');
    const mocha = new Mocha({ ui: 'bdd', timeout: config.timeout, color: false, reporter: Mocha.reporters.Base });
    for (const f of config.files) mocha.addFile(f);
    await mocha.loadFilesAsync();
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      emit(config.eventsFile, { event: 'start', mode: config.mode, total: runner.total });
      runner.on('pass', (t: MochaTest) => {
        counts.passed++;
        emit(config.eventsFile, { event: 'pass', title: t.title, fullTitle: t.fullTitle(), duration: t.duration ?? 0 });
      });
      runner.on('fail', (t: MochaTest, err: Error) => {
        counts.failed++;
        emit(config.eventsFile, { event: 'fail', title: t.title, fullTitle: t.fullTitle(), error: err?.stack ?? String(err) });
      });
      runner.on('pending', (t: MochaTest) => {
        counts.skipped++;
        emit(config.eventsFile, { event: 'pending', title: t.title, fullTitle: t.fullTitle() });
      });
    });
    emit(config.eventsFile, { event: 'end', ...counts });
  } catch (err) {
    counts.failed++;
    emit(config.eventsFile, { event: 'end', ...counts, error: (err as Error)?.stack ?? String(err) });
  }
  return { failed: counts.failed };
}
