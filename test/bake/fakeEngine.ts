// Test harness around fakeEngine.cjs: a temp directory with a script, and the
// invocations it recorded.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const FAKE_ENGINE = path.join(__dirname, 'fakeEngine.cjs');

export interface FakeStep {
  stdout?: string[];
  stderr?: string[];
  exit?: number;
  delayMs?: number;
  startDelayMs?: number;
  /** The container appears only once this many `stop`s were tried. */
  startAfterStops?: number;
  waitForStop?: boolean;
  onStop?: { stdout?: string[]; stderr?: string[]; exit?: number };
}

export type FakeScript = Partial<Record<'version' | 'image inspect' | 'build' | 'pull' | 'run' | 'stop' | 'rm' | 'probe packer' | 'probe ssh' | 'probe ansible', FakeStep>>;

export interface FakeCall {
  argv: string[];
  env: Record<string, string>;
  pid: number;
}

export class FakeEngine {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-fake-engine-'));
  readonly path = FAKE_ENGINE;

  constructor(script: FakeScript) {
    fs.writeFileSync(path.join(this.dir, 'script.json'), JSON.stringify({ version: { stdout: ['24.0.7|Engine,containerd,runc,docker-init,'] }, ...script }));
  }

  /** Environment for the engine process (the runner's `env`). */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, FAKE_ENGINE_DIR: this.dir, ...extra };
  }

  calls(): FakeCall[] {
    const file = path.join(this.dir, 'calls.jsonl');
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as FakeCall);
  }

  /**
   * Subcommands in call order (`image inspect` counts as one), without the
   * toolchain probes (`run --entrypoint ...`, which run in parallel, so in no
   * fixed order): see `probes()`.
   */
  subcommands(): string[] {
    return this.calls().filter((c) => !isProbe(c)).map((c) => (c.argv[0] === 'image' ? `image ${c.argv[1]}` : c.argv[0]));
  }

  /** The toolchain probes' argv, sorted. */
  probes(): string[][] {
    return this.calls().filter(isProbe).map((c) => c.argv).sort((a, b) => a.join(' ').localeCompare(b.join(' ')));
  }

  /** Containers still "existing". */
  containers(): string[] {
    const dir = path.join(this.dir, 'containers');
    return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function isProbe(c: FakeCall): boolean {
  return c.argv[0] === 'run' && c.argv.includes('--entrypoint');
}
