/**
 * The bake tier's fake container engine (test/bake/fakeEngine.cjs, staged
 * beside the compiled suite) behind a wrapper named `docker`, which carries
 * the fake's state directory, so the extension needs nothing but
 * `packerBake.bake.enginePath`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface FakeCall { argv: string[] }

export class FakeEngineDir {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-e2e-engine-'));
  readonly executable = path.join(this.dir, 'docker');

  constructor() {
    const script = path.join(__dirname, 'fakeEngine.cjs');
    if (!fs.existsSync(script)) throw new Error(`${script} was not staged`);
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    // The extension host's own binary runs the fake: node here, Electron (as node) under test-electron.
    fs.writeFileSync(this.executable, `#!/bin/sh\nELECTRON_RUN_AS_NODE=1 FAKE_ENGINE_DIR=${q(this.dir)} exec ${q(process.execPath)} ${q(script)} "$@"\n`, { mode: 0o755 });
  }

  /** What each subcommand replays (see fakeEngine.cjs); forgets earlier calls and containers. */
  script(steps: Record<string, unknown>): void {
    fs.rmSync(path.join(this.dir, 'calls.jsonl'), { force: true });
    fs.rmSync(path.join(this.dir, 'containers'), { recursive: true, force: true });
    fs.writeFileSync(path.join(this.dir, 'script.json'), JSON.stringify({ version: { stdout: ['24.0.7|Engine,containerd,runc,docker-init,'] }, ...steps }));
  }

  calls(): FakeCall[] {
    const file = path.join(this.dir, 'calls.jsonl');
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as FakeCall);
  }

  subcommands(): string[] {
    return this.calls().map((c) => (c.argv[0] === 'image' ? `image ${c.argv[1]}` : c.argv[0]!));
  }

  /** Containers that exist (running or exited, not removed). */
  containers(): string[] {
    const d = path.join(this.dir, 'containers');
    return fs.existsSync(d) ? fs.readdirSync(d) : [];
  }

  /** Containers in the "running" state. */
  running(): string[] {
    const d = path.join(this.dir, 'containers');
    return this.containers().filter((c) => { try { return fs.readFileSync(path.join(d, c), 'utf8') === 'running'; } catch { return false; } });
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
