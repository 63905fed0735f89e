/**
 * The adversarial tier, server side: the bundled `language-server.js --stdio`
 * started on a hostile workspace (test/attack/hostileWorkspace.ts), driven
 * as an editor drives it, measured from /proc while it scans: bytes read,
 * peak memory, how soon an open document is answered, and what Fix All in
 * Workspace writes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FixAllRequest } from '../../server/src/shared/protocol';
import { TestClient } from '../protocol/lspClient';
import { LEGACY_MISSING } from '../protocol/templates';
import { DEFAULT_LIMIT, FIXED, HostileWorkspace, LATIN1_TEMPLATE, MiB, UNESCAPED, procStats } from './hostileWorkspace';

/** What an open document may wait for its diagnostics while the hostile files are scanned. */
const ANSWER_MS = 1000;
/** Bytes the server reads starting (Node, the bundle, the wasm parsers), at the most (measured about 3 MiB). */
const STARTUP_READ = 16 * MiB;
/** Reads of one file per scan and Fix All at the most (as a template, as a sibling of another, again for the fix). */
const READS_PER_FILE = 4;
/** Peak resident memory on the hostile workspace (measured about 140 MiB). */
const SERVER_MEMORY = 384 * MiB;
/** Peak resident memory once 20,000 templates are indexed (measured about 410 MiB; about 20 KiB a template). */
const SERVER_MEMORY_20000 = 768 * MiB;

describe('attack: the language server on a hostile workspace', function () {
  this.timeout(240000);
  let c: TestClient | undefined;
  let h: HostileWorkspace;
  afterEach(async () => {
    await c?.stop();
    c = undefined;
  });

  async function start(templates = 0): Promise<{ client: TestClient; scanning: () => boolean }> {
    const client = await TestClient.start({
      languageServer: true,
      folders: ['ws'],
      files: { 'ws/open/t.json': LEGACY_MISSING },
      prepare: (root) => void (h = HostileWorkspace.build({ root, templates })),
    });
    let done = false;
    void client.ready.then(() => (done = true));
    return { client, scanning: () => !done };
  }

  /** The time an open document waits for its diagnostics, and whether the scan was still running then. */
  async function answer(client: TestClient, scanning: () => boolean): Promise<{ ms: number; whileScanning: boolean }> {
    const t0 = performance.now();
    const d = await client.open('ws/open/t.json');
    const ms = performance.now() - t0;
    assert.deepEqual(d.map((x) => x.code), ['control-path-missing']);
    return { ms, whileScanning: scanning() };
  }

  it('answers an open document within 1 s while it scans special files, binary siblings and huge files; reads within the limit; memory bounded', async () => {
    const { client, scanning } = await start();
    c = client;
    const { ms } = await answer(client, scanning);
    assert.ok(ms <= ANSWER_MS, `diagnostics after ${ms.toFixed(0)} ms`);
    await client.ready;
    const stats = procStats(client.child.pid!);
    const bound = STARTUP_READ + READS_PER_FILE * (h.readableBytes(DEFAULT_LIMIT) + DEFAULT_LIMIT + 1);
    assert.ok(stats.rchar <= bound, `read ${(stats.rchar / MiB).toFixed(1)} MiB, bound ${(bound / MiB).toFixed(1)} MiB`);
    assert.ok(stats.vmHWM <= SERVER_MEMORY, `peak RSS ${(stats.vmHWM / MiB).toFixed(0)} MiB`);
    // Still serving: every analysis failure stayed inside its file.
    const skipped = await client.diagnosticsWhere(client.uri('ws/binary/junk1.pkr.hcl'), (d) => d.length === 1);
    assert.equal(skipped[0].message, 'packer-bake skipped this file: it looks binary.');
    const t = await client.diagnosticsWhere(client.uri('ws/binary/t.pkr.hcl'), (d) => d.length > 0);
    assert.deepEqual(t.map((d) => d.code), ['control-path-unescaped-percent']);
  });

  it('Fix All in Workspace changes no byte outside the workspace nor outside its edits, and lists every fix it withheld with the reason', async () => {
    const { client } = await start();
    c = client;
    await client.ready;
    await client.open('ws/open/t.json');
    const sentinel = h.sentinel();
    const before = fs.readFileSync(path.join(h.ws, 'binary', 't.pkr.hcl'));
    const readonly = fs.readFileSync(path.join(h.ws, 'readonly', 't.pkr.hcl'));
    const r = await client.connection.sendRequest(FixAllRequest.type, {});
    assert.deepEqual(h.sentinel(), sentinel, 'the tree outside the workspace is byte for byte what it was');
    // binary/t.pkr.hcl, huge/small.pkr.hcl, the name with a newline, the open document.
    assert.equal(r.applied, 4, JSON.stringify(r));
    const after = fs.readFileSync(path.join(h.ws, 'binary', 't.pkr.hcl'));
    const at = before.indexOf('%h');
    assert.deepEqual([after.subarray(0, at), after.subarray(at + 3)], [before.subarray(0, at), before.subarray(at + 2)]);
    assert.ok(after.includes(FIXED));
    assert.ok(client.document('ws/open/t.json')!.getText().includes('ANSIBLE_SSH_CONTROL_PATH'), 'the open document fixed through its buffer');
    assert.deepEqual(fs.readFileSync(path.join(h.ws, 'latin1', 't.pkr.hcl')), LATIN1_TEMPLATE, 'the non-UTF-8 file is left alone');
    assert.deepEqual(fs.readFileSync(path.join(h.ws, 'readonly', 't.pkr.hcl')), readonly, 'the read-only file is left alone');
    assert.ok(fs.readFileSync(path.join(h.outside, 'real.pkr.hcl'), 'utf8').includes(UNESCAPED));
    const rel = (uri: string) => path.relative(h.root, decodeURIComponent(new URL(uri).pathname));
    assert.deepEqual(r.withheld?.map((w) => `${rel(w.uri)}: ${w.reason.replace(h.root, '<root>')}`).sort(), [
      'outside/abs.cfg: it is outside the workspace folders',
      'ws/dirlink/cfg/ansible.cfg: a symbolic link (<root>/ws/dirlink/cfg/ansible.cfg) leads outside the workspace folders',
      'ws/latin1/t.pkr.hcl: it is not valid UTF-8, and saving it would replace its invalid bytes',
      'ws/readonly/t.pkr.hcl: it is read-only',
      'ws/symlinked/ansible.cfg: a symbolic link (<root>/ws/symlinked/ansible.cfg) leads outside the workspace folders',
      'ws/tlink/link.pkr.hcl: a symbolic link (<root>/ws/tlink/link.pkr.hcl) leads outside the workspace folders',
    ]);
    const again = await client.connection.sendRequest(FixAllRequest.type, {});
    assert.equal(again.applied, 0, 'nothing left to fix: every fix was computed from the current text');
    assert.deepEqual(h.sentinel(), sentinel);
  });

  it('20,000 templates: an open document is answered within 1 s while they are scanned, the walk stops at its cap, memory stays bounded', async () => {
    const { client, scanning } = await start(20000);
    c = client;
    const { ms, whileScanning } = await answer(client, scanning);
    assert.ok(whileScanning, 'the scan of 20,000 templates was still running');
    assert.ok(ms <= ANSWER_MS, `diagnostics after ${ms.toFixed(0)} ms`);
    // A keystroke in the open document is answered within the same bound while the scan goes on.
    const t0 = performance.now();
    const next = client.nextDiagnostics(client.uri('ws/open/t.json'), (d) => d.length === 0);
    await client.change('ws/open/t.json', LEGACY_MISSING.replace('"p.yml"', '"p.yml", "ansible_env_vars": ["ANSIBLE_SSH_CONTROL_PATH=/tmp/x-%%h"]'));
    await next;
    assert.ok(scanning(), 'still scanning');
    assert.ok(performance.now() - t0 <= ANSWER_MS, `diagnostics after a change: ${(performance.now() - t0).toFixed(0)} ms`);
    // The walk stops at 20,000 candidate files (workspaceScan.ts MAX_CANDIDATES), and says so.
    const { templates } = await client.ready;
    assert.ok(templates > 19900, `${templates} templates`);
    assert.match(client.output, /stopped scanning .* after too many candidate files/);
    const stats = procStats(client.child.pid!);
    assert.ok(stats.vmHWM <= SERVER_MEMORY_20000, `peak RSS ${(stats.vmHWM / MiB).toFixed(0)} MiB`);
  });
});
