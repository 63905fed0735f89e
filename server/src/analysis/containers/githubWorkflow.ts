/**
 * A GitHub Actions workflow as the container rules see it: each job with a
 * `container:` whose `run` steps call `packer build`, what its
 * `container.options` and `container.volumes` mount, and the `env` maps
 * (workflow, job, container, step) that can place Ansible's control socket.
 */
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { mountTarget, splitOptions, tmpMount, type TmpMount } from './dockerArgs';
import type { ContainerModel, EnvSetting, TextFix } from './model';
import { eolOf } from './jsoncEdit';
import { doubledLiteral } from './percent';

/** What the quick fix adds to `container.options` (the runner passes it to `docker create`). */
export const GITHUB_TMPFS_OPTION = '--tmpfs /tmp:exec';

/** `packer build` as a command in a shell script (after a separator, not inside a word like `mypacker build`). */
export const PACKER_BUILD = /(?:^|[\s;&|(`'"])packer\s+build(?=\s|$|[;&|)`'"])/m;

const EXPRESSION = /\$\{\{/;

export function readWorkflow(file: string, text: string): ContainerModel {
  const model: ContainerModel = { file, kind: 'github-workflow', text, containers: [], env: [], dependsOn: [] };
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return model;
  const workflowEnv = envOf(text, doc.contents, 'workflow env');
  model.env.push(...workflowEnv);
  const jobs = doc.contents.get('jobs', true);
  if (!isMap(jobs)) return model;
  for (const job of jobs.items) {
    if (!isScalar(job.key) || !isMap(job.value)) continue;
    const id = String(job.key.value);
    const jobEnv = envOf(text, job.value, `env of job "${id}"`);
    model.env.push(...jobEnv);
    const containerPair = pairOf(job.value, 'container');
    const container = containerPair?.value;
    const containerEnv = isMap(container) ? envOf(text, container, `container env of job "${id}"`) : [];
    model.env.push(...containerEnv);
    const steps = job.value.get('steps', true);
    let evidence: string | undefined;
    const stepEnv: EnvSetting[] = [];
    if (isSeq(steps)) {
      steps.items.forEach((step, i) => {
        if (!isMap(step)) return;
        const env = envOf(text, step, `env of step ${stepName(step, i)} in job "${id}"`);
        model.env.push(...env);
        const run = step.get('run');
        if (typeof run === 'string' && PACKER_BUILD.test(run)) {
          evidence ??= `step ${stepName(step, i)} runs packer build`;
          stepEnv.push(...env);
        }
      });
    }
    if (!containerPair || !evidence || container === null || container === undefined) continue;
    if (isScalar(container) && (container.value === null || container.value === '')) continue;
    model.containers.push({
      label: `the container of job "${id}"`,
      evidence,
      tmp: containerMounts(container as Node),
      span: spanOf(containerPair.key as Node),
      env: [...workflowEnv, ...jobEnv, ...containerEnv, ...stepEnv],
      fix: tmpfsFix(doc, text, containerPair),
    });
  }
  return model;
}

function stepName(step: YAMLMap, i: number): string {
  const name = step.get('name');
  return typeof name === 'string' ? `"${name}"` : `#${i + 1}`;
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key);
}

function spanOf(node: Node): { start: number; end: number } {
  const [start, end] = node.range ?? [0, 0];
  return { start, end };
}

/** The `/tmp` verdict of `container:` (a string is just the image: nothing is mounted). */
function containerMounts(container: Node): TmpMount {
  if (isScalar(container)) {
    return typeof container.value === 'string' && EXPRESSION.test(container.value)
      ? { kind: 'unknown', why: 'the container is an expression' }
      : { kind: 'none', targets: [] };
  }
  if (!isMap(container)) return { kind: 'unknown', why: 'container is neither an image nor a mapping' };
  const targets: string[] = [];
  const volumes = container.get('volumes', true);
  for (const v of isSeq(volumes) ? volumes.items : []) {
    if (!isScalar(v) || typeof v.value !== 'string') continue;
    if (EXPRESSION.test(v.value)) return { kind: 'unknown', why: `the volume ${v.value} is an expression` };
    const target = mountTarget('volume', v.value);
    if (target === '/tmp') return { kind: 'mounted', by: { value: v.value, span: spanOf(v) } };
    if (target) targets.push(target);
  }
  const options = container.get('options', true);
  if (options === undefined || options === null) return { kind: 'none', targets };
  if (!isScalar(options) || typeof options.value !== 'string') return { kind: 'unknown', why: 'container.options is not a string' };
  const args = splitOptions(options.value, spanOf(options), true);
  if (!args) return { kind: 'unknown', why: 'container.options has unbalanced quotes' };
  if (EXPRESSION.test(options.value)) return { kind: 'unknown', why: 'container.options uses an expression' };
  const verdict = tmpMount(args);
  return verdict.kind === 'none' ? { kind: 'none', targets: [...targets, ...verdict.targets] } : verdict;
}

/** The variables of an `env:` mapping whose values are plain strings. */
function envOf(text: string, map: YAMLMap, where: string): EnvSetting[] {
  const env = map.get('env', true);
  if (!isMap(env)) return [];
  const out: EnvSetting[] = [];
  for (const p of env.items) {
    if (!isScalar(p.key) || !isScalar(p.value) || typeof p.value.value !== 'string') continue;
    const value = p.value as Scalar<string>;
    const [start, end] = value.range ?? [0, 0];
    out.push({ name: String(p.key.value), value: value.value, where, span: { start, end }, percentsDoubled: yamlDoubled(text.slice(start, end), value) });
  }
  return out;
}

/** The scalar's source with single `%` doubled, for the plain and quoted styles. */
function yamlDoubled(raw: string, node: Scalar<string>): string | undefined {
  if (node.type === 'PLAIN') return doubledLiteral(raw, node.value, '');
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') return doubledLiteral(raw, node.value, raw[0]);
  return undefined;
}

/** The quick fix adding a tmpfs to `container:`, for the block styles it can be written in exactly. */
function tmpfsFix(doc: Document, text: string, pair: Pair): TextFix | undefined {
  const eol = eolOf(text);
  const key = pair.key as Node;
  const value = pair.value as Node;
  const keyStart = key.range![0];
  const keyIndent = keyStart - (text.lastIndexOf('\n', keyStart - 1) + 1);
  if (isScalar(value)) {
    if (value.type !== 'PLAIN' || typeof value.value !== 'string' || EXPRESSION.test(value.value)) return undefined;
    const [start, end] = value.range!;
    if (/[\r\n]/.test(text.slice(key.range![1], end))) return undefined;
    const indent = ' '.repeat(keyIndent + indentStep(doc, text));
    const colon = text.indexOf(':', key.range![1]);
    return {
      title: `Add "options: ${GITHUB_TMPFS_OPTION}" to the container`,
      edits: [{ start: colon + 1, end, newText: `${eol}${indent}image: ${text.slice(start, end)}${eol}${indent}options: ${GITHUB_TMPFS_OPTION}` }],
    };
  }
  if (!isMap(value) || value.flow) return undefined;
  const options = pairOf(value, 'options');
  if (options) {
    const v = options.value;
    if (!isScalar(v) || typeof v.value !== 'string' || EXPRESSION.test(v.value)) return undefined;
    const [start, end] = v.range!;
    if (/[\r\n]/.test(text.slice(start, end))) return undefined;
    if (v.type === 'PLAIN') return { title: `Add ${GITHUB_TMPFS_OPTION} to container.options`, edits: [{ start: end, end, newText: ` ${GITHUB_TMPFS_OPTION}` }] };
    if (v.type === 'QUOTE_DOUBLE' || v.type === 'QUOTE_SINGLE') return { title: `Add ${GITHUB_TMPFS_OPTION} to container.options`, edits: [{ start: end - 1, end: end - 1, newText: ` ${GITHUB_TMPFS_OPTION}` }] };
    return undefined;
  }
  // A new `options:` line after the mapping's last line (after a comment there), at its keys' indentation.
  const first = value.items[0]?.key as Node | undefined;
  if (!first?.range || !value.range) return undefined;
  const column = first.range[0] - (text.lastIndexOf('\n', first.range[0] - 1) + 1);
  const line = `${' '.repeat(column)}options: ${GITHUB_TMPFS_OPTION}`;
  const end = value.range[1];
  if (text[end - 1] === '\n') return { title: `Add "options: ${GITHUB_TMPFS_OPTION}" to the container`, edits: [{ start: end, end, newText: `${line}${eol}` }] };
  const nl = text.indexOf('\n', end);
  const at = nl < 0 ? text.length : text[nl - 1] === '\r' ? nl - 1 : nl;
  return { title: `Add "options: ${GITHUB_TMPFS_OPTION}" to the container`, edits: [{ start: at, end: at, newText: `${eol}${line}` }] };
}

/** The file's indentation step (the column of the first nested key), 2 by default. */
function indentStep(doc: Document, text: string): number {
  const root = doc.contents;
  if (!isMap(root)) return 2;
  for (const p of root.items) {
    if (!isMap(p.value) || p.value.flow || !p.value.items[0]) continue;
    const k = p.value.items[0].key as Node;
    const col = k.range![0] - (text.lastIndexOf('\n', k.range![0] - 1) + 1);
    const parentCol = (p.key as Node).range![0] - (text.lastIndexOf('\n', (p.key as Node).range![0] - 1) + 1);
    if (col > parentCol) return col - parentCol;
  }
  return 2;
}
