/**
 * The HCL parser's lifecycle under hostile input (issue #9 item 6): a parse
 * that runs out of WebAssembly memory costs that file only, the next parse
 * works, and parses can be run in slices.
 */
import assert from 'node:assert/strict';
import { ParseDeferred, ParseTooSlow, deferringParses, hclReplacements, hclSettled, parseTree, prepareTree } from '../../../server/src/analysis/hclParser';
import { ready } from '../../support/analysis';

/** Deterministic printable garbage: valid UTF-8, no NUL, so nothing calls it binary; tree-sitter's error recovery feeds on it. */
function garbage(n: number): string {
  let x = 7;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += String.fromCharCode(32 + ((x >>> 16) % 95));
  }
  return s;
}

function variables(n: number): string {
  let s = '';
  for (let i = 0; s.length < n; i++) s += `variable "v${i}" {\n  default = "x${i}"\n}\n`;
  return s;
}

describe('hclParser', () => {
  before(ready);

  it('a parse that needs more memory than the heap limit fails for that text only; the next parse works', async function () {
    this.timeout(120000);
    const before = hclReplacements();
    const text = garbage(3 << 20);
    let first: unknown;
    assert.throws(() => parseTree(text), (e: unknown) => ((first = e), e instanceof ParseTooSlow && /needs more than 256 MB of memory/.test(e.message)));
    assert.equal(hclReplacements(), before + 1, 'the instance was replaced');
    assert.throws(() => parseTree(text), (e: unknown) => e === first, 'the text it gave up on is not parsed again: the same verdict');
    assert.equal(hclReplacements(), before + 1);
    await hclSettled();
    const tree = parseTree('a = "x"\n');
    assert.equal(tree.rootNode.type, 'config_file');
    assert.equal(tree.rootNode.hasError, false);
    tree.delete();
  });

  it('defers a long parse, then parses it in slices, yielding between them, to the same tree', async function () {
    this.timeout(60000);
    const text = variables(300_000);
    const whole = parseTree(text);
    const expected = whole.rootNode.toString();
    whole.delete();
    const r = deferringParses(() => parseTree(text));
    assert.ok(r.error instanceof ParseDeferred);
    assert.deepEqual(r.deferred, [text]);
    let pauses = 0;
    await prepareTree(text, async () => {
      pauses++;
      await new Promise((resolve) => setImmediate(resolve));
    });
    assert.ok(pauses > 2, `${pauses} pauses`);
    const tree = deferringParses(() => parseTree(text)).value!;
    assert.equal(tree.rootNode.toString(), expected);
    tree.delete();
  });

  it('parses small texts at once even when deferring', () => {
    const r = deferringParses(() => parseTree('a = 1\n'));
    assert.deepEqual(r.deferred, []);
    assert.equal(r.value!.rootNode.type, 'config_file');
    r.value!.delete();
  });
});
