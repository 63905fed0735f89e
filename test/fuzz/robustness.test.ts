/**
 * Hostile input: templates from the examples and the corpus, truncated, with
 * bytes flipped, lines duplicated or deleted, deep nesting, huge strings, CRLF
 * or lone CR line ends, a BOM, invalid UTF-8 decoded as text, NUL bytes,
 * syntax spliced in, and read under the wrong file name. The analysis must
 * never throw, every finding must point inside its file, fixAll must not
 * throw either, and the time must stay within a bound proportional to size.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTree, type ParseError } from 'jsonc-parser';
import { Parser, Language } from 'web-tree-sitter';
import { Analyzer, fixAll } from '../../server/src/analysis';
import { ready, memoryHost, wasmPaths } from '../support/analysis';
import { fileName, mutate, mutation } from './arbitraries';
import { assertFindingInside, caseOf, corpusSeeds, exampleSeeds, long, params, tried } from './support';

/** Generous on a loaded 2-core machine, yet far below what a quadratic path costs on the larger inputs. */
const budgetMs = (chars: number) => 500 + (chars / 1024) * 10;

let parser: Parser;

/** The bare parse of the text with the parser its name selects, in milliseconds. */
function bareParseMs(name: string, text: string): number {
  const t0 = performance.now();
  if (/\.(pkr|pkrvars)\.hcl$/.test(name)) parser.parse(text)?.delete();
  else parseTree(text, [] as ParseError[], { allowTrailingComma: false, disallowComments: false, allowEmptyContent: true });
  return performance.now() - t0;
}

/**
 * Inputs on which the bare parser itself is slower than the budget (e.g.
 * tree-sitter-hcl is quadratic on a long run of `"`): not a slow path of the
 * analysis, but reported at the end of the run and in docs/BENCHMARKS.md.
 */
const parserSlow: { chars: number; analysisMs: number; parseMs: number; sample: string }[] = [];

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

describe('fuzz: hostile templates never break the analysis', function () {
  this.timeout(long ? 0 : 60000);
  const seeds = [...exampleSeeds(), ...corpusSeeds()];
  before(async () => {
    await ready();
    await Parser.init({ locateFile: () => wasmPaths.treeSitter });
    parser = new Parser();
    parser.setLanguage(await Language.load(wasmPaths.hcl));
  });
  after(() => {
    if (long) process.stderr.write(`fuzz: cases tried ${JSON.stringify(Object.fromEntries(tried))}\n`);
    if (parserSlow.length) process.stderr.write(`fuzz: ${parserSlow.length} inputs where the bare parser alone exceeded the time budget: ${JSON.stringify(parserSlow.slice(0, 5))}\n`);
  });

  it(`mutated templates (${seeds.length} seeds): analyze and fixAll never throw, findings lie inside their file, time within a bound proportional to size`, () => {
    const arb = fc.nat({ max: seeds.length - 1 }).chain((i) => fc.tuple(fc.constant(i), fc.array(mutation, { minLength: 1, maxLength: 4 }), fileName(seeds[i].name)));
    fc.assert(
      fc.property(arb, ([i, mutations, name]) => {
        const s = seeds[i];
        const text = mutations.reduce((t, m) => mutate(t, m), s.text);
        const c = caseOf(name, text, s.siblings);
        const analyzer = new Analyzer(memoryHost(c.files));
        let run = timed(() => analyzer.analyze(c.file, text));
        // A scheduler or GC pause is not a slow path: a slow path is slow twice.
        if (run.ms > budgetMs(text.length)) run = timed(() => new Analyzer(memoryHost(c.files)).analyze(c.file, text));
        if (run.ms > budgetMs(text.length)) {
          // Over budget: acceptable only when the bare parse of the same text is what takes the time.
          const parseMs = bareParseMs(name, text);
          assert.ok(run.ms <= 3 * parseMs + 200, `analysis of ${text.length} characters took ${run.ms.toFixed(0)} ms (budget ${budgetMs(text.length).toFixed(0)} ms; the bare parse ${parseMs.toFixed(0)} ms)`);
          parserSlow.push({ chars: text.length, analysisMs: Math.round(run.ms), parseMs: Math.round(parseMs), sample: JSON.stringify(text.slice(0, 60)) });
        }
        for (const f of run.value.findings) assertFindingInside(c.files, f);
        fixAll(analyzer, c.file, text);
      }),
      params('mutated templates', 50, 0.1),
    );
  });

  it('random text under every template name: no throw', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.constantFrom('t.json', 't.pkr.hcl', 't.pkr.json', 'v.pkrvars.hcl'), (text, name) => {
        const c = caseOf(name, text);
        const r = new Analyzer(memoryHost(c.files)).analyze(c.file, text);
        for (const f of r.findings) assertFindingInside(c.files, f);
      }),
      params('random text', 300, 1),
    );
  });

  describe('100,000 levels of nesting do not overflow the stack', () => {
    const deep = 100_000;
    const cases: [string, string][] = [
      ['JSON objects', `{"builders":[{"type":"null"}],"provisioners":[{"type":"ansible","x":${'{"a":'.repeat(deep)}1${'}'.repeat(deep)}}]}`],
      ['JSON arrays in ansible_env_vars', `{"builders":[{"type":"null"}],"provisioners":[{"type":"ansible","ansible_env_vars":${'['.repeat(deep)}${']'.repeat(deep)}}]}`],
      ['JSON, unclosed', `{"builders":[{"type":"null"}],"provisioners":[{"type":"ansible","x":${'['.repeat(deep)}`],
      ['HCL objects', `build {\n  provisioner "ansible" {\n    x = ${'{a = '.repeat(deep)}1${'}'.repeat(deep)}\n  }\n}\n`],
      ['HCL tuples in ansible_env_vars', `build {\n  provisioner "ansible" {\n    ansible_env_vars = ${'['.repeat(deep)}${']'.repeat(deep)}\n  }\n}\n`],
      ['HCL parentheses', `build {\n  provisioner "ansible" {\n    x = ${'('.repeat(deep)}1${')'.repeat(deep)}\n  }\n}\n`],
      // tree-sitter-hcl alone needs seconds for 100,000 nested interpolations: the full depth in the long run only.
      [`HCL interpolations${long ? '' : ' (20,000 levels; 100,000 in npm run fuzz)'}`, `build {\n  provisioner "ansible" {\n    x = "${'${'.repeat(long ? deep : 20_000)}${'}'.repeat(long ? deep : 20_000)}"\n  }\n}\n`],
      ['HCL nested blocks', `${'build {\n'.repeat(deep)}${'}\n'.repeat(deep)}`],
    ];
    for (const [what, text] of cases) {
      it(what, function () {
        this.timeout(long ? 0 : 120000);
        const name = what.startsWith('JSON') ? 'template.json' : 'template.pkr.hcl';
        const c = caseOf(name, text);
        const analyzer = new Analyzer(memoryHost(c.files));
        const r = analyzer.analyze(c.file, text);
        for (const f of r.findings) assertFindingInside(c.files, f);
        fixAll(analyzer, c.file, text);
      });
    }
  });
});
