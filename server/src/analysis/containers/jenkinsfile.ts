/**
 * A Jenkinsfile as the container rules see it. Recognised:
 * - declarative `agent { docker { image ...; args ... } }`, `agent { docker 'image' }`
 *   and `agent { dockerfile { args ... } }`, on the pipeline or on a stage (a
 *   stage without its own agent runs on its parent's), through nested
 *   `stages`, `parallel` and `matrix`;
 * - scripted `docker.image(...).inside('args') { ... }`, `docker.build(...).inside`
 *   and `withDockerContainer(image: ..., args: ...) { ... }`;
 * - a stage (or scripted block) "runs packer build" when a string in its
 *   `steps` has the command `packer build`;
 * - `environment { NAME = '...' }` and `withEnv(['NAME=...'])` strings.
 * Everything else (shared-library steps, agents from variables, `args` built
 * at run time) is not read, and the rules stay silent about it.
 */
import { splitOptions, tmpMount, type TmpMount } from './dockerArgs';
import { PACKER_BUILD } from './githubWorkflow';
import { doubledLiteral } from './percent';
import { eolOf } from './jsoncEdit';
import { statements, stringsIn, tokenize, type Block, type Statement, type Token } from './groovy';
import type { ContainerModel, EnvSetting, TextFix } from './model';

/** What the quick fix adds to a docker agent's `args`. */
export const JENKINS_TMPFS_ARGS = '--tmpfs /tmp:rw,exec';

interface Agent {
  label: string;
  /** The `docker`/`dockerfile` keyword, or the `inside`/`withDockerContainer` call. */
  keyword: Token;
  statement: Statement;
  /** The `args` string, when written. */
  args?: Token;
  /** `args` given as something other than a string literal. */
  argsUnknown?: boolean;
  fix?: TextFix;
}

export function readJenkinsfile(file: string, text: string): ContainerModel {
  const model: ContainerModel = { file, kind: 'jenkinsfile', text, containers: [], env: [], dependsOn: [] };
  const tokens = tokenize(text);
  const top = tokens && statements(tokens);
  if (!tokens || !top) return model;
  model.env.push(...[...envStrings(tokens), ...environmentBlocks(top)].sort((a, b) => a.span.start - b.span.start));
  const uses = new Map<Agent, string>();
  const pipeline = top.find((s) => isHead(s, 'pipeline') && s.block);
  if (pipeline?.block) walk(pipeline.block, undefined, undefined, text, uses);
  scripted(top, text, uses);
  for (const [agent, evidence] of uses) {
    model.containers.push({
      label: agent.label,
      evidence,
      tmp: mounts(agent),
      span: agent.args ? { start: agent.args.start, end: agent.args.end } : { start: agent.keyword.start, end: agent.keyword.end },
      env: model.env,
      fix: agent.fix,
    });
  }
  return model;
}

function isHead(s: Statement, name: string): boolean {
  return s.head[0]?.kind === 'ident' && s.head[0].text === name;
}

/** The first string argument of a head like `stage('x')` or `stage "x"`. */
function firstString(head: Token[]): Token | undefined {
  return head.find((t) => t.kind === 'string');
}

/** Walks a pipeline or stage block: its agent, its steps, its nested stages. */
function walk(block: Block, inherited: Agent | undefined, stageName: string | undefined, text: string, uses: Map<Agent, string>): void {
  const agentStatement = block.statements.find((s) => isHead(s, 'agent'));
  const agent = agentStatement ? readAgent(agentStatement, stageName, text) : inherited;
  for (const s of block.statements) {
    if (isHead(s, 'steps') && s.block && agent && stageName !== undefined) {
      if ([...stringsIn(s.block)].some((t) => PACKER_BUILD.test(t.value ?? ''))) {
        if (!uses.has(agent)) uses.set(agent, `stage "${stageName}" runs packer build`);
      }
    }
    if ((isHead(s, 'stages') || isHead(s, 'parallel') || isHead(s, 'matrix')) && s.block) walk(s.block, agent, stageName, text, uses);
    if (isHead(s, 'stage') && s.block) walk(s.block, agent, firstString(s.head)?.value ?? '?', text, uses);
  }
}

/** The docker agent an `agent` statement declares; undefined for any other agent (any, none, label, kubernetes). */
function readAgent(agent: Statement, stageName: string | undefined, text: string): Agent | undefined {
  const inner = agent.block?.statements.find((s) => isHead(s, 'docker') || isHead(s, 'dockerfile'));
  if (!inner) return undefined;
  const keyword = inner.head[0];
  const label = `the ${keyword.text} agent of ${stageName === undefined ? 'the pipeline' : `stage "${stageName}"`}`;
  if (!inner.block) {
    // `docker 'image'`: no args. `dockerfile true` builds from ./Dockerfile, no args either.
    const image = inner.head[1];
    if (keyword.text === 'docker' && (inner.head.length !== 2 || image.kind !== 'string')) return undefined;
    const fix: TextFix | undefined = keyword.text === 'docker' && !image.dynamic
      ? { title: `Use "docker { image ...; args '${JENKINS_TMPFS_ARGS}' }"`, edits: [{ start: image.start, end: image.end, newText: `{ image ${image.text}; args '${JENKINS_TMPFS_ARGS}' }` }] }
      : undefined;
    return { label, keyword, statement: inner, fix };
  }
  const argsStatement = inner.block.statements.find((s) => isHead(s, 'args'));
  if (argsStatement) {
    const value = argsStatement.head.slice(1).filter((t) => !(t.kind === 'punct' && (t.text === '(' || t.text === ')')));
    const args = value.length === 1 && value[0].kind === 'string' ? value[0] : undefined;
    return { label, keyword, statement: inner, args, argsUnknown: !args, fix: args ? appendToString(args) : undefined };
  }
  return { label, keyword, statement: inner, fix: addArgsStatement(text, inner.block) };
}

/** Scripted pipelines: `docker.image(x).inside(args) { }`, `docker.build(x).inside { }`, `withDockerContainer(image: x, args: y) { }`. */
function scripted(list: Statement[], text: string, uses: Map<Agent, string>): void {
  for (const s of list) {
    if (s.block) {
      const agent = insideCall(s) ?? withDockerContainer(s);
      if (agent && [...stringsIn(s.block)].some((t) => PACKER_BUILD.test(t.value ?? ''))) {
        if (!uses.has(agent)) uses.set(agent, `its block runs packer build`);
      }
      scripted(s.block.statements, text, uses);
    }
    for (const t of s.head) if (t.block) scripted(t.block.statements, text, uses);
  }
}

function insideCall(s: Statement): Agent | undefined {
  const h = s.head;
  const at = h.findIndex((t, i) => t.text === 'inside' && h[i - 1]?.text === '.');
  if (at < 0 || h[0]?.text !== 'docker' || h[1]?.text !== '.' || !['image', 'build'].includes(h[2]?.text)) return undefined;
  const keyword = h[at];
  const rest = h.slice(at + 1);
  const label = `docker.${h[2].text}(...).inside`;
  if (rest.length === 0) {
    return { label, keyword, statement: s, fix: { title: `Pass '${JENKINS_TMPFS_ARGS}' to inside`, edits: [{ start: keyword.end, end: keyword.end, newText: `('${JENKINS_TMPFS_ARGS}')` }] } };
  }
  if (rest[0].text !== '(' || rest[rest.length - 1].text !== ')') return undefined;
  const inner = rest.slice(1, -1);
  if (inner.length === 0) {
    return { label, keyword, statement: s, fix: { title: `Pass '${JENKINS_TMPFS_ARGS}' to inside`, edits: [{ start: rest[0].end, end: rest[0].end, newText: `'${JENKINS_TMPFS_ARGS}'` }] } };
  }
  const args = inner.length === 1 && inner[0].kind === 'string' ? inner[0] : undefined;
  return { label, keyword, statement: s, args, argsUnknown: !args, fix: args ? appendToString(args) : undefined };
}

function withDockerContainer(s: Statement): Agent | undefined {
  if (!isHead(s, 'withDockerContainer')) return undefined;
  const h = s.head;
  const at = h.findIndex((t, i) => t.text === 'args' && h[i + 1]?.text === ':');
  const label = 'withDockerContainer';
  if (at < 0) return { label, keyword: h[0], statement: s };
  const args = h[at + 2]?.kind === 'string' && [',', ')'].includes(h[at + 3]?.text) ? h[at + 2] : undefined;
  return { label, keyword: h[0], statement: s, args, argsUnknown: !args, fix: args ? appendToString(args) : undefined };
}

function mounts(agent: Agent): TmpMount {
  if (agent.argsUnknown) return { kind: 'unknown', why: 'args is not a string literal' };
  if (!agent.args) return { kind: 'none', targets: [] };
  const args = splitOptions(agent.args.value ?? '', { start: agent.args.start, end: agent.args.end }, !!agent.args.dynamic);
  if (!args) return { kind: 'unknown', why: 'args has unbalanced quotes' };
  const verdict = tmpMount(args);
  // `"${EXTRA}"` may hold the mount: only a literal answer counts.
  return verdict.kind === 'none' && agent.args.dynamic ? { kind: 'unknown', why: 'args is built at run time' } : verdict;
}

/** Appends the tmpfs inside a one-line string literal, before its closing quote. */
function appendToString(s: Token): TextFix | undefined {
  if (s.quote !== "'" && s.quote !== '"') return undefined;
  const at = s.end - 1;
  const space = (s.value ?? '').trim() === '' ? '' : ' ';
  return { title: `Add ${JENKINS_TMPFS_ARGS} to args`, edits: [{ start: at, end: at, newText: `${space}${JENKINS_TMPFS_ARGS}` }] };
}

/** Adds an `args` statement after the last one in a `docker { ... }` block. */
function addArgsStatement(text: string, block: Block): TextFix | undefined {
  const last = block.statements[block.statements.length - 1];
  const title = `Add args '${JENKINS_TMPFS_ARGS}'`;
  const statement = `args '${JENKINS_TMPFS_ARGS}'`;
  if (!last) return { title, edits: [{ start: block.open + 1, end: block.open + 1, newText: ` ${statement} ` }] };
  if (!/\n/.test(text.slice(block.open, block.close))) {
    return { title, edits: [{ start: last.span.end, end: last.span.end, newText: `; ${statement}` }] };
  }
  const lineStart = text.lastIndexOf('\n', last.span.start - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  // After the rest of the last statement's line (a comment stays with it).
  const nl = text.indexOf('\n', last.span.end);
  const at = nl < 0 || nl > block.close ? last.span.end : text[nl - 1] === '\r' ? nl - 1 : nl;
  return { title, edits: [{ start: at, end: at, newText: `${eolOf(text)}${indent}${statement}` }] };
}

/** `'NAME=value'` strings (`withEnv([...])`, `env` lists) that set the control path. */
function envStrings(tokens: Token[]): EnvSetting[] {
  const out: EnvSetting[] = [];
  for (const t of tokens) {
    const m = t.kind === 'string' ? /^(ANSIBLE_SSH_CONTROL_PATH(?:_DIR)?)=/.exec(t.value ?? '') : null;
    if (!m) continue;
    out.push(setting(m[1], t, m[0].length, 'withEnv'));
  }
  return out;
}

/** `environment { NAME = 'value' }` blocks, anywhere. */
function environmentBlocks(list: Statement[]): EnvSetting[] {
  const out: EnvSetting[] = [];
  for (const s of list) {
    if (isHead(s, 'environment') && s.block) {
      for (const e of s.block.statements) {
        const [name, eq, value] = e.head;
        if (e.head.length === 3 && name.kind === 'ident' && eq.text === '=' && value.kind === 'string') out.push(setting(name.text, value, 0, 'environment'));
      }
    }
    if (s.block) out.push(...environmentBlocks(s.block.statements));
  }
  return out;
}

function setting(name: string, t: Token, skip: number, where: string): EnvSetting {
  const quote = t.quote === "'" || t.quote === '"' || t.quote === "'''" || t.quote === '"""' ? t.quote : undefined;
  return { name, value: (t.value ?? '').slice(skip), where, span: { start: t.start, end: t.end }, percentsDoubled: quote && doubledLiteral(t.text, t.value ?? '', quote) };
}
