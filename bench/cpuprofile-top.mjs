// Prints the functions with the most self time in a V8 .cpuprofile (from `node --cpu-prof`):
//   node bench/cpuprofile-top.mjs <file.cpuprofile> [count]
import fs from 'node:fs';

const [file, count = '25'] = process.argv.slice(2);
const p = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const hits = new Map();
for (const s of p.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
const self = new Map();
for (const [id, c] of hits) {
  const f = byId.get(id).callFrame;
  const where = f.url ? `${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}` : '';
  const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
  self.set(key, (self.get(key) ?? 0) + c);
}
const total = p.samples.length;
const ms = (p.endTime - p.startTime) / 1000;
console.log(`${total} samples over ${ms.toFixed(0)} ms`);
for (const [k, c] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(count))) console.log(`${((100 * c) / total).toFixed(1).padStart(5)}%  ${k}`);
