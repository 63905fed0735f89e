/**
 * The byte-level pieces `lint --fix` (and the server's reads) stand on: the
 * bounded read, the decoding that keeps every byte, the atomic write that
 * refuses a file changed since it was read.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { readBounded, readBoundedSync, readTextSync } from '../../server/src/boundedRead';
import { WriteRefused, digest, writeIfUnchanged } from '../../server/src/fileWrite';
import { decodeBytes, encodeText, looksBinary } from '../../server/src/textBytes';

describe('file bytes', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-bytes-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('decodeBytes / encodeText', () => {
    it('gives back the same bytes for any input, and edits leave the other bytes alone', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.string({ maxLength: 5 }), (raw, at, insert) => {
          const bytes = Buffer.from(raw);
          const d = decodeBytes(bytes);
          assert.deepEqual(encodeText(d.text), bytes);
          // An edit at a character boundary between decoded characters keeps the bytes on both sides.
          const i = at % (d.text.length + 1);
          if (i > 0 && i < d.text.length && d.text.charCodeAt(i) >= 0xdc00 && d.text.charCodeAt(i) <= 0xdfff && d.text.charCodeAt(i - 1) >= 0xd800 && d.text.charCodeAt(i - 1) <= 0xdbff) return;
          const edited = encodeText(d.text.slice(0, i) + insert + d.text.slice(i));
          const head = encodeText(d.text.slice(0, i));
          const tail = encodeText(d.text.slice(i));
          assert.deepEqual(edited, Buffer.concat([head, Buffer.from(insert, 'utf8'), tail]));
          assert.deepEqual(Buffer.concat([head, tail]), bytes);
        }),
        { seed: 9, numRuns: 3000 },
      );
    });

    it('keeps a BOM as U+FEFF, escapes each invalid byte as one character, keeps real surrogate pairs', () => {
      assert.deepEqual(decodeBytes(Buffer.from([0xef, 0xbb, 0xbf, 0x61])), { text: '\ufeffa', utf8: true });
      assert.deepEqual(decodeBytes(Buffer.from([0x61, 0xe9, 0x62])), { text: 'a\udce9b', utf8: false });
      const skull = Buffer.concat([Buffer.from('\u{1F480}', 'utf8'), Buffer.from([0xff])]);
      assert.deepEqual(decodeBytes(skull), { text: '\u{1F480}\udcff', utf8: false });
      assert.deepEqual(encodeText('\u{1F480}\udcff'), skull);
    });

    it('calls random bytes and NUL bytes binary, Latin-1 prose not', () => {
      assert.equal(looksBinary(Buffer.from('a\0b')), true);
      let x = 1;
      const noNul = Buffer.from(Array.from({ length: 4000 }, () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24) || 1));
      assert.equal(looksBinary(noNul), true, 'random bytes without a NUL');
      assert.equal(looksBinary(Buffer.from('Grüße aus Köln, café crème '.repeat(100), 'latin1')), false);
      assert.equal(looksBinary(Buffer.from('plain text\n')), false);
    });
  });

  describe('readBoundedSync / readBounded', () => {
    it('reads a regular file; refuses a FIFO, a device, a folder; a missing file is missing', async () => {
      const file = path.join(dir, 'f');
      fs.writeFileSync(file, 'hello');
      spawnSync('mkfifo', [path.join(dir, 'fifo')]);
      fs.symlinkSync('/dev/zero', path.join(dir, 'zero'));
      for (const read of [(f: string, n: number) => Promise.resolve(readBoundedSync(f, n)), readBounded]) {
        const ok = await read(file, 5);
        assert.deepEqual(ok.ok && !ok.binary && [ok.text, ok.bytes.length], ['hello', 5]);
        assert.deepEqual(await read(file, 4), { ok: false, reason: 'too-large', message: 'it is larger than 4 bytes' });
        assert.deepEqual(await read(path.join(dir, 'fifo'), 5), { ok: false, reason: 'not-regular', message: 'it is not a regular file (a FIFO, device or socket)' });
        assert.deepEqual(await read(path.join(dir, 'zero'), 5), { ok: false, reason: 'not-regular', message: 'it is not a regular file (a FIFO, device or socket)' });
        assert.deepEqual(await read(dir, 5), { ok: false, reason: 'not-regular', message: 'it is a folder' });
        assert.deepEqual(await read(path.join(dir, 'none'), 5), { ok: false, reason: 'missing', message: 'it does not exist' });
      }
    });

    it('readTextSync: the same texts and refusals through its kept buffer, which no text shares', () => {
      // Sizes around the kept buffer (1 MiB) and the first read (64 KiB); contents differ, so a shared buffer would show.
      const sizes = [5, 70 * 1024, 3, 1024 * 1024 - 1, 1024 * 1024 + 7, 200 * 1024, 0];
      const texts: string[] = [];
      sizes.forEach((n, k) => {
        const file = path.join(dir, `s${k}`);
        fs.writeFileSync(file, String.fromCharCode(97 + k).repeat(n));
        const r = readTextSync(file, 2 * 1024 * 1024);
        assert.ok(r.ok && !r.binary);
        texts.push(r.text);
        const b = readBoundedSync(file, 2 * 1024 * 1024);
        assert.ok(b.ok && !b.binary);
        assert.deepEqual(r, { ok: true, binary: false, text: b.text, utf8: b.utf8 });
      });
      sizes.forEach((n, k) => assert.equal(texts[k], String.fromCharCode(97 + k).repeat(n), `file ${k}`));
      fs.writeFileSync(path.join(dir, 'bin'), Buffer.from([0, 1, 2]));
      assert.deepEqual(readTextSync(path.join(dir, 'bin'), 10), { ok: true, binary: true });
      fs.writeFileSync(path.join(dir, 'latin1'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
      assert.deepEqual(readTextSync(path.join(dir, 'latin1'), 10), { ok: true, binary: false, text: 'caf\udce9\n', utf8: false });
      assert.deepEqual(readTextSync(path.join(dir, 's0'), 4), { ok: false, reason: 'too-large', message: 'it is larger than 4 bytes' });
      assert.deepEqual(readTextSync(dir, 5), { ok: false, reason: 'not-regular', message: 'it is a folder' });
      assert.deepEqual(readTextSync('/proc/self/status', 16), { ok: false, reason: 'too-large', message: 'it is larger than 16 bytes' });
      const status = readTextSync('/proc/self/status', 1 << 20);
      assert.ok(status.ok && !status.binary && status.text.startsWith('Name:'));
    });

    it('bounds a file whose stat size lies (/proc/self/status says 0 bytes) by the bytes read', () => {
      assert.equal(fs.statSync('/proc/self/status').size, 0);
      assert.deepEqual(readBoundedSync('/proc/self/status', 16), { ok: false, reason: 'too-large', message: 'it is larger than 16 bytes' });
      const whole = readBoundedSync('/proc/self/status', 1 << 20);
      assert.ok(whole.ok && !whole.binary && whole.text.startsWith('Name:'));
    });
  });

  describe('writeIfUnchanged', () => {
    it('replaces the file when it is what was read, keeping its mode', () => {
      const file = path.join(dir, 't.json');
      fs.writeFileSync(file, 'old');
      fs.chmodSync(file, 0o604);
      writeIfUnchanged(file, Buffer.from('new'), digest(Buffer.from('old')), 100);
      assert.equal(fs.readFileSync(file, 'utf8'), 'new');
      assert.equal(fs.statSync(file).mode & 0o777, 0o604);
      assert.deepEqual(fs.readdirSync(dir), ['t.json']);
    });

    it('refuses a file that changed after it was read, or is read-only, and leaves it and the folder as they were', () => {
      const file = path.join(dir, 't.json');
      fs.writeFileSync(file, 'changed');
      assert.throws(() => writeIfUnchanged(file, Buffer.from('new'), digest(Buffer.from('old')), 100), new WriteRefused('it changed after it was read'));
      assert.equal(fs.readFileSync(file, 'utf8'), 'changed');
      fs.chmodSync(file, 0o444);
      assert.throws(() => writeIfUnchanged(file, Buffer.from('new'), digest(Buffer.from('changed')), 100), new WriteRefused('it is read-only'));
      assert.equal(fs.readFileSync(file, 'utf8'), 'changed');
      assert.deepEqual(fs.readdirSync(dir), ['t.json']);
    });

    it('writes the real file behind a symlink, leaving the link a link', () => {
      const real = path.join(dir, 'real.json');
      fs.writeFileSync(real, 'old');
      fs.symlinkSync(real, path.join(dir, 'link.json'));
      writeIfUnchanged(path.join(dir, 'link.json'), Buffer.from('new'), digest(Buffer.from('old')), 100);
      assert.equal(fs.readFileSync(real, 'utf8'), 'new');
      assert.ok(fs.lstatSync(path.join(dir, 'link.json')).isSymbolicLink());
    });
  });
});
