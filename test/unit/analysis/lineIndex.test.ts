/**
 * The analysis's LineIndex (server/src/analysis/lineIndex.ts) gives the
 * positions vscode-languageserver-textdocument's TextDocument gives, for
 * every offset of texts made of every kind of line break.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LineIndex } from '../../../server/src/analysis/lineIndex';

function samePositions(text: string): void {
  const doc = TextDocument.create('file:///t', 'text', 0, text);
  const index = new LineIndex(text);
  for (let offset = -2; offset <= text.length + 2; offset++) {
    assert.deepEqual(index.positionAt(offset), doc.positionAt(offset), `offset ${offset} of ${JSON.stringify(text)}`);
  }
}

describe('LineIndex', () => {
  it('gives TextDocument.positionAt for every offset', () => {
    for (const text of ['', 'a', '\n', '\r', '\r\n', '\n\r', 'a\r\nb\rc\nd', '\r\r\n\n', 'é😀\r\n😀', 'no break at all']) samePositions(text);
    const piece = fc.constantFrom('a', 'bc', '\n', '\r', '\r\n', '😀', ' ', '\n\n');
    fc.assert(fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => samePositions(pieces.join(''))), { numRuns: 500 });
  });

  it('gives TextDocument.offsetAt for every position, on a line, past its end or past the text', () => {
    const piece = fc.constantFrom('a', 'bc', '\n', '\r', '\r\n', '😀', '\n\n');
    const textAndPositions = fc.array(piece, { maxLength: 30 }).chain((pieces) =>
      fc.tuple(fc.constant(pieces.join('')), fc.array(fc.tuple(fc.integer({ min: -1, max: 12 }), fc.integer({ min: -1, max: 8 })), { maxLength: 20 })),
    );
    fc.assert(
      fc.property(textAndPositions, ([text, positions]) => {
        const doc = TextDocument.create('file:///t', 'text', 0, text);
        const index = new LineIndex(text);
        for (const [line, character] of positions) assert.equal(index.offsetAt({ line, character }), doc.offsetAt({ line, character }), `${line}:${character} of ${JSON.stringify(text)} after ${JSON.stringify(positions)}`);
      }),
      { numRuns: 1000 },
    );
  });

  it('whatever the order the offsets are asked in (it finds line starts only as far as asked)', () => {
    const piece = fc.constantFrom('a', 'bc', '\n', '\r', '\r\n', '😀', '\n\n');
    const textAndOffsets = fc.array(piece, { maxLength: 30 }).chain((pieces) => {
      const text = pieces.join('');
      return fc.tuple(fc.constant(text), fc.array(fc.integer({ min: -1, max: text.length + 1 }), { maxLength: 20 }));
    });
    fc.assert(
      fc.property(textAndOffsets, ([text, offsets]) => {
        const doc = TextDocument.create('file:///t', 'text', 0, text);
        const index = new LineIndex(text);
        for (const offset of offsets) assert.deepEqual(index.positionAt(offset), doc.positionAt(offset), `offset ${offset} of ${JSON.stringify(text)} after ${JSON.stringify(offsets)}`);
      }),
      { numRuns: 1000 },
    );
  });
});
