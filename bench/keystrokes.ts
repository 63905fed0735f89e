/**
 * Measures (g): the cost of a keystroke in an open HCL2 template as the
 * workspace grows (10, 1,000, 20,000 templates): the bundled language server
 * with a generated workspace (bench/workspace.ts, small templates), first
 * left to analyse all of it (every template gets its publishDiagnostics),
 * then one template opened and edited one character at a time; the time from
 * didChange to the publishDiagnostics of that version, minus the debounce.
 * Flat in the number of templates means a keystroke costs its own document
 * and its real dependants only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DEBOUNCE_MS } from '../server/src/workspaceIndex';
import { percentile, root } from './lib';
import { openAndEdit, startBenchServer } from './serverLatency';
import { generateWorkspace, padHcl } from './workspace';

export interface KeystrokeFigures {
  templates: number;
  /** Time for the server to analyse the whole workspace once (all publishes in). */
  scanMs: number;
  edits: number;
  /** didChange → publishDiagnostics minus the debounce. */
  workP50: number;
  workP95: number;
  serverRssMiB: number;
}

export async function keystrokes(server: string, counts: number[], edits: number): Promise<KeystrokeFigures[]> {
  const out: KeystrokeFigures[] = [];
  for (const n of counts) out.push(await once(server, n, edits));
  return out;
}

async function once(server: string, count: number, edits: number): Promise<KeystrokeFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-bench-keys-'));
  try {
    const ws = path.join(dir, 'ws');
    // `count` templates in all, the edited one among them: the server stops its scan after MAX_CANDIDATES (20,000) files.
    generateWorkspace(ws, { count: count - 1, minBytes: 1024, maxBytes: 4096, seed: 7 });
    // The edited template: the HCL2 example, 20 KB, in a folder of its own.
    const seed = fs.readFileSync(path.join(root, 'examples', 'control-path-missing', 'template.pkr.hcl'), 'utf8');
    const text = padHcl(seed, 0, 20 * 1024);
    fs.mkdirSync(path.join(ws, 'edited'));
    const file = path.join(ws, 'edited', 'image.pkr.hcl');
    fs.writeFileSync(file, text);
    const templates = count;
    const uri = pathToFileURL(file).href;
    const published = new Set<string>();
    let allPublished: (() => void) | undefined;
    const { child, conn, until } = startBenchServer(server, uri, (u) => {
      published.add(u);
      if (published.size >= templates) allPublished?.();
    });
    try {
      const t0 = performance.now();
      const scanned = new Promise<void>((resolve) => {
        allPublished = resolve;
      });
      await conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(ws).href, workspaceFolders: [{ uri: pathToFileURL(ws).href, name: 'bench' }], capabilities: {} });
      await conn.sendNotification('initialized', {});
      await Promise.race([scanned, new Promise((_, reject) => setTimeout(() => reject(new Error(`scan of ${templates} templates: ${published.size} published after 20 min`)), 20 * 60000))]);
      const scanMs = performance.now() - t0;
      const work = (await openAndEdit(conn, TextDocument.create(uri, 'packer-hcl', 1, text), edits, until)).map((l) => l - DEBOUNCE_MS);
      const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      await conn.sendRequest('shutdown');
      // Let it exit on its own (a --cpu-prof profile is written at exit), but not forever.
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await conn.sendNotification('exit');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      return { templates: count, scanMs, edits, workP50: percentile(work, 50), workP95: percentile(work, 95), serverRssMiB: hwm ? Number(hwm[1]) / 1024 : NaN };
    } finally {
      conn.dispose();
      child.kill();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
