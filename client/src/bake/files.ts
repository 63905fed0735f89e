/**
 * Reading a workspace's files for the bake (var files, a configuration's
 * templates), as hostile input: bounded by the bytes really read (never by
 * what `stat` claims), regular files only, never blocking on a FIFO. No
 * `vscode` import.
 */
import fs from 'node:fs';
import path from 'node:path';

/** At most `maxBytes` of a regular file as UTF-8; undefined when it is larger, not a regular file, or unreadable. */
export function readBounded(file: string, maxBytes: number): string | undefined {
  let fd: number | undefined;
  try {
    // O_NONBLOCK: a FIFO where a file was expected must not hang the bake.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    if (!fs.fstatSync(fd).isFile()) return undefined;
    const buf = Buffer.alloc(maxBytes + 1);
    let n = 0;
    for (;;) {
      const r = fs.readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n > maxBytes) return undefined;
    }
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Templates larger than this are not read for the bake's checks (the analysis skips them too). */
export const MAX_TEMPLATE_BYTES = 5 * 1024 * 1024;

/** The template files of a configuration: the legacy template, or the HCL2 folder's `*.pkr.hcl` / `*.pkr.json`, sorted. */
export function configurationFiles(target: string, format: 'json' | 'hcl'): string[] {
  if (format === 'json') return [target];
  try {
    return fs.readdirSync(target, { withFileTypes: true })
      .filter((d) => d.isFile() && /\.pkr\.(hcl|json)$/i.test(d.name))
      .map((d) => path.join(target, d.name))
      .sort();
  } catch {
    return [];
  }
}

/** The text of a configuration's template files, in `configurationFiles` order ('' for one that cannot be read). */
export function configurationTexts(target: string, format: 'json' | 'hcl'): string[] {
  return configurationFiles(target, format).map((f) => readBounded(f, MAX_TEMPLATE_BYTES) ?? '');
}
