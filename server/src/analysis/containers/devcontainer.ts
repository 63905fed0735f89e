/**
 * A dev container configuration (devcontainer.json, JSONC) as the container
 * rules see it: whether the container runs Packer/Ansible, what mounts its
 * `/tmp` (runArgs and mounts; for docker-compose configurations, the
 * service's `tmpfs` and `volumes` in the compose files), and its
 * containerEnv/remoteEnv.
 */
import * as path from 'path';
import type { Node } from 'jsonc-parser';
import type { AnalysisHost } from '../analyze';
import { mountTarget, normalizeTarget, tmpMount, type RunArg, type TmpMount } from './dockerArgs';
import { clip, dockerfileMention, mentionsTool } from './evidence';
import { parseJsoncObject, properties, property, spanOf, stringValue, strings } from './jsonc';
import { appendEntries } from './jsoncEdit';
import { doublePercents } from './percent';
import { composeService } from './compose';
import type { ContainerModel, PackerContainer, TextFix } from './model';

/** What the quick fix adds to runArgs: a tmpfs that also lets Packer run plugins from TMPDIR. */
export const TMPFS_RUN_ARGS = ['--tmpfs', '/tmp:rw,exec,mode=1777'] as const;

/** The lifecycle commands that run inside the container (initializeCommand runs on the host). */
const LIFECYCLE = ['onCreateCommand', 'updateContentCommand', 'postCreateCommand', 'postStartCommand', 'postAttachCommand'];

/** Our own extension id: a dev container that installs it is used for Packer. */
const EXTENSION_ID = 'packer-bake.packer-bake';

const DYNAMIC = /\$\{/;

export function readDevcontainer(file: string, text: string, host: AnalysisHost, maxFileSize: number): ContainerModel {
  const model: ContainerModel = { file, kind: 'devcontainer', text, containers: [], env: [], dependsOn: [] };
  const root = parseJsoncObject(text);
  if (!root) return model;
  const dir = path.dirname(file);
  const read = (f: string): string | undefined => {
    model.dependsOn.push(f);
    const t = host.readFile(f);
    return t !== undefined && t.length <= maxFileSize ? t : undefined;
  };

  for (const where of ['containerEnv', 'remoteEnv']) {
    for (const p of properties(property(root, where)?.value)) {
      const value = stringValue(p.value);
      if (value === undefined) continue;
      model.env.push({ name: p.name, value, where, span: spanOf(p.value), percentsDoubled: JSON.stringify(doublePercents(value)) });
    }
  }

  const composeFiles = strings(property(root, 'dockerComposeFile')?.value).map((s) => s.value);
  const service = property(root, 'service');
  const image = property(root, 'image');
  const build = property(root, 'build');
  const legacyDockerfile = property(root, 'dockerFile');
  const source = composeFiles.length > 0 ? service : image ?? build ?? legacyDockerfile;
  if (!source) return model;

  // Evidence that the container runs Packer or Ansible, from the configuration itself first.
  let evidence: string | undefined;
  const note = (why: string | undefined) => {
    evidence ??= why;
  };
  for (const f of properties(property(root, 'features')?.value)) if (mentionsTool(f.name)) note(`feature "${f.name}"`);
  const imageName = stringValue(image?.value);
  if (composeFiles.length === 0 && imageName && mentionsTool(imageName)) note(`image "${imageName}"`);
  const dockerfile = stringValue(property(build?.value, 'dockerfile')?.value) ?? stringValue(legacyDockerfile?.value);
  if (composeFiles.length === 0 && !imageName && dockerfile && !DYNAMIC.test(dockerfile)) {
    const df = path.resolve(dir, dockerfile);
    const t = read(df);
    const line = t === undefined ? undefined : dockerfileMention(t);
    if (line) note(`${path.basename(df)} ${line}`);
  }
  for (const name of LIFECYCLE) {
    const v = property(root, name)?.value;
    const commands = v?.type === 'object' ? properties(v).flatMap((p) => strings(p.value)) : strings(v);
    for (const c of commands) if (mentionsTool(c.value)) note(`${name} "${clip(c.value)}"`);
  }
  const extensions = strings(property(property(property(root, 'customizations')?.value, 'vscode')?.value, 'extensions')?.value);
  if (extensions.some((e) => e.value.toLowerCase() === EXTENSION_ID)) note(`the ${EXTENSION_ID} extension`);

  // What mounts /tmp: devcontainer.json's own `mounts` (both kinds of configuration), then runArgs or the compose service.
  const mountsTmp = mountsVerdict(property(root, 'mounts')?.value);
  let tmp: TmpMount;
  let compose: PackerContainer['compose'];
  const runArgs = property(root, 'runArgs');
  if (composeFiles.length > 0) {
    const serviceName = stringValue(service?.value);
    if (!serviceName || composeFiles.some((f) => DYNAMIC.test(f))) return model;
    const files = composeFiles.map((f) => path.resolve(dir, f));
    const svc = composeService(files, serviceName, read);
    if (svc.kind === 'unknown') return model;
    if (svc.evidence) note(svc.evidence);
    tmp = svc.tmp;
    compose = { files, service: serviceName };
  } else {
    tmp = tmpMount(runArgItems(runArgs?.value));
  }
  if (mountsTmp.kind === 'mounted' || mountsTmp.kind === 'unknown') tmp = mountsTmp;
  else if (tmp.kind === 'none' && mountsTmp.kind === 'none') tmp = { kind: 'none', targets: [...tmp.targets, ...mountsTmp.targets] };
  if (!evidence) return model;

  const span = spanOf((!compose && runArgs ? runArgs : source).key);
  model.containers.push({
    label: 'this dev container',
    evidence: `it uses Packer or Ansible (${evidence})`,
    tmp,
    span: tmp.kind === 'one-word' ? tmp.arg.span : span,
    env: model.env,
    compose,
    fix: compose ? undefined : tmpFix(text, root, runArgs?.value, tmp),
  });
  return model;
}

/** runArgs as run arguments (strings only: other items are not arguments the engine gets). */
function runArgItems(node: Node | undefined): RunArg[] {
  return strings(node).map((s) => ({ value: s.value, span: spanOf(s.node), dynamic: DYNAMIC.test(s.value) }));
}

/** The `mounts` property: strings in `--mount` syntax, or `{ type, source, target }` objects. */
function mountsVerdict(node: Node | undefined): TmpMount {
  const targets: string[] = [];
  for (const item of node?.type === 'array' ? node.children ?? [] : []) {
    const raw = item.type === 'string' ? (item.value as string) : stringValue(property(item, 'target')?.value);
    if (raw === undefined) continue;
    const target = item.type === 'string' ? mountTarget('mount', raw) : normalizeTarget(raw);
    if (target === undefined || DYNAMIC.test(target)) {
      if (DYNAMIC.test(raw)) return { kind: 'unknown', why: `the mount ${raw} is only known when the container starts` };
      continue;
    }
    if (target === '/tmp') return { kind: 'mounted', by: { value: raw, span: spanOf(item) } };
    targets.push(target);
  }
  return { kind: 'none', targets };
}

/** The runArgs edit: split a one-word flag, else append the tmpfs (adding runArgs when missing). */
function tmpFix(text: string, root: Node, runArgs: Node | undefined, tmp: TmpMount): TextFix | undefined {
  if (tmp.kind === 'one-word') {
    const { arg, flag, value } = tmp;
    return { title: `Split "${arg.value}" into two arguments`, edits: [{ start: arg.span.start, end: arg.span.end, newText: `${JSON.stringify(flag)}, ${JSON.stringify(value)}` }] };
  }
  if (tmp.kind !== 'none') return undefined;
  const items = TMPFS_RUN_ARGS.map((a) => JSON.stringify(a));
  if (runArgs) {
    if (runArgs.type !== 'array') return undefined;
    return { title: 'Add a tmpfs on /tmp to runArgs', edits: appendEntries(text, runArgs, items) };
  }
  return { title: 'Add runArgs with a tmpfs on /tmp', edits: appendEntries(text, root, [`"runArgs": [${items.join(', ')}]`]) };
}
