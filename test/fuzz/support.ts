/**
 * Shared pieces of the property tests: the run configuration (fixed seed and a
 * few runs in `npm run test:fuzz`; FUZZ_RUNS and a printed random seed in
 * `npm run fuzz`), the seed templates, and the checks of the fix invariants.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit } from 'vscode-languageserver-types';
import { Analyzer, PARSE_ERROR, applyEdits, fixAll, type AnalysisSettings, type Finding } from '../../server/src/analysis';
import { memoryHost } from '../support/analysis';
import { assertOnlyInside } from '../support/rules';
import { corpusAvailable, corpusDir, corpusIndex } from '../support/corpus';

/** True in the long run (`npm run fuzz`). */
export const long = process.env.FUZZ_RUNS !== undefined;

const fixedSeed = 20260606;
/** The seed of every property in this run: fixed unless FUZZ_RUNS or FUZZ_SEED is set. */
export const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : long ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : fixedSeed;
if (long || process.env.FUZZ_SEED !== undefined) {
  process.stderr.write(`fuzz: seed ${seed}, ${process.env.FUZZ_RUNS ?? 'default'} runs per property (reproduce with FUZZ_SEED=${seed} FUZZ_RUNS=${process.env.FUZZ_RUNS ?? ''} npm run fuzz)\n`);
}

/** Counts of the cases each property tried in this process, printed at the end of a long run. */
export const tried = new Map<string, number>();

/** fast-check parameters: `short` runs in the fixed-seed tier, FUZZ_RUNS in the long run (scaled by `weight`). */
export function params<T>(name: string, short: number, weight = 1): fc.Parameters<T> {
  const numRuns = long ? Math.max(1, Math.round(Number(process.env.FUZZ_RUNS) * weight)) : short;
  tried.set(name, (tried.get(name) ?? 0) + numRuns);
  return { seed, numRuns, endOnFailure: !long, verbose: 1 };
}

export interface SeedTemplate {
  /** Where it came from (for messages). */
  origin: string;
  /** The file name to analyse it as. */
  name: string;
  text: string;
  /** Other files in its folder the analysis may read (ansible.cfg, sibling HCL), by base name. */
  siblings: Record<string, string>;
}

const root = path.join(__dirname, '..', '..');

/** The example templates (always present). */
export function exampleSeeds(): SeedTemplate[] {
  const out: SeedTemplate[] = [];
  const dir = path.join(root, 'examples');
  for (const d of fs.readdirSync(dir).sort()) {
    for (const f of ['template.json', 'template.pkr.hcl']) {
      const p = path.join(dir, d, f);
      if (fs.existsSync(p)) out.push({ origin: `examples/${d}/${f}`, name: f, text: fs.readFileSync(p, 'utf8'), siblings: {} });
    }
  }
  return out;
}

/** The corpus templates (legacy JSON and HCL2), with the ansible.cfg and HCL files beside each. */
export function corpusSeeds(): SeedTemplate[] {
  if (!corpusAvailable()) return [];
  const out: SeedTemplate[] = [];
  for (const e of corpusIndex()) {
    if (e.kind === 'support' || (e.format !== 'json' && e.format !== 'hcl')) continue;
    const p = path.join(corpusDir, e.file);
    const name = path.basename(p);
    if (!/\.(json|pkr\.hcl)$/.test(name)) continue;
    const siblings: Record<string, string> = {};
    for (const s of fs.readdirSync(path.dirname(p))) {
      if (s !== name && /^ansible\.cfg$|\.pkr\.hcl$|\.pkrvars\.hcl$/.test(s)) siblings[s] = fs.readFileSync(path.join(path.dirname(p), s), 'utf8');
    }
    out.push({ origin: `corpus/${e.file}`, name, text: fs.readFileSync(p, 'utf8'), siblings });
  }
  return out;
}

/** A workspace of in-memory files: the template at /ws/t/<name> and its siblings. */
export interface Case {
  file: string;
  files: Record<string, string>;
  settings?: Partial<AnalysisSettings>;
}

export function caseOf(name: string, text: string, siblings: Record<string, string> = {}, settings?: Partial<AnalysisSettings>): Case {
  const dir = '/ws/t';
  const files: Record<string, string> = {};
  for (const [k, v] of Object.entries(siblings)) files[path.posix.join(dir, k)] = v;
  const file = path.posix.join(dir, name);
  files[file] = text;
  return { file, files, settings };
}

export function analyse(c: Case): ReturnType<Analyzer['analyze']> {
  return new Analyzer(memoryHost(c.files), c.settings).analyze(c.file, c.files[c.file]);
}

/** Offsets of LSP edits in `text`, checking that every position is a real place in it. */
export function offsetsOf(text: string, edits: TextEdit[], what: string): { start: number; end: number; newText: string }[] {
  const doc = TextDocument.create('file:///x', 'x', 0, text);
  return edits.map((e) => {
    for (const p of [e.range.start, e.range.end]) assertPosition(text, doc, p, what);
    const start = doc.offsetAt(e.range.start);
    const end = doc.offsetAt(e.range.end);
    assert.ok(start <= end, `${what}: an edit ends before it starts: ${JSON.stringify(e.range)}`);
    return { start, end, newText: e.newText };
  });
}

/** A position lies on an existing line, within its characters, not inside a CRLF or a surrogate pair. */
export function assertPosition(text: string, doc: TextDocument, p: { line: number; character: number }, what: string): void {
  assert.ok(Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.character >= 0, `${what}: bad position ${JSON.stringify(p)}`);
  assert.ok(p.line < doc.lineCount, `${what}: line ${p.line} is past the end (${doc.lineCount} lines)`);
  const lineStart = doc.offsetAt({ line: p.line, character: 0 });
  const nextStart = p.line + 1 < doc.lineCount ? doc.offsetAt({ line: p.line + 1, character: 0 }) : text.length;
  const content = text.slice(lineStart, nextStart).replace(/\r?\n$|\r$/, '');
  assert.ok(p.character <= content.length, `${what}: character ${p.character} is past the end of line ${p.line} (${content.length} characters)`);
  const o = lineStart + p.character;
  const c = text.charCodeAt(o);
  const before = text.charCodeAt(o - 1);
  assert.ok(!(c >= 0xdc00 && c <= 0xdfff && before >= 0xd800 && before <= 0xdbff), `${what}: position ${JSON.stringify(p)} splits a surrogate pair`);
}

/** Checks a finding's range is a real place in the file it names. */
export function assertFindingInside(files: Record<string, string>, f: Finding): void {
  const text = files[f.file];
  assert.ok(text !== undefined, `${f.ruleId} names a file that was not read: ${f.file}`);
  const doc = TextDocument.create('file:///x', 'x', 0, text);
  assertPosition(text, doc, f.range.start, `${f.ruleId} range start`);
  assertPosition(text, doc, f.range.end, `${f.ruleId} range end`);
  assert.ok(doc.offsetAt(f.range.start) <= doc.offsetAt(f.range.end), `${f.ruleId}: range ends before it starts`);
}

/**
 * Where an offset of the old text lands after the edits: inside a replaced
 * range, at its start; at an insertion point, before or after the inserted text.
 */
function mapOffset(o: number, edits: { start: number; end: number; newText: string }[]): number[] {
  let shift = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    if (e.start === e.end && e.start === o) return [o + shift, o + shift + e.newText.length];
    if (e.end <= o) shift += e.newText.length - (e.end - e.start);
    else if (e.start < o) return [e.start + shift];
  }
  return [o + shift];
}

const parseErrors = (fs: Finding[]) => fs.filter((f) => f.ruleId === PARSE_ERROR);

/**
 * The fix invariants for every finding of a case that parses: applying the
 * preferred fix (its edits, every file) gives text that still parses, clears
 * that finding, and changes bytes only inside the edits; and `fixAll` is
 * idempotent. Returns how many fixes were checked.
 */
export function checkFixes(c: Case): number {
  const before = analyse(c);
  if (!before.template || parseErrors(before.findings).length > 0) return 0;
  let checked = 0;
  for (const f of before.findings) {
    assertFindingInside(c.files, f);
    const fix = f.fixes.find((x) => x.isPreferred);
    if (!fix) continue;
    const label = `${f.ruleId} "${fix.title}" at ${f.file}:${f.range.start.line}:${f.range.start.character}`;
    const next = { ...c.files };
    const moved = new Map<string, { start: number; end: number; newText: string }[]>();
    for (const { file, edits } of fix.edits) {
      const original = next[file];
      assert.ok(original !== undefined, `${label}: edits a file that was not read: ${file}`);
      const offsets = offsetsOf(original, edits, label);
      const sorted = [...offsets].sort((a, b) => a.start - b.start);
      for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i - 1].end <= sorted[i].start, `${label}: overlapping edits`);
      const updated = applyEdits(original, edits);
      assertOnlyInside(original, updated, offsets);
      next[file] = updated;
      moved.set(file, [...(moved.get(file) ?? []), ...offsets]);
    }
    const after = analyse({ ...c, files: next });
    assert.deepEqual(parseErrors(after.findings).map((x) => x.message), [], `${label}: the fixed template parses`);
    assert.ok(after.template, `${label}: the fixed file is still a template`);
    // That finding is gone: no finding of the rule with the same message where its start moved to.
    const doc = TextDocument.create('file:///x', 'x', 0, c.files[f.file]);
    const newDoc = TextDocument.create('file:///x', 'x', 0, next[f.file]);
    const at = mapOffset(doc.offsetAt(f.range.start), moved.get(f.file) ?? []).map((o) => newDoc.positionAt(o));
    const still = after.findings.filter((x) => x.ruleId === f.ruleId && x.file === f.file && x.message === f.message && at.some((p) => x.range.start.line === p.line && x.range.start.character === p.character));
    assert.deepEqual(still, [], `${label}: the finding is still there after its fix`);
    checked++;
  }
  // fixAll over the template: the result parses, and a second fixAll changes nothing.
  const analyzer = new Analyzer(memoryHost(c.files), c.settings);
  const once = fixAll(analyzer, c.file, c.files[c.file]);
  const fixedFiles = { ...c.files, [c.file]: once.text };
  const afterAll = new Analyzer(memoryHost(fixedFiles), c.settings).analyze(c.file, once.text);
  assert.deepEqual(parseErrors(afterAll.findings).map((x) => x.message), [], 'fixAll: the result parses');
  const twice = fixAll(new Analyzer(memoryHost(fixedFiles), c.settings), c.file, once.text);
  assert.equal(twice.applied, 0, `fixAll is not idempotent: a second pass applied ${twice.applied} more fixes`);
  assert.equal(twice.text, once.text, 'fixAll is not idempotent: a second pass changed the text');
  return checked;
}
