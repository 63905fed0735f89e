// Preloaded into a process under test (node -r): on exit, writes what /proc
// says about it (bytes read, peak resident memory) to the file named by
// PACKER_BAKE_ATTACK_STATS, since a child's /proc entry is gone once Node has
// reaped it.
'use strict';
const fs = require('fs');
const out = process.env.PACKER_BAKE_ATTACK_STATS;
if (out) {
  process.once('exit', () => {
    const io = fs.readFileSync('/proc/self/io', 'utf8');
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    fs.writeFileSync(out, JSON.stringify({
      rchar: Number(/^rchar:\s+(\d+)/m.exec(io)[1]),
      vmHWM: Number(/^VmHWM:\s+(\d+) kB/m.exec(status)[1]) * 1024,
    }));
  });
}
