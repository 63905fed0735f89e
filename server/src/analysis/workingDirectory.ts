/**
 * Which directory Packer is started in. It matters because Ansible reads
 * `ansible.cfg` from there and resolves a relative `ANSIBLE_CONFIG` against
 * it (Packer runs ansible-playbook in its own working directory), and Packer
 * itself reads relative `playbook_file`, `script`, ... from there
 * (docs/facts.md). Real repositories run `cd packer && packer build
 * images/x.json`; the template's relative paths tell: the directory from
 * which they exist is where Packer runs.
 */
import * as path from 'path';
import { PATH_ATTRS, type Template, type Value } from './types';
import { resolveValue, type Scope } from './evaluate';
import { ownCopy } from './shiftSpans';

export interface WorkingDirectory {
  dir: string;
  reason: string;
}

export interface WorkingDirectoryInput {
  template: Template;
  scope: Scope;
  /** Entry names of a directory (files and folders), or undefined. */
  listDir(dir: string): string[] | undefined;
  /** The folders the search stays inside (the workspace folders, the paths given to the CLI). */
  roots: string[];
  /** Stated by the user (setting, `--cwd`, the bake task): used as is. */
  given?: string;
  /**
   * The best subfolder of a folder for a list of relative paths, kept by the
   * caller for as long as its listings hold (see `bestChild`): the templates
   * of a large tree share their ancestors, and many name the same paths.
   */
  memo?: Map<string, ChildPick>;
  /** relativePaths(template, scope) and their relativePathsKey, when the caller has worked them out already. */
  rels?: { paths: RelativePath[]; key: string };
}

/** The first subfolder from which the most of the paths exist (none: `dir` undefined). */
export interface ChildPick {
  dir?: string;
  found: RelativePath[];
}

type RelativePath = { path: string; from: string };

/** How many levels above the template's folder are tried when no root bounds the search. */
const MAX_LEVELS = 3;
/** Stands for `path.cwd` while looking for the template's relative paths. */
const CWD_MARK = '\u0000cwd';
/** Subfolders tried per ancestor (a sibling folder such as `packer/` next to `images/`). */
const MAX_CHILDREN = 64;
const SKIP = new Set(['node_modules', '.git', 'dist', 'out']);
/** A listing with fewer names than this is taken as the whole folder (hosts cut listings at tens of thousands). */
const COMPLETE_LISTING = 10000;

/** The relative paths as one string (the memo's key, with the folder searched). */
export function relativePathsKey(rels: RelativePath[]): string {
  return rels.map((r) => `${r.from}=${r.path}`).join('\0');
}

/** The relative file paths the template names (evaluated where possible), with where each comes from. */
export function relativePaths(template: Template, scope: Scope): RelativePath[] {
  const out: RelativePath[] = [];
  // `${path.cwd}/x` names x relative to the working directory too: evaluate with a marker for it.
  const marked: Scope = { ...scope, cwd: CWD_MARK };
  const add = (v: Value, from: string) => {
    const r = resolveValue(v, marked);
    const items = r.kind === 'list' ? r.items : [r];
    for (const i of items) {
      if (i.kind !== 'string') continue;
      for (const p of from === 'roles_path' || from === 'collections_path' ? i.value.split(':') : [i.value]) {
        const t = p.trim().startsWith(`${CWD_MARK}/`) ? p.trim().slice(CWD_MARK.length + 1) : p.trim();
        if (t.includes(CWD_MARK)) continue;
        if (t && !path.isAbsolute(t) && !t.startsWith('~') && !t.includes('$') && !t.includes('{{')) out.push({ path: t, from });
      }
    }
  };
  for (const p of template.provisioners) {
    for (const [name, a] of p.attrs) {
      if (PATH_ATTRS.has(name) && name !== 'command') add(a.value, name);
    }
    // A command given as a relative path (`./scripts/ansible-playbook.sh`).
    const command = p.attrs.get('command');
    const cv = command && resolveValue(command.value, marked);
    if (cv?.kind === 'string') {
      const program = cv.value.trim().split(/\s+/)[0];
      if (program.includes('/')) add({ ...cv, value: program }, 'command');
    }
    const env = p.attrs.get('ansible_env_vars');
    const envV = env && resolveValue(env.value, marked);
    if (envV?.kind === 'list') {
      for (const i of envV.items) {
        if (i.kind === 'string' && i.value.startsWith('ANSIBLE_CONFIG=')) add({ ...i, value: i.value.slice('ANSIBLE_CONFIG='.length) }, 'ANSIBLE_CONFIG');
      }
    }
  }
  return out;
}

/**
 * The directory Packer runs in: the one stated, else the nearest directory
 * (the template's folder, its ancestors, their subfolders) from which the
 * most of the template's relative paths exist; the template's folder when
 * none tells.
 */
export function workingDirectory(input: WorkingDirectoryInput): WorkingDirectory & { checked: string[] } {
  const templateDir = path.dirname(input.template.file);
  if (input.given) return { dir: input.given, reason: 'stated in the settings', checked: [] };
  const rels = input.rels?.paths ?? relativePaths(input.template, input.scope);
  const checked = rels.map((r) => path.resolve(templateDir, r.path));
  if (rels.length === 0) return { dir: templateDir, reason: "the template's folder (no relative path in the template says otherwise)", checked };
  const exists = (file: string) => {
    const names = input.listDir(path.dirname(file));
    return names !== undefined && nameSet(names).has(path.basename(file));
  };
  // A path `a/b/c` can only exist from a folder that holds `a`: the folder's listing answers most candidates
  // without resolving each path (thousands of candidates in a large workspace). Paths going up are resolved.
  const firsts = rels.map((r) => path.normalize(r.path).split(/[\\/]/)[0]);
  const heads = firsts.map((first) => (first === '..' || first === '.' || first === '' ? undefined : first));
  // `up`, in the search among a folder's subfolders: a path going up (`../x`) names the same file from each of
  // them (`a/b/../x` is `a/x`), so it is asked once, not once per subfolder.
  const score = (dir: string, up?: Map<number, boolean>) => {
    const names = input.listDir(dir);
    const listed = names !== undefined && names.length < COMPLETE_LISTING ? nameSet(names) : undefined;
    return rels.filter((r, i) => {
      if (listed && heads[i] !== undefined && !listed.has(heads[i]!)) return false;
      if (!up || firsts[i] !== '..') return exists(path.resolve(dir, r.path));
      let found = up.get(i);
      if (found === undefined) up.set(i, (found = exists(path.resolve(dir, r.path))));
      return found;
    });
  };
  const own = score(templateDir);
  if (own.length === rels.length) return { dir: templateDir, reason: `the template's folder (${describe(own[0])} exists from there)`, checked };

  const root = input.roots.filter((r) => templateDir === r || templateDir.startsWith(r.endsWith(path.sep) ? r : r + path.sep)).sort((a, b) => b.length - a.length)[0];
  const ancestors: string[] = [];
  for (let d = path.dirname(templateDir), level = 1; ; d = path.dirname(d), level++) {
    ancestors.push(d);
    const atRoot = root !== undefined ? d === root || !d.startsWith(root) : level >= MAX_LEVELS;
    if (atRoot || d === path.dirname(d)) break;
  }
  let best = { dir: templateDir, found: own };
  const consider = (dir: string) => {
    const found = score(dir);
    if (found.length > best.found.length) best = { dir, found };
  };
  for (const a of ancestors) consider(a);
  // The subfolders of each folder, in name order; the first of the most wins, as above. The template's own folder
  // among them scores `own` again, which never beats `best`: so the pick does not depend on the template.
  const bestChild = (a: string): ChildPick => {
    let pick: ChildPick = { found: [] };
    const children = candidateChildren(input.listDir(a) ?? []);
    const up = new Map<number, boolean>();
    for (const c of children) {
      const dir = path.join(a, c);
      if (input.listDir(dir) === undefined) continue;
      const found = score(dir, up);
      if (found.length > pick.found.length) pick = { dir, found };
    }
    return pick;
  };
  const relsKey = input.memo && (input.rels?.key ?? relativePathsKey(rels));
  for (const a of [templateDir, ...ancestors]) {
    const key = `${a}\0${relsKey}`;
    let pick = input.memo?.get(key);
    if (!pick) {
      pick = bestChild(a);
      if (input.memo) {
        if (input.memo.size >= 10000) input.memo.clear();
        // Copies: the paths are slices of the template's text, which they would keep alive (see shiftSpans.ts).
        input.memo.set(ownCopy(key), { dir: pick.dir, found: pick.found.map((r) => ({ path: ownCopy(r.path), from: r.from })) });
      }
    }
    if (pick.dir !== undefined && pick.found.length > best.found.length) best = { dir: pick.dir, found: pick.found };
  }
  if (best.found.length === 0) {
    return { dir: templateDir, reason: `the template's folder (assumed: ${describe(rels[0])} exists from no directory nearby)`, checked };
  }
  if (best.dir === templateDir) return { dir: templateDir, reason: `the template's folder (${describe(best.found[0])} exists from there)`, checked };
  checked.push(...rels.map((r) => path.resolve(best.dir, r.path)));
  return { dir: best.dir, reason: `${describe(best.found[0])} exists only from there`, checked };
}

/** What `make` works out of a listing, once per listing (hosts keep their listings). */
function perListing<T>(memo: WeakMap<string[], T>, names: string[], make: (names: string[]) => T): T {
  let v = memo.get(names);
  if (v === undefined) memo.set(names, (v = make(names)));
  return v;
}

/** The subfolders the search tries of a folder's listing, in name order. */
const childLists = new WeakMap<string[], string[]>();
function candidateChildren(names: string[]): string[] {
  return perListing(childLists, names, (n) => n.filter((x) => !x.startsWith('.') && !SKIP.has(x)).sort().slice(0, MAX_CHILDREN));
}

/** The names of a listing as a set. */
const sets = new WeakMap<string[], Set<string>>();
export function nameSet(names: string[]): Set<string> {
  return perListing(sets, names, (n) => new Set(n));
}

function describe(r: RelativePath): string {
  return `${r.from} ${r.path}`;
}
