/**
 * The open documents' update (what `TextDocuments` calls on `didChange`),
 * noting each change's span for the parsers of the document
 * (analysis/documentEdits.ts): the document has its line offsets already, so
 * the offsets and positions of a change cost a binary search, not a pass over
 * the text.
 */
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { noteEdits, type DocumentEdit } from './analysis/documentEdits';
import { isKept } from './analysis/hclParser';
import { analysisName, keyOfUri } from './documentKeys';

/** Documents that may hold a `\r` not followed by `\n`: a line break for the client, not for tree-sitter, so their positions differ. */
const loneCr = new WeakMap<TextDocument, boolean>();

/** When the last change of each open document arrived (performance.now()), before its update. */
const arrivals = new Map<string, number>();

/**
 * How long ago the last change of `uri` arrived, in ms (0 when none is
 * noted): the debounce counts from the change's arrival, so the update of a
 * large document (a copy of its text) runs inside the wait, not after it.
 */
export function sinceChange(uri: string): number {
  const at = arrivals.get(uri);
  return at === undefined ? 0 : Math.max(0, performance.now() - at);
}

/** Forgets the arrival of a closed document's last change. */
export function forgetArrival(uri: string): void {
  arrivals.delete(uri);
}

export function updateNotingEdits(doc: TextDocument, changes: TextDocumentContentChangeEvent[], version: number): TextDocument {
  arrivals.set(doc.uri, performance.now());
  const key = keyOfUri(doc.uri);
  const name = key === undefined ? undefined : analysisName(key, doc.languageId);
  if (name === undefined || !isKept(name)) return TextDocument.update(doc, changes, version);
  const before = doc.getText();
  let cr = loneCr.get(doc) ?? /\r(?!\n)/.test(before);
  let edits: DocumentEdit[] | undefined = [];
  for (const change of changes) {
    if (!('range' in change)) {
      edits = undefined;
      TextDocument.update(doc, [change], version);
      continue;
    }
    let start = doc.offsetAt(change.range.start);
    let end = doc.offsetAt(change.range.end);
    if (start > end) [start, end] = [end, start];
    // A `\r` inserted, or one just before the change (a `\r\n` split or joined), may stand alone now.
    if (change.text.includes('\r') || doc.getText().charCodeAt(start - 1) === 13) cr = true;
    const startPosition = doc.positionAt(start);
    const oldEndPosition = doc.positionAt(end);
    TextDocument.update(doc, [change], version);
    const newEnd = start + change.text.length;
    const newEndPosition = doc.positionAt(newEnd);
    edits?.push({
      startIndex: start,
      oldEndIndex: end,
      newEndIndex: newEnd,
      startPosition: { row: startPosition.line, column: startPosition.character },
      oldEndPosition: { row: oldEndPosition.line, column: oldEndPosition.character },
      newEndPosition: { row: newEndPosition.line, column: newEndPosition.character },
    });
  }
  loneCr.set(doc, cr);
  noteEdits(name, before, doc.getText(), cr ? undefined : edits);
  return doc;
}
