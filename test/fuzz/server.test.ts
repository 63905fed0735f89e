/**
 * The language server under a random client: random sequences of opens,
 * incremental changes with out-of-range or negative positions, changes to
 * closed or unknown documents, code action and custom requests about anything,
 * files written and deleted on disk while being analysed, odd settings,
 * unknown methods and garbage on the wire. After each sequence the server must
 * still run, still answer, and still diagnose a fresh template, and nothing
 * may have escaped its handlers (an uncaught exception or a failed analysis
 * in its log).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import fc from 'fast-check';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { renderTemplate, templateSpec, mutate, mutation } from './arbitraries';
import { exampleSeeds, long, params } from './support';
import type { TestClient as Client } from '../protocol/lspClient';
const { bundleOptions, wasmFiles } = require('../../scripts/esbuildOptions.cjs') as { bundleOptions: BuildOptions; wasmFiles: string[] };

const ROOT = path.join(__dirname, '..', '..');

/** The server, bundled from the working tree into a private folder (as bench/bundle.ts does). */
async function bundleServer(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-fuzz-dist-'));
  await build({ ...bundleOptions, logLevel: 'silent', entryPoints: [path.join(ROOT, 'server/src/server.ts')], outfile: path.join(dir, 'server.js') });
  for (const f of wasmFiles) {
    fs.copyFileSync(f, path.join(dir, path.basename(f)));
  }
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const LEGACY_MISSING = `${JSON.stringify({ builders: [{ type: 'null', communicator: 'ssh' }], provisioners: [{ type: 'ansible', playbook_file: 'p.yml' }] }, null, 2)}\n`;

/** Files in the workspace on disk at the start of every sequence. */
const DISK: Record<string, string> = {
  't.json': LEGACY_MISSING,
  'h/t.pkr.hcl': 'build {\n  provisioner "ansible" {\n    ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/%h"]\n  }\n}\n',
  'h/ansible.cfg': '[ssh_connection]\ncontrol_path = /tmp/x-%%h\n',
  'h/vars.auto.pkrvars.hcl': 'cp = "/tmp/%h"\n',
};
const DISK_NAMES = Object.keys(DISK);

/** Documents the actions are about: files on disk, new ones, and URIs a server has no business with. */
const DOCS = [...DISK_NAMES, 'new.json', 'new.pkr.hcl', 'new.pkr.json', 'h/other.pkr.hcl', 'untitled:Untitled-1', 'file:///nonexistent/dir/t.json', 'foo:bar', 'file:///', 'file:///%E0%A4%A', 'h'];

const position = fc.record({ line: fc.integer({ min: -2, max: 60 }), character: fc.integer({ min: -2, max: 300 }) });
const range = fc.record({ start: position, end: position });
const settings = fc.oneof(
  fc.constant({}),
  fc.constant(null),
  fc.constant({ enable: false }),
  fc.constant({ maxFileSize: 10 }),
  fc.constant({ maxFileSize: 'big', rules: 'no', safeDirectories: [1, null] }),
  fc.record({ rules: fc.dictionary(fc.constantFrom('control-path-missing', 'control-path-unsafe-dir', 'nope'), fc.constantFrom('off', 'error', 'hint', 'loud', 3)) }),
  fc.anything(),
);

type Action =
  | { kind: 'open'; doc: number; text: string; languageId: string }
  | { kind: 'change'; doc: number; version: number | null; changes: ({ range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string } | { text: string })[] }
  | { kind: 'close'; doc: number }
  | { kind: 'codeAction'; doc: number; range: { start: { line: number; character: number }; end: { line: number; character: number } }; withDiagnostics: boolean }
  | { kind: 'request'; method: 'packerBake/templateInfo' | 'packerBake/listTemplates' | 'packerBake/fixAll'; doc: number | undefined }
  | { kind: 'disk'; op: 'write' | 'delete'; file: number; text: string }
  | { kind: 'watched'; doc: number; type: number }
  | { kind: 'configure'; settings: unknown }
  | { kind: 'unknown'; method: string; params: unknown; request: boolean }
  | { kind: 'garbage'; body: string };

function actionArb(texts: string[]): fc.Arbitrary<Action> {
  const doc = fc.nat({ max: DOCS.length - 1 });
  const text = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...texts) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) });
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('open' as const), doc, text, languageId: fc.constantFrom('json', 'packer-hcl', 'hcl', 'plaintext', '') }) },
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('change' as const),
        doc,
        version: fc.option(fc.integer({ min: -1, max: 1000 }), { nil: null }),
        changes: fc.array(fc.oneof({ weight: 4, arbitrary: fc.record({ range, text: fc.string({ maxLength: 20 }) }) }, { weight: 1, arbitrary: fc.record({ text }) }), { minLength: 1, maxLength: 3 }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('close' as const), doc }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('codeAction' as const), doc, range, withDiagnostics: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('request' as const), method: fc.constantFrom('packerBake/templateInfo' as const, 'packerBake/listTemplates' as const, 'packerBake/fixAll' as const), doc: fc.option(doc, { nil: undefined }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('disk' as const), op: fc.constantFrom('write' as const, 'delete' as const), file: fc.nat({ max: DISK_NAMES.length + 2 }), text }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('watched' as const), doc, type: fc.integer({ min: 0, max: 4 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('configure' as const), settings }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('unknown' as const), method: fc.constantFrom('foo/bar', 'textDocument/hover', '$/cancelRequest', 'textDocument/codeAction', 'workspace/executeCommand'), params: fc.anything(), request: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('garbage' as const), body: fc.oneof(fc.constantFrom('{', '{"jsonrpc":"2.0","method":', '[]', 'null', '{"jsonrpc":"2.0","id":1}', '{"jsonrpc":"2.0","id":"x","method":"textDocument/codeAction","params":{"textDocument":null}}'), fc.string({ maxLength: 40 })) }) },
  );
}

const codes = (d: Diagnostic[]) => d.map((x) => x.code);
/** Log lines that mean something escaped a handler or the analysis threw. */
const ESCAPED = /uncaught exception|a promise failed|analysis of .* failed/i;

describe('fuzz: the language server under a random client', function () {
  this.timeout(long ? 0 : 120000);
  let TestClient: typeof Client;
  const texts: string[] = [];

  before(async function () {
    this.timeout(120000);
    process.env.PACKER_BAKE_DIST = await bundleServer();
    // Imported after PACKER_BAKE_DIST is set: the client reads it once.
    TestClient = (require('../protocol/lspClient') as typeof import('../protocol/lspClient')).TestClient;
    const g = fc.sample(templateSpec, { seed: 7, numRuns: 6 }).map((s) => renderTemplate(s).text);
    const seeds = exampleSeeds().map((s) => s.text);
    const m = fc.sample(fc.tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 3 })), { seed: 8, numRuns: 6 }).map(([t, ms]) => ms.reduce((x, y) => mutate(x, y), t).slice(0, 200_000));
    texts.push(...g, ...seeds, ...m, '', '{', 'build {', '\0\0\0');
  });

  it('keeps serving after any sequence of client messages', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(actionArb(texts), { minLength: 1, maxLength: long ? 40 : 15 }), async (actions) => {
        const c = await TestClient.start({ files: DISK });
        try {
          await c.ready;
          const versions = new Map<string, number>();
          const uriOf = (i: number) => (DOCS[i].includes(':') ? DOCS[i] : c.uri(DOCS[i]));
          const pending: Promise<unknown>[] = [];
          const answered = (p: Promise<unknown>) => pending.push(p.catch(() => undefined));
          for (const a of actions) {
            switch (a.kind) {
              case 'open': {
                const uri = uriOf(a.doc);
                versions.set(uri, 1);
                await c.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: a.languageId, version: 1, text: a.text } });
                break;
              }
              case 'change': {
                const uri = uriOf(a.doc);
                const version = a.version ?? (versions.get(uri) ?? 0) + 1;
                versions.set(uri, version);
                await c.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: a.changes });
                break;
              }
              case 'close':
                await c.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(a.doc) } });
                break;
              case 'codeAction': {
                const diagnostics = a.withDiagnostics ? [{ range: a.range, message: 'x', code: 'control-path-missing', source: 'packer-bake', data: { version: 1 } }] : [];
                answered(c.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: uriOf(a.doc) }, range: a.range, context: { diagnostics } }));
                break;
              }
              case 'request':
                answered(c.connection.sendRequest(a.method, a.doc === undefined ? {} : { uri: uriOf(a.doc) }));
                break;
              case 'disk': {
                const rel = DISK_NAMES[a.file] ?? ['h/new.pkr.hcl', 'h'][a.file - DISK_NAMES.length] ?? 'x.json';
                if (a.op === 'delete') await c.deleteFile(rel);
                else if (!(rel === 'h' && fs.existsSync(c.path('h')))) await c.writeFile(rel, a.text);
                break;
              }
              case 'watched':
                await c.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(a.doc), type: a.type }] });
                break;
              case 'configure':
                await c.configure(a.settings);
                break;
              case 'unknown':
                if (a.request) answered(c.connection.sendRequest(a.method, a.params));
                else await c.connection.sendNotification(a.method, a.params);
                break;
              case 'garbage':
                c.child.stdin.write(`Content-Length: ${Buffer.byteLength(a.body)}\r\n\r\n${a.body}`);
                break;
            }
          }
          // Every request is answered (with a result or an error), none hangs.
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`a request got no answer within 20 s\n${c.output}`)), 20000)));
          await Promise.race([Promise.all(pending), late]).finally(() => clearTimeout(timer));
          assert.ok(c.alive, `the server exited:\n${c.output}`);
          assert.ok(Array.isArray(await c.connection.sendRequest('packerBake/listTemplates', {})), 'listTemplates still answers');
          // Still diagnoses, with a clean configuration.
          await c.configure({});
          assert.deepEqual(codes(await c.open('fresh-check.json', LEGACY_MISSING)), ['control-path-missing'], c.output);
          const escaped = c.logs.map((l) => l.message).filter((m) => ESCAPED.test(m));
          assert.deepEqual(escaped, [], `something escaped the server's handlers:\n${escaped.join('\n')}`);
        } finally {
          await c.stop();
        }
      }),
      params('server sequences', 6, 0.01),
    );
  });
});
