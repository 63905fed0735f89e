#!/usr/bin/env node
// A stand-in for the Dev Containers CLI (`devcontainer`) in the bake tests:
// records each invocation to $FAKE_DEVCONTAINER_DIR/calls.jsonl. `up` prints
// the CLI's result line with the workspace folder itself as the remote
// workspace folder (so `exec` can run commands on this machine, in a real
// shell, with real signals); `exec` parses its options the way the real CLI
// does (options stop at the first word that is not one) and runs the command
// with the --remote-env variables. $FAKE_DEVCONTAINER_DIR/up.json, when
// present, replaces `up`'s answer: { stdout?: string[], stderr?: string[], exit?: number }.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

const dir = process.env.FAKE_DEVCONTAINER_DIR;
if (!dir) { process.stderr.write('FAKE_DEVCONTAINER_DIR is not set\n'); process.exit(2); }
const argv = process.argv.slice(2);
fs.appendFileSync(path.join(dir, 'calls.jsonl'), JSON.stringify({ argv }) + '\n');

const sub = argv[0];
const options = {};
const remoteEnv = {};
let i = 1;
while (i < argv.length && argv[i].startsWith('--')) {
  const name = argv[i].slice(2);
  const value = argv[i + 1];
  if (name === 'remote-env') {
    const eq = value.indexOf('=');
    remoteEnv[value.slice(0, eq)] = value.slice(eq + 1);
  } else options[name] = value;
  i += 2;
}

if (sub === 'up') {
  const scripted = path.join(dir, 'up.json');
  if (fs.existsSync(scripted)) {
    const s = JSON.parse(fs.readFileSync(scripted, 'utf8'));
    for (const l of s.stderr || []) process.stderr.write(l + '\n');
    for (const l of s.stdout || []) process.stdout.write(l + '\n');
    process.exit(s.exit || 0);
  }
  process.stderr.write('[1 ms] Dev Containers CLI (fake)\n[2 ms] Start: Run: docker inspect\n');
  process.stdout.write(JSON.stringify({ outcome: 'success', containerId: 'f4ce0123456789abcdef', remoteUser: 'root', remoteWorkspaceFolder: options['workspace-folder'] }) + '\n');
  process.exit(0);
}
if (sub === 'exec') {
  const [cmd, ...args] = argv.slice(i);
  const child = spawn(cmd, args, { env: { ...process.env, ...remoteEnv }, stdio: 'inherit' });
  child.once('error', (e) => { process.stderr.write(`${e.message}\n`); process.exit(127); });
  child.once('exit', (code, signal) => process.exit(code === null ? 128 + (signal === 'SIGKILL' ? 9 : 15) : code));
} else {
  process.stderr.write(`fake devcontainer: unknown command ${sub}\n`);
  process.exit(2);
}
