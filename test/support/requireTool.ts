import { spawnSync } from 'node:child_process';

/** True when running under CI, where every test must run and none may skip. */
export const inCI = process.env.CI === 'true';

/**
 * Skips the calling suite or test when `tool` is not on PATH, saying why.
 * Under `CI=true` a missing tool is a failure, never a skip.
 */
export function requireTool(ctx: Mocha.Context, tool: string, why = 'needs it'): void {
  const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { encoding: 'utf8' }).status === 0;
  if (found) return;
  const message = `${tool} is not installed (${why}); install it with bash test/setup/apt.sh`;
  if (inCI) throw new Error(`CI=true but ${message}`);
  console.warn(`    skipped: ${message}`);
  ctx.skip();
}

/** Skips (or, under CI, fails) when a condition for the test is not met. */
export function requireThat(ctx: Mocha.Context, ok: boolean, message: string): void {
  if (ok) return;
  if (inCI) throw new Error(`CI=true but ${message}`);
  console.warn(`    skipped: ${message}`);
  ctx.skip();
}
