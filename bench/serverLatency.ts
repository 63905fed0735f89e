/**
 * Measures (e): the bundled language server over stdio, a 1 MB template open,
 * then edits one at a time (incremental didChange, one character inside a
 * string) and the time until the publishDiagnostics for that version arrives.
 * The baseline is the bare parse of the same text in this process.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseTree, type ParseError } from 'jsonc-parser';
import { Parser, Language } from 'web-tree-sitter';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-languageserver-protocol/node';
import { pathToFileURL } from 'node:url';
import { wasmPaths } from '../test/support/analysis';
import { DEBOUNCE_MS } from '../server/src/workspaceIndex';
import { median, percentile, perCall, rng, root } from './lib';
import { padHcl, padJson } from './workspace';

export interface ServerFigures {
  format: 'json' | 'hcl';
  chars: number;
  edits: number;
  debounceMs: number;
  /** didChange sent → publishDiagnostics for that version received. */
  p50: number;
  p95: number;
  max: number;
  /** The same minus the server's debounce delay: the work the server does once the typing pauses. */
  workP50: number;
  workP95: number;
  /** Median bare parse of the text, in this process. */
  parseMs: number;
  /** Peak RSS of the server process after the run, MiB (VmHWM). */
  serverRssMiB: number;
}

interface PublishParams {
  uri: string;
  diagnostics: { data?: { version?: number | null } }[];
}

export async function serverLatency(server: string, edits: number): Promise<ServerFigures[]> {
  await Parser.init({ locateFile: () => wasmPaths.treeSitter });
  const parser = new Parser();
  parser.setLanguage(await Language.load(wasmPaths.hcl));
  const out: ServerFigures[] = [];
  for (const format of ['json', 'hcl'] as const) {
    const seed = fs.readFileSync(path.join(root, 'examples', 'control-path-missing', format === 'json' ? 'template.json' : 'template.pkr.hcl'), 'utf8');
    const text = format === 'json' ? padJson(seed, 0, 1024 * 1024) : padHcl(seed, 0, 1024 * 1024);
    const bare = format === 'json' ? () => void parseTree(text, [] as ParseError[], { allowTrailingComma: false, disallowComments: false, allowEmptyContent: true }) : () => parser.parse(text)?.delete();
    const parses: number[] = [];
    for (let i = 0; i < 9; i++) parses.push(perCall(bare, 1));
    const r = await run(server, format, text, edits);
    out.push({ format, chars: text.length, edits, debounceMs: DEBOUNCE_MS, ...r, parseMs: median(parses) });
  }
  return out;
}

async function run(server: string, format: 'json' | 'hcl', initial: string, edits: number): Promise<Omit<ServerFigures, 'format' | 'chars' | 'edits' | 'debounceMs' | 'parseMs'>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-bench-server-'));
  const file = path.join(dir, format === 'json' ? 'template.json' : 'template.pkr.hcl');
  fs.writeFileSync(file, initial);
  const uri = pathToFileURL(file).href;
  const { child, conn, until } = startBenchServer(server, uri);
  try {
    await conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'bench' }], capabilities: {} });
    await conn.sendNotification('initialized', {});
    const latencies = await openAndEdit(conn, TextDocument.create(uri, format === 'json' ? 'json' : 'packer-hcl', 1, initial), edits, until);
    const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    await conn.sendRequest('shutdown');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await conn.sendNotification('exit');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    const work = latencies.map((l) => l - DEBOUNCE_MS);
    return {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      max: Math.max(...latencies),
      workP50: percentile(work, 50),
      workP95: percentile(work, 95),
      serverRssMiB: hwm ? Number(hwm[1]) / 1024 : NaN,
    };
  } finally {
    conn.dispose();
    child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The bundled server over stdio, as the benchmarks drive it. */
export interface BenchServer {
  child: ChildProcessWithoutNullStreams;
  conn: MessageConnection;
  /** Resolves with the time the publishDiagnostics of `uri` for `version` arrived. */
  until(version: number, timeoutMs?: number): Promise<number>;
  /** The server's stderr so far, for error messages. */
  stderr(): string;
}

/**
 * Starts the server (BENCH_SERVER_NODE_ARGS passes node options to it, e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it), answers its requests
 * as a client with no configuration would, and times the publishDiagnostics
 * of `uri` by document version. `onPublish` sees every publish.
 */
export function startBenchServer(server: string, uri: string, onPublish?: (uri: string) => void): BenchServer {
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, server, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const conn: MessageConnection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiting = new Map<number, (t: number) => void>();
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishParams) => {
    const now = performance.now();
    onPublish?.(p.uri);
    if (p.uri !== uri) return;
    const versions = new Set(p.diagnostics.map((d) => d.data?.version));
    for (const [v, done] of waiting) if (versions.has(v)) done(now);
  });
  conn.onNotification('window/logMessage', () => undefined);
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
  conn.listen();
  const until = (version: number, timeoutMs = 60000) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for version ${version} within ${timeoutMs} ms; server stderr: ${stderr.slice(-2000)}`)), timeoutMs);
      waiting.set(version, (t) => {
        clearTimeout(timer);
        waiting.delete(version);
        resolve(t);
      });
    });
  return { child, conn, until, stderr: () => stderr };
}

/**
 * Opens `doc`, waits for its diagnostics, then sends `edits` incremental
 * didChanges one at a time, each changing one digit of a padding line
 * ("... hardening step 3'") somewhere in the text; returns the time from each
 * didChange to the publishDiagnostics of its version.
 */
export async function openAndEdit(conn: MessageConnection, doc: TextDocument, edits: number, until: (version: number) => Promise<number>): Promise<number[]> {
  const uri = doc.uri;
  const opened = until(doc.version);
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: doc.languageId, version: doc.version, text: doc.getText() } });
  await opened;
  const random = rng(66);
  const anchors = [...doc.getText().matchAll(/hardening step (\d)/g)].map((m) => m.index! + m[0].length - 1);
  const latencies: number[] = [];
  for (let i = 0; i < edits; i++) {
    const offset = anchors[Math.floor(random() * anchors.length)];
    const range = { start: doc.positionAt(offset), end: doc.positionAt(offset + 1) };
    const newText = String((Number(doc.getText(range)) + 1) % 10);
    const version = doc.version + 1;
    doc = TextDocument.update(doc, [{ range, text: newText }], version);
    const got = until(version);
    const t0 = performance.now();
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: newText }] });
    latencies.push((await got) - t0);
  }
  return latencies;
}
