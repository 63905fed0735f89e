/**
 * The service a docker-compose based dev container runs, read from its
 * compose files: its `/tmp` mounts (`tmpfs`, `volumes`) and whether it runs
 * Packer/Ansible (its image, its Dockerfile). Anything that cannot be read
 * exactly (a missing file, a syntax error, `extends`, `volumes_from`, a
 * `${VAR}` in a mount) makes the answer unknown, and the rules stay silent.
 */
import * as path from 'path';
import { parseDocument } from 'yaml';
import { mountTarget, normalizeTarget, type TmpMount } from './dockerArgs';
import { clip, dockerfileMention, mentionsTool } from './evidence';

export type ComposeService = { kind: 'unknown'; why: string } | { kind: 'known'; tmp: TmpMount; evidence?: string };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isMap = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a compose file; undefined on any error. YAML 1.1 merge keys (`<<: *x`) are used by compose files, so they count. */
export function parseCompose(text: string): Record<string, Json> | undefined {
  const doc = parseDocument(text, { merge: true, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length > 0) return undefined;
  try {
    const v = doc.toJS({ maxAliasCount: 100 }) as unknown;
    return isMap(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export function composeService(files: string[], name: string, read: (file: string) => string | undefined): ComposeService {
  const targets: string[] = [];
  let evidence: string | undefined;
  let found = false;
  for (const file of files) {
    const text = read(file);
    if (text === undefined) return { kind: 'unknown', why: `${file} cannot be read` };
    const doc = parseCompose(text);
    if (!doc) return { kind: 'unknown', why: `${file} does not parse` };
    const services = doc.services;
    const svc = isMap(services) ? services[name] : undefined;
    if (svc === undefined || svc === null) continue;
    if (!isMap(svc)) return { kind: 'unknown', why: `service ${name} is not a mapping` };
    found = true;
    if (svc.extends !== undefined || svc.volumes_from !== undefined) return { kind: 'unknown', why: `service ${name} takes settings from another service` };
    const tmpfs = typeof svc.tmpfs === 'string' ? [svc.tmpfs] : Array.isArray(svc.tmpfs) ? svc.tmpfs : [];
    for (const t of tmpfs) {
      if (typeof t !== 'string') continue;
      const target = mountTarget('tmpfs', t);
      if (t.includes('$')) return { kind: 'unknown', why: `tmpfs ${t} uses a variable` };
      if (target === '/tmp') return { kind: 'known', tmp: { kind: 'mounted', by: { value: t, span: { start: 0, end: 0 } } }, evidence };
      if (target) targets.push(target);
    }
    for (const v of Array.isArray(svc.volumes) ? svc.volumes : []) {
      const raw = typeof v === 'string' ? v : isMap(v) && typeof v.target === 'string' ? v.target : undefined;
      if (raw === undefined) continue;
      if (raw.includes('$')) return { kind: 'unknown', why: `volume ${raw} uses a variable` };
      const target = typeof v === 'string' ? mountTarget('volume', v) : normalizeTarget(raw);
      if (target === '/tmp') return { kind: 'known', tmp: { kind: 'mounted', by: { value: raw, span: { start: 0, end: 0 } } }, evidence };
      if (target) targets.push(target);
    }
    if (typeof svc.image === 'string' && mentionsTool(svc.image)) evidence ??= `image "${svc.image}" of service ${name}`;
    evidence ??= buildEvidence(file, svc.build, read);
  }
  if (!found) return { kind: 'unknown', why: `no service ${name} in the compose files` };
  return { kind: 'known', tmp: { kind: 'none', targets }, evidence };
}

/** The Dockerfile line of a service's `build` that mentions Packer/Ansible. */
function buildEvidence(composeFile: string, build: Json | undefined, read: (file: string) => string | undefined): string | undefined {
  const spec = typeof build === 'string' ? { context: build } : isMap(build) ? build : undefined;
  if (!spec) return undefined;
  if (typeof spec.dockerfile_inline === 'string') {
    const line = dockerfileMention(spec.dockerfile_inline);
    return line ? `the inline Dockerfile ${line}` : undefined;
  }
  const context = typeof spec.context === 'string' ? spec.context : '.';
  const dockerfile = typeof spec.dockerfile === 'string' ? spec.dockerfile : 'Dockerfile';
  if (/\$|:\/\//.test(context + dockerfile)) return undefined;
  const file = path.resolve(path.dirname(composeFile), context, dockerfile);
  const text = read(file);
  const line = text === undefined ? undefined : dockerfileMention(text);
  return line ? `${clip(path.basename(file))} ${line}` : undefined;
}
