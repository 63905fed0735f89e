/**
 * The fix invariants over many real findings: for every finding of every
 * generated template that parses, the preferred fix (its edits, every file)
 * leaves the template parseable, clears that finding and changes bytes only
 * inside its edits; fixAll is idempotent.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ready } from '../support/analysis';
import { requireThat } from '../support/requireTool';
import { corpusAvailable, corpusDir } from '../support/corpus';
import { mutate, mutationArb, renderTemplate, templateSpec } from './arbitraries';
import { analyse, caseOf, checkFixes, corpusSeeds, exampleSeeds, long, params } from './support';

describe('fuzz: fixes keep their promises', function () {
  this.timeout(long ? 0 : 60000);
  before(ready);

  it('structured ansible provisioners (legacy JSON, HCL2, HCL2 JSON; random settings, indentation, CRLF, ansible.cfg)', () => {
    const rules = new Map<string, number>();
    let fixes = 0;
    let cases = 0;
    fc.assert(
      fc.property(templateSpec, (spec) => {
        const r = renderTemplate(spec);
        const c = caseOf(r.name, r.text, r.siblings, spec.toolchain ? { toolchain: spec.toolchain } : undefined);
        cases++;
        for (const f of analyse(c).findings) rules.set(f.ruleId, (rules.get(f.ruleId) ?? 0) + 1);
        fixes += checkFixes(c);
      }),
      params('structured templates', 150, 1),
    );
    if (long) process.stderr.write(`fuzz: structured templates: ${cases} cases, ${fixes} preferred fixes checked, findings by rule ${JSON.stringify(Object.fromEntries(rules))}\n`);
    // The generator is only worth its name if it reaches the rules.
    assert.ok(fixes > cases / 2, `only ${fixes} fixes over ${cases} cases`);
    for (const id of ['control-path-missing', 'control-path-unescaped-percent', 'control-path-too-long', 'control-path-unsafe-dir', 'ansible-env-vars-invalid']) {
      assert.ok((rules.get(id) ?? 0) > 0, `no ${id} finding in ${cases} generated templates: ${JSON.stringify(Object.fromEntries(rules))}`);
    }
  });

  it('every example template', () => {
    let fixes = 0;
    for (const s of exampleSeeds()) fixes += checkFixes(caseOf(s.name, s.text, s.siblings));
    assert.ok(fixes > 0);
  });

  it('every corpus template', function () {
    requireThat(this, corpusAvailable(), `../shared/corpus is not beside this clone (${corpusDir})`);
    let fixes = 0;
    for (const s of corpusSeeds()) {
      try {
        fixes += checkFixes(caseOf(s.name, s.text, s.siblings));
      } catch (e) {
        (e as Error).message = `${s.origin}: ${(e as Error).message}`;
        throw e;
      }
    }
    assert.ok(fixes > 0);
  });

  it('mutated templates that still parse', () => {
    const seeds = [...exampleSeeds(), ...corpusSeeds()];
    let parsed = 0;
    // Small nesting and strings: each case here is analysed once per finding and by two fixAll passes.
    const mutation = mutationArb({ maxNest: 200, maxHuge: 5_000 });
    const arb = fc.nat({ max: seeds.length - 1 }).chain((i) => fc.tuple(fc.constant(i), fc.array(mutation, { minLength: 1, maxLength: 2 })));
    fc.assert(
      fc.property(arb, ([i, mutations]) => {
        const s = seeds[i];
        const text = mutations.reduce((t, m) => mutate(t, m), s.text);
        const c = caseOf(s.name, text, s.siblings);
        const r = analyse(c);
        if (r.template && !r.findings.some((f) => f.ruleId === 'parse-error')) parsed++;
        checkFixes(c);
      }),
      params('mutated templates (fixes)', 60, 0.1),
    );
    if (long) process.stderr.write(`fuzz: mutated templates that still parsed: ${parsed}\n`);
  });
});
