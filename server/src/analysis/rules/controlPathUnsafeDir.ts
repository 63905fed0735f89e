import * as path from 'path';
import { placedSockets, valueFix, type RawFinding, type Rule } from './rule';
import { replaceValue } from '../settings';

/** Directories where a Unix socket works in any container that mounts /tmp (plus the `safeDirectories` setting). */
export const DEFAULT_SAFE_DIRS = ['/tmp', '/dev/shm'];

export function isSafeDir(dir: string, safeDirs: string[]): boolean {
  if (!dir.startsWith('/')) return false; // relative, ~ or a token such as %d: the home or working directory
  const d = path.posix.normalize(dir).replace(/\/+$/, '') || '/';
  return safeDirs.some((s) => d === s || d.startsWith(`${s}/`));
}

export const controlPathUnsafeDir: Rule = {
  id: 'control-path-unsafe-dir',
  defaultSeverity: 'warning',
  description: 'A control path or control path directory is set, but outside the directories known to hold sockets in a container (/tmp, /dev/shm).',
  check(ctx) {
    const out: RawFinding[] = [];
    for (const { socket: t } of placedSockets(ctx)) {
      const s = t.decidedBy;
      const dir = t.via === 'control_path_dir' ? s.value : path.posix.dirname(t.path);
      if (isSafeDir(dir, ctx.safeDirs)) continue;
      const base = path.posix.basename(s.value);
      const replacement = t.via === 'control_path_dir'
        ? '/tmp/ansible-cp'
        : s.value.startsWith('%(directory)s') || base === '' ? '/tmp/ansible-ssh-%%h-%%p-%%r' : `/tmp/${base}`;
      out.push({
        file: s.file,
        span: s.span,
        message: `The control socket goes in ${dir}, which may not hold Unix sockets inside a container (bind mounts from macOS or Windows hosts, network home directories). Use a directory under ${ctx.safeDirs.join(' or ')}.`,
        fixes: valueFix(ctx, `Move it under /tmp: ${replacement}`, true, replaceValue(s, replacement)),
      });
    }
    return out;
  },
};
