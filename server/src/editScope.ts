/**
 * The one containment check for every edit packer-bake makes: quick fixes,
 * source.fixAll, "Fix All Control-Socket Problems in Workspace", the bake's
 * preflight and `lint --fix`. A finding may point anywhere (an ansible.cfg
 * named by an absolute `ANSIBLE_CONFIG`); a fix may only edit a file inside
 * the roots (the workspace folders; for the CLI the paths on its command
 * line), reached without a symbolic link that leaves them.
 */
import * as fs from 'fs';
import * as path from 'path';

export class EditScope {
  private constructor(
    /** The roots as given (absolute, normalised). */
    private readonly roots: string[],
    /** Their real paths, or undefined for a root that does not exist. */
    private readonly realRoots: (string | undefined)[],
  ) {}

  /** A scope over absolute root paths (folders or single files). */
  static of(roots: Iterable<string>): EditScope {
    const list = [...new Set([...roots].map((r) => path.resolve(r)))];
    return new EditScope(list, list.map(realpath));
  }

  /** True when no root was given: nothing on disk may be edited. */
  get empty(): boolean {
    return this.roots.length === 0;
  }

  /**
   * Undefined when `file` may be edited; otherwise why not, as a phrase
   * ("it is outside the workspace folders"). Checks the path as written and
   * the real path of the file and of every folder above it up to the root,
   * so neither `..` nor a symlink (committed in the repository, or a parent
   * folder that is one) leads an edit out; and refuses a file with other hard
   * links, which may be the same bytes as a file elsewhere. A file that does
   * not exist (a document open in the editor, not saved yet) is judged by the
   * folders above it that do; a dangling symlink is refused.
   */
  refusal(file: string, outside = 'outside the workspace folders'): string | undefined {
    const abs = path.resolve(file);
    const i = this.roots.findIndex((r) => abs === r || abs.startsWith(withSep(r)));
    if (i < 0) return `it is ${outside}`;
    // A document open in the editor but not (yet) on disk: its nearest existing folder decides.
    const missing = !exists(abs);
    const real = missing ? undefined : realpath(abs);
    if (real === undefined && !missing) return 'it cannot be resolved on disk';
    const realRoot = this.realRoots[i];
    if (realRoot === undefined) return 'its root folder cannot be resolved on disk';
    for (let p = abs; ; p = path.dirname(p)) {
      if (p !== this.roots[i] && !exists(p)) continue;
      const r = p === abs ? real : realpath(p);
      if (r === undefined || !(r === realRoot || r.startsWith(withSep(realRoot)))) {
        return `a symbolic link (${p}) leads ${outside}`;
      }
      if (p === this.roots[i] || path.dirname(p) === p) break;
    }
    if (missing || real === undefined) return undefined;
    let st: fs.Stats;
    try {
      st = fs.statSync(real);
    } catch {
      return 'it cannot be resolved on disk';
    }
    if (!st.isFile()) return 'it is not a regular file';
    if (st.nlink > 1) return `it has ${st.nlink} hard links, one of which may be ${outside}`;
    return undefined;
  }
}

function withSep(dir: string): string {
  return dir.endsWith(path.sep) ? dir : dir + path.sep;
}

/** True when something (a dangling symlink too) is at `p`. */
function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function realpath(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}
