// Draws images/icon.png (128x128): an isometric box (the machine image) with a
// flame (the bake) on a blue rounded square. Pure Node (zlib), 4x4 supersampled,
// so the icon can be regenerated without an image editor: node images/make-icon.mjs
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const N = 128;
const SS = 4;
const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];

function inPolygon(x, y, pts) {
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const [xi, yi] = pts[i];
    const [xj, yj] = pts[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
function inRoundedRect(x, y, x0, y0, x1, y1, r) {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}
const inCircle = (x, y, cx, cy, r) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;

// Shapes, painted in order; each returns a colour or undefined at (x, y).
const shapes = [
  (x, y) => inRoundedRect(x, y, 0, 0, N, N, 26) && mix(hex('#0f3057'), hex('#1f6aa5'), y / N),
  (x, y) => inPolygon(x, y, [[64, 28], [100, 48], [64, 68], [28, 48]]) && hex('#eef5fb'),
  (x, y) => inPolygon(x, y, [[28, 48], [64, 68], [64, 110], [28, 90]]) && hex('#b7d2e8'),
  (x, y) => inPolygon(x, y, [[64, 68], [100, 48], [100, 90], [64, 110]]) && hex('#82aed3'),
  (x, y) => (inCircle(x, y, 64, 52, 9) || inPolygon(x, y, [[55.5, 49], [72.5, 49], [66, 30], [62, 37]])) && hex('#f28c28'),
  (x, y) => inCircle(x, y, 64, 54, 4.5) && hex('#ffd166'),
];
function mix(a, b, t) { return a.map((v, i) => Math.round(v + (b[i] - v) * t)); }

const raw = Buffer.alloc(N * (1 + N * 4));
for (let py = 0; py < N; py++) {
  raw[py * (1 + N * 4)] = 0; // filter: none
  for (let px = 0; px < N; px++) {
    const acc = [0, 0, 0, 0];
    for (let sy = 0; sy < SS; sy++) for (let sx = 0; sx < SS; sx++) {
      const x = px + (sx + 0.5) / SS, y = py + (sy + 0.5) / SS;
      let c;
      for (const s of shapes) c = s(x, y) || c;
      if (c) { acc[0] += c[0]; acc[1] += c[1]; acc[2] += c[2]; acc[3] += 255; }
    }
    const n = SS * SS;
    const covered = acc[3] / 255;
    const o = py * (1 + N * 4) + 1 + px * 4;
    for (let i = 0; i < 3; i++) raw[o + i] = covered ? Math.round(acc[i] / covered) : 0;
    raw[o + 3] = Math.round(acc[3] / n);
  }
}

function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(zlib.crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0); ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; ihdr[9] = 6; // 8-bit RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = path.join(path.dirname(new URL(import.meta.url).pathname), 'icon.png');
fs.writeFileSync(out, png);
console.log(`${out}: ${png.length} bytes`);
