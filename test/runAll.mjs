// `npm test`: builds, type-checks, then runs every test tier in order, going on
// past a failing tier so one run shows everything, and ends with the one
// closing line from test/summary.mjs. Exits non-zero when anything failed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const results = path.join(root, '.test-results');
fs.rmSync(results, { recursive: true, force: true });

const steps = [
  ['build', ['run', 'build']],
  ['typecheck', ['run', 'typecheck']],
  ['unit', ['run', 'test:unit']],
  ['cli', ['run', 'test:cli']],
  ['grammar', ['run', 'test:grammar']],
  ['protocol', ['run', 'test:protocol']],
  ['attack', ['run', 'test:attack']],
  ['fuzz', ['run', 'test:fuzz']],
  ['tools', ['run', 'test:tools']],
  ['bake', ['run', 'test:bake']],
  ['containers', ['run', 'test:containers']],
  ['package', ['run', 'test:package']],
  ['e2e', ['run', 'test:e2e']],
];
const scripts = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts;
const failed = [];
for (const [name, args] of steps) {
  if (!scripts[args[1]]) continue;
  const started = Date.now();
  console.log(`\n=== ${name} ===`);
  const r = spawnSync('npm', args, { cwd: root, stdio: 'inherit' });
  console.log(`=== ${name}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (r.status !== 0) {
    failed.push(name);
    // Without a build or types nothing after it means anything.
    if (name === 'build' || name === 'typecheck') break;
  }
}
const summary = spawnSync(process.execPath, [path.join(root, 'test', 'summary.mjs')], { cwd: root, stdio: 'inherit' });
if (failed.length) console.log(`failed steps: ${failed.join(', ')}`);
process.exit(failed.length > 0 || summary.status !== 0 ? 1 : 0);
