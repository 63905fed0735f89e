/**
 * Finding a container engine that works. No `vscode` import.
 *
 * The engine CLI runs with the extension host's environment untouched, so
 * `DOCKER_HOST`, `DOCKER_CONTEXT`, the active docker context and
 * `CONTAINER_HOST` all apply exactly as in the user's shell: a team can point
 * them at a shared build host.
 */
import fs from 'node:fs';
import path from 'node:path';
import { versionArgs } from './argv';
import type { BakeSettings } from './settings';

export type EngineKind = 'docker' | 'podman';

export interface Engine {
  kind: EngineKind;
  /** Executable to spawn. */
  path: string;
  /** Server version reported by `version`. */
  version: string;
  /** The docker CLI is talking to Podman's Docker-compatible API. */
  podmanApi: boolean;
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

/** Runs an executable without a shell and collects its output. */
export type ExecFn = (file: string, args: string[], options: { env: NodeJS.ProcessEnv; timeoutMs: number }) => Promise<ExecResult>;

/** An engine problem explained for the user. */
export class EngineError extends Error {
  constructor(message: string, readonly reason: 'not-installed' | 'not-running' | 'failed') {
    super(message);
    this.name = 'EngineError';
  }
}

/** Looks `name` up on PATH (PATHEXT on Windows). */
export function findExecutable(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';') : [''];
  for (const dir of (env.PATH ?? env.Path ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch { /* not here */ }
    }
  }
  return undefined;
}

/** The engine kind an executable path names (`podman`, `podman.exe`, `/opt/bin/podman-remote` → podman). */
export function kindOfPath(p: string): EngineKind {
  return /podman/i.test(path.basename(p)) ? 'podman' : 'docker';
}

function firstLine(s: string): string {
  return s.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? '';
}

/** `text` as a sentence: a full stop added unless it already ends in one (or in `?`/`!`). */
export function sentence(text: string): string {
  const t = text.trim();
  return /[.?!]$/.test(t) ? t : `${t}.`;
}

const HELP_NOT_RUNNING: Record<EngineKind, string> = {
  docker: 'Start Docker (or point DOCKER_HOST / `docker context use` at a running engine)',
  podman: 'Check `podman info` (or point CONTAINER_HOST at a running Podman service)',
};

/**
 * Picks the engine: the configured one, or with `auto` docker then podman
 * (skipping an installed docker whose daemon cannot be reached when podman
 * works). Throws an `EngineError` that says what to do.
 */
export async function detectEngine(settings: BakeSettings, env: NodeJS.ProcessEnv, exec: ExecFn,
  find: (name: string) => string | undefined = (n) => findExecutable(n, env)): Promise<Engine> {
  const candidates: Array<{ kind: EngineKind; path: string | undefined; named: string }> = [];
  if (settings.enginePath) {
    const kind = settings.containerEngine === 'auto' ? kindOfPath(settings.enginePath) : settings.containerEngine;
    candidates.push({ kind, path: settings.enginePath, named: settings.enginePath });
  } else {
    const kinds: EngineKind[] = settings.containerEngine === 'auto' ? ['docker', 'podman'] : [settings.containerEngine];
    for (const kind of kinds) candidates.push({ kind, path: find(kind), named: kind });
  }

  const problems: string[] = [];
  for (const c of candidates) {
    if (!c.path) continue;
    const r = await exec(c.path, versionArgs(c.kind), { env, timeoutMs: 20_000 });
    if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
      problems.push(`${c.named} was not found at ${c.path}`);
      continue;
    }
    if (r.code === 0) {
      const [version, components = ''] = firstLine(r.stdout).split('|');
      return { kind: c.kind, path: c.path, version, podmanApi: c.kind === 'docker' && /\bPodman\b/i.test(components) };
    }
    const why = firstLine(r.stderr) || firstLine(r.stdout) || (r.error ? r.error.message : `exit code ${r.code}`);
    problems.push(`${c.named} is installed but not usable: ${sentence(why)} ${HELP_NOT_RUNNING[c.kind]}.`);
  }
  if (problems.length > 0) {
    const notFound = problems.every((p) => / was not found at /.test(p));
    throw new EngineError(problems.join(' '), notFound ? 'not-installed' : 'not-running');
  }
  const wanted = candidates.map((c) => c.named).join(' or ');
  throw new EngineError(
    `No container engine found: ${wanted} is not on PATH. Install Docker or Podman, or set packerBake.bake.enginePath.`,
    'not-installed');
}
