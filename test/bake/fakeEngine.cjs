#!/usr/bin/env node
// A stand-in for `docker`/`podman` in the bake tests: records each invocation
// (argv and the AWS variables it inherited) to $FAKE_ENGINE_DIR/calls.jsonl and
// replays what $FAKE_ENGINE_DIR/script.json scripts for the subcommand.
//
// script.json: { "<subcommand>": Step }, subcommand = "version", "image inspect",
// "build", "run", "stop", "rm", or "probe <entrypoint>" for the toolchain probes
// (`run --entrypoint packer|ssh ...`, which start no container). Step = { stdout?: string[], stderr?: string[],
// exit?: number, delayMs?: number, // run only:
// startDelayMs?: number, startAfterStops?: number, waitForStop?: boolean, onStop?: { stdout?, stderr?, exit? } }.
// startAfterStops: the container appears only once that many `stop`s have been tried (a stop that came too early).
// Containers are files in $FAKE_ENGINE_DIR/containers: `run` creates one (after
// startDelayMs) and removes it when it ends if given --rm, `stop` stops it,
// `rm -f` removes it, `ps -a` lists them.
'use strict';
const fs = require('fs');
const path = require('path');

const dir = process.env.FAKE_ENGINE_DIR;
if (!dir) { process.stderr.write('FAKE_ENGINE_DIR is not set\n'); process.exit(2); }
const argv = process.argv.slice(2);
const containers = path.join(dir, 'containers');
fs.mkdirSync(containers, { recursive: true });
const inherited = {};
for (const k of Object.keys(process.env)) if (/^(AWS_|PKR_VAR_|DOCKER_HOST$)/.test(k)) inherited[k] = process.env[k];
fs.appendFileSync(path.join(dir, 'calls.jsonl'), JSON.stringify({ argv, env: inherited, pid: process.pid }) + '\n');

const script = JSON.parse(fs.readFileSync(path.join(dir, 'script.json'), 'utf8'));
const entrypoint = argv[0] === 'run' && argv.includes('--entrypoint') ? argv[argv.indexOf('--entrypoint') + 1] : undefined;
const sub = argv[0] === 'image' ? `image ${argv[1]}` : entrypoint ? `probe ${entrypoint}` : argv[0];
const step = script[sub] || {};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const emit = (s) => {
  for (const l of s.stdout || []) process.stdout.write(l + '\n');
  for (const l of s.stderr || []) process.stderr.write(l + '\n');
};
const nameAfter = (flag) => { const i = argv.indexOf(flag); return i >= 0 ? argv[i + 1] : undefined; };

(async () => {
  await sleep(step.delayMs || 0);
  if (sub === 'run') {
    const name = nameAfter('--name');
    await sleep(step.startDelayMs || 0);
    const stops = () => (fs.existsSync(path.join(dir, 'stop-attempts')) ? fs.readFileSync(path.join(dir, 'stop-attempts'), 'utf8').length : 0);
    while (stops() < (step.startAfterStops || 0)) await sleep(20);
    const file = path.join(containers, name);
    fs.writeFileSync(file, 'running');
    emit(step);
    let code = step.exit || 0;
    if (step.waitForStop) {
      while (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === 'running') await sleep(20);
      const after = step.onStop || {};
      emit(after);
      code = after.exit === undefined ? 1 : after.exit;
    }
    if (argv.includes('--rm')) fs.rmSync(file, { force: true });
    else fs.writeFileSync(file, 'exited');
    process.exit(code);
  }
  if (sub === 'stop' || sub === 'rm') {
    const file = path.join(containers, argv[argv.length - 1]);
    if (sub === 'stop') fs.appendFileSync(path.join(dir, 'stop-attempts'), 'x');
    if (!fs.existsSync(file)) {
      process.stderr.write(`Error: No such container: ${argv[argv.length - 1]}\n`);
      process.exit(1);
    }
    if (sub === 'stop') {
      // Like `docker stop -t N`: signal, then wait (at most N s) for the container to end.
      if (fs.readFileSync(file, 'utf8') === 'running') fs.writeFileSync(file, 'stopping');
      const deadline = Date.now() + Number(nameAfter('-t') || 10) * 1000;
      while (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === 'stopping' && Date.now() < deadline) await sleep(20);
    } else fs.rmSync(file, { force: true });
    emit(step);
    process.exit(step.exit || 0);
  }
  if (sub === 'ps') {
    for (const n of fs.readdirSync(containers)) process.stdout.write(n + '\n');
    process.exit(0);
  }
  emit(step);
  process.exit(step.exit || 0);
})();
