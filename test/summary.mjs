// Adds up the per-tier results written by test/support/reporter.cjs and prints
// the closing line. Exits non-zero when anything failed or no test ran.
import fs from 'node:fs';
import path from 'node:path';

const dir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '.test-results');
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
let passed = 0, failed = 0, skipped = 0;
for (const f of files.sort()) {
  const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  console.log(`  ${r.tier.padEnd(10)} ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
  passed += r.passed; failed += r.failed; skipped += r.skipped;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
