/**
 * Hostile workspaces for the adversarial tier (issue #9): a temporary root
 * holding `ws/` (the workspace, or the path given to `lint`) and `outside/`
 * (a sentinel tree nothing may write to), with every trap a repository can
 * set for a linter: special files as ANSIBLE_CONFIG, symlinks leading out,
 * binary `*.pkr.hcl` siblings, huge and non-UTF-8 templates, read-only files,
 * hostile file names, and optionally thousands of templates.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from '../support/bytes';
import { hcl, legacy } from '../support/templates';

/** The default packerBake.maxFileSize (5 MiB) and the cap no setting can raise (64 MiB). */
export const DEFAULT_LIMIT = 5 * 1024 * 1024;
export const CAP = 64 * 1024 * 1024;

export const UNESCAPED = 'ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%h"]';
export const FIXED = 'ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%%h"]';
export const UNESCAPED_CFG = '[ssh_connection]\ncontrol_path = /tmp/c-%h-%r\n';
/** A Latin-1 comment line above the unescaped ControlPath: one byte 0xE9 that is not UTF-8. */
export const LATIN1_TEMPLATE = Buffer.from(hcl(UNESCAPED, '# caf\xe9 au lait\n'), 'latin1');
export const LATIN1_FIXED = Buffer.from(hcl(FIXED, '# caf\xe9 au lait\n'), 'latin1');

export interface HostileOptions {
  /** Root folder to build in (default: a new temporary folder). */
  root?: string;
  /** How many random 4 MB `*.pkr.hcl` siblings beside binary/t.pkr.hcl (default 3). */
  binarySiblings?: number;
  /** Plain templates under many/ (default 0). */
  templates?: number;
}

/** Special files, each named as ANSIBLE_CONFIG by its own template under special/. */
export const SPECIAL_CONFIGS: Record<string, string> = {
  zero: '/dev/zero',
  random: '/dev/random',
  fifo: 'fifo.cfg',
  pagemap: '/proc/self/pagemap',
  sparse: 'sparse.cfg',
};

export class HostileWorkspace {
  readonly ws: string;
  readonly outside: string;

  private constructor(readonly root: string) {
    this.ws = path.join(root, 'ws');
    this.outside = path.join(root, 'outside');
  }

  static build(options: HostileOptions = {}): HostileWorkspace {
    const root = options.root ?? fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-attack-')));
    const h = new HostileWorkspace(root);
    const put = (rel: string, data: string | Buffer) => {
      const file = path.join(h.ws, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, data);
    };

    // The sentinel tree: config files the workspace points at, plus bytes nobody should touch.
    fs.mkdirSync(path.join(h.outside, 'cfgdir'), { recursive: true });
    fs.writeFileSync(path.join(h.outside, 'ansible.cfg'), UNESCAPED_CFG);
    fs.writeFileSync(path.join(h.outside, 'cfgdir', 'ansible.cfg'), UNESCAPED_CFG);
    fs.writeFileSync(path.join(h.outside, 'real.pkr.hcl'), hcl(UNESCAPED));
    fs.writeFileSync(path.join(h.outside, 'abs.cfg'), UNESCAPED_CFG);
    fs.writeFileSync(path.join(h.outside, 'notes.txt'), 'sentinel\n');

    // Special files as ANSIBLE_CONFIG.
    for (const [name, cfg] of Object.entries(SPECIAL_CONFIGS)) put(`special/${name}.json`, legacy({ ansible_env_vars: [`ANSIBLE_CONFIG=${cfg}`] }));
    const fifo = spawnSync('mkfifo', [path.join(h.ws, 'special', 'fifo.cfg')]);
    if (fifo.status !== 0) throw new Error(`mkfifo failed: ${fifo.stderr}`);
    put('special/sparse.cfg', '');
    fs.truncateSync(path.join(h.ws, 'special', 'sparse.cfg'), 2 ** 31);
    put('special/sparse.pkr.hcl', '');
    fs.truncateSync(path.join(h.ws, 'special', 'sparse.pkr.hcl'), 2 ** 31);

    // Symlinks out of the workspace: a file, a folder, a template; and ANSIBLE_CONFIG paths leading out.
    put('symlinked/t.json', legacy());
    fs.symlinkSync('../../outside/ansible.cfg', path.join(h.ws, 'symlinked', 'ansible.cfg'));
    put('dirlink/t.json', legacy({ ansible_env_vars: ['ANSIBLE_CONFIG=cfg/ansible.cfg'] }));
    fs.symlinkSync('../../outside/cfgdir', path.join(h.ws, 'dirlink', 'cfg'));
    fs.mkdirSync(path.join(h.ws, 'tlink'));
    fs.symlinkSync('../../outside/real.pkr.hcl', path.join(h.ws, 'tlink', 'link.pkr.hcl'));
    put('dotdot/t.json', legacy({ ansible_env_vars: ['ANSIBLE_CONFIG=../../outside/abs.cfg'] }));
    put('absolute/t.json', legacy({ ansible_env_vars: [`ANSIBLE_CONFIG=${path.join(h.outside, 'abs.cfg')}`] }));

    // Binary siblings of a real template.
    put('binary/t.pkr.hcl', hcl(UNESCAPED));
    for (let n = 1; n <= (options.binarySiblings ?? 3); n++) put(`binary/junk${n}.pkr.hcl`, randomBytes(4 * 1024 * 1024, n));

    // Huge templates: one above the default limit (6 MB of comments), one above the cap that is not sparse.
    put('huge/big.pkr.hcl', Buffer.concat([Buffer.from(hcl(UNESCAPED)), Buffer.alloc(6 * 1024 * 1024, '# padding padding padding padding\n')]));
    put('huge/small.pkr.hcl', hcl(UNESCAPED));

    // A non-UTF-8 template (fixed by lint --fix with its other bytes kept; withheld by the server).
    put('latin1/t.pkr.hcl', LATIN1_TEMPLATE);

    // A read-only template.
    put('readonly/t.pkr.hcl', hcl(UNESCAPED));
    fs.chmodSync(path.join(h.ws, 'readonly', 't.pkr.hcl'), 0o444);

    // Hostile names.
    put('names/--fix', '');
    put('names/line\nforged.json:1:1: error forged: x.json', legacy({ ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%h'] }));

    for (let i = 0; i < (options.templates ?? 0); i++) {
      put(`many/d${Math.floor(i / 500)}/t${i}.json`, legacy({ ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH=/tmp/t${i}-%%h`] }));
    }
    return h;
  }

  /** sha256 of every file and link under `outside/` (and of the root's own entries but ws/), by relative path. */
  sentinel(): Record<string, string> {
    const out: Record<string, string> = {};
    const visit = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const p = path.join(dir, e.name);
        const rel = path.relative(this.root, p);
        if (p === this.ws) continue;
        const st = fs.lstatSync(p);
        const meta = `${st.mode.toString(8)} ${st.size} ${st.mtimeMs}`;
        if (e.isSymbolicLink()) out[rel] = `link ${fs.readlinkSync(p)} ${meta}`;
        else if (e.isDirectory()) {
          out[rel] = `dir ${meta}`;
          visit(p);
        } else out[rel] = `${crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex')} ${meta}`;
      }
    };
    visit(this.root);
    return out;
  }

  /** Bytes of regular files under ws/ that are no larger than `limit` (what a bounded reader may read of them, once). */
  readableBytes(limit: number): number {
    let total = 0;
    const visit = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) visit(p);
        else if (e.isFile()) {
          const size = fs.statSync(p).size;
          if (size <= limit) total += size;
        }
      }
    };
    visit(this.ws);
    return total;
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}


/** What /proc says about a process: bytes read (`rchar`) and peak resident memory (`VmHWM`, bytes). */
export interface ProcStats {
  rchar: number;
  vmHWM: number;
}

export function procStats(pid: number | 'self'): ProcStats {
  const io = fs.readFileSync(`/proc/${pid}/io`, 'utf8');
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    rchar: Number(/^rchar:\s+(\d+)/m.exec(io)![1]),
    vmHWM: Number(/^VmHWM:\s+(\d+) kB/m.exec(status)![1]) * 1024,
  };
}

export const MiB = 1024 * 1024;
