/**
 * The CI jobs "Packer: Add CI Bake Job" writes, for GitHub Actions, Jenkins
 * (declarative pipeline, Docker Pipeline agent) and GitLab CI. Each lints the
 * templates with `packer-bake lint --format sarif` and then bakes in the bake
 * image, in a container whose /tmp is a tmpfs (GitLab: see `gitlabJobs`), with
 * the same commands and environment as Bake AMI: `packer init` when the
 * template needs plugins, `packer build [-only] [-var-file] <target>` from the
 * template's folder, `ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r`,
 * `CHECKPOINT_DISABLE=1`. Pure: no vscode, no fs; the edits into existing files
 * are computed here too, from their text.
 */
import path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, stringify } from 'yaml';
import { statements, tokenize, type Statement } from '../../../server/src/analysis/containers/groovy';
import { GITHUB_TMPFS_OPTION } from '../../../server/src/analysis/containers/githubWorkflow';
import { JENKINS_TMPFS_ARGS } from '../../../server/src/analysis/containers/jenkinsfile';

export type CiSystem = 'github' | 'jenkins' | 'gitlab';

/** What to bake. Paths are relative to the repository root, with `/`. */
export interface BakeTarget {
  /** The template's folder (`.` for the root): Packer runs there, as in Bake AMI. */
  dir: string;
  /** What `packer build` gets, relative to `dir`: `.` (or the path of another folder) for an HCL2 folder, else the template's file. */
  target: string;
  /** `-only` builds (empty: all). */
  only: string[];
  /** `-var-file`s, relative to `dir`. */
  varFiles: string[];
  /** Run `packer init .` first (the template has `required_plugins`). */
  init: boolean;
}

export interface CiOptions {
  /** The bake image (bake/Dockerfile, pushed where the CI can pull it). */
  image: string;
  /** The packer-bake version the lint step runs (`npx packer-bake@<version>`). */
  version: string;
  bake: BakeTarget;
}

/** The control path the job sets, as Bake AMI injects it. */
export const CONTROL_PATH = '/tmp/ansible-ssh-%%h-%%p-%%r';
/** On GitLab's docker executor /tmp cannot be mounted from the job; /dev/shm is a tmpfs in every container. */
export const GITLAB_CONTROL_PATH = '/dev/shm/ansible-ssh-%%h-%%p-%%r';
export const SARIF_FILE = 'packer-bake.sarif';

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Rejects what no job file can carry safely (line breaks in names). */
function checkTarget(b: BakeTarget): void {
  for (const s of [b.dir, b.target, ...b.only, ...b.varFiles]) {
    if (/[\r\n\0]/.test(s) || s === '') throw new Error(`cannot write a CI job for the name ${JSON.stringify(s)}`);
  }
}

/**
 * The folder the lint reads: the template's own (the HCL2 folder, or the
 * legacy template's folder), which is not always where Packer runs.
 */
export function lintFolder(b: BakeTarget): string {
  const target = path.posix.join(b.dir, b.target);
  return /\.json$/i.test(b.target) ? path.posix.dirname(target) : target;
}

/** The lint command (from the repository root). */
export function lintCommand(o: CiOptions): string {
  return `npx --yes ${shellQuote(`packer-bake@${o.version}`)} lint --format sarif ${shellQuote(lintFolder(o.bake))} > ${SARIF_FILE}`;
}

/** The bake commands, run from the template's folder. */
export function bakeCommands(b: BakeTarget): string[] {
  checkTarget(b);
  const build = ['packer', 'build', ...(b.only.length ? [`-only=${b.only.join(',')}`] : []), ...b.varFiles.map((v) => `-var-file=${v}`), b.target];
  return [...(b.init ? ['packer init .'] : []), build.map(shellQuote).join(' ')];
}

/* ------------------------------------------------------------------ GitHub Actions */

/** A whole workflow: a `lint` job on the runner (SARIF to code scanning), then `bake` in the bake image with a tmpfs /tmp. */
export function githubWorkflow(o: CiOptions): string {
  const b = o.bake;
  const run = bakeCommands(b);
  const workdir = b.dir === '.' ? '' : `\n        working-directory: ${yamlString(b.dir)}`;
  return `# Written by "Packer: Add CI Bake Job" (Packer Bake): lint the Packer templates
# (findings in code scanning), then bake in the bake image with a tmpfs on /tmp,
# where Ansible's SSH control socket goes.
name: packer-bake
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read
jobs:
  lint:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      security-events: write
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - name: Lint Packer templates
        id: lint
        continue-on-error: true
        run: |
          ${lintCommand(o)}
      - name: Upload findings to code scanning
        if: always()
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: ${SARIF_FILE}
          category: packer-bake
      - name: Fail on findings
        if: steps.lint.outcome == 'failure'
        run: exit 1
  bake:
    needs: lint
    runs-on: ubuntu-latest
    # The image Bake AMI uses (bake/Dockerfile), pushed where this job can pull it.
    container:
      image: ${yamlString(o.image)}
      options: ${GITHUB_TMPFS_OPTION}
    env:
      ANSIBLE_SSH_CONTROL_PATH: ${CONTROL_PATH}
      CHECKPOINT_DISABLE: "1"
      AWS_ACCESS_KEY_ID: \${{ secrets.AWS_ACCESS_KEY_ID }}
      AWS_SECRET_ACCESS_KEY: \${{ secrets.AWS_SECRET_ACCESS_KEY }}
      AWS_SESSION_TOKEN: \${{ secrets.AWS_SESSION_TOKEN }}
    steps:
      - uses: actions/checkout@v4
      - name: Bake
${`        run: |\n${run.map((l) => `          ${l}`).join('\n')}`}${workdir}
`;
}

/** A YAML scalar for `s` on one line: plain when that reads back as the same string, else quoted. */
function yamlString(s: string): string {
  return stringify(s, { lineWidth: 0 }).replace(/\n$/, '');
}

/* ------------------------------------------------------------------ Jenkins */

/** A Groovy single-quoted string literal. */
export function groovyString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The two stages (lint, bake), indented for a `stages { }` block at `indent`. */
export function jenkinsStages(o: CiOptions, indent = '    '): string {
  const b = o.bake;
  const run = `sh ${groovyString(bakeCommands(b).join(' && '))}`;
  const steps = b.dir === '.' ? [run] : [`dir(${groovyString(b.dir)}) {`, `  ${run}`, '}'];
  // HOME: the agent runs as Jenkins' uid, whose home may not exist in the image; /tmp is writable (and a tmpfs in the bake stage).
  const stages = [
    "stage('Packer lint') {",
    "  agent { docker { image 'node:20-bookworm-slim'; reuseNode true } }",
    "  environment { HOME = '/tmp' }",
    '  steps {',
    `    sh ${groovyString(lintCommand(o))}`,
    '  }',
    '  post {',
    '    always {',
    `      archiveArtifacts artifacts: '${SARIF_FILE}', allowEmptyArchive: true`,
    '    }',
    '  }',
    '}',
    "stage('Packer bake') {",
    "  // The image Bake AMI uses (bake/Dockerfile), with a tmpfs on /tmp for Ansible's SSH control socket.",
    '  agent {',
    '    docker {',
    `      image ${groovyString(o.image)}`,
    `      args '${JENKINS_TMPFS_ARGS}'`,
    '      reuseNode true',
    '    }',
    '  }',
    '  environment {',
    `    ANSIBLE_SSH_CONTROL_PATH = '${CONTROL_PATH}'`,
    "    CHECKPOINT_DISABLE = '1'",
    "    HOME = '/tmp'",
    '  }',
    '  steps {',
    ...steps.map((l) => `    ${l}`),
    '  }',
    '}',
  ];
  return stages.map((l) => indent + l).join('\n');
}

/** A whole declarative Jenkinsfile. */
export function jenkinsfile(o: CiOptions): string {
  return `// Written by "Packer: Add CI Bake Job" (Packer Bake): lint the Packer templates
// (SARIF kept as an artifact), then bake in the bake image with a tmpfs on /tmp,
// where Ansible's SSH control socket goes. Needs the Docker Pipeline plugin.
pipeline {
  agent any
  stages {
${jenkinsStages(o, '    ')}
  }
}
`;
}

/**
 * Inserts the stages into an existing declarative Jenkinsfile, before the
 * closing brace of `pipeline { stages { ... } }`. Undefined (with the reason)
 * when the file is not that shape, or already has stages of those names.
 */
export function insertJenkinsStages(text: string, o: CiOptions): { offset: number; newText: string } | { reason: string } {
  const tokens = tokenize(text);
  const top = tokens && statements(tokens);
  if (!top) return { reason: 'its braces or quotes do not balance as this command reads them' };
  const head = (s: Statement, name: string) => s.head[0]?.kind === 'ident' && s.head[0].text === name;
  const pipeline = top.find((s) => head(s, 'pipeline') && s.block);
  const stages = pipeline?.block?.statements.find((s) => head(s, 'stages') && s.block);
  if (!stages?.block) return { reason: 'it has no declarative pipeline { stages { ... } } (a scripted pipeline cannot be extended safely)' };
  if (stages.block.statements.some((s) => head(s, 'stage') && ["'Packer lint'", "'Packer bake'"].includes(s.head.find((t) => t.kind === 'string')?.text ?? ''))) {
    return { reason: 'it already has the Packer lint and bake stages' };
  }
  const close = stages.block.close;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lineStart = text.lastIndexOf('\n', close - 1) + 1;
  const closeIndent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const last = stages.block.statements[stages.block.statements.length - 1];
  const inner = last ? /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', last.span.start - 1) + 1))![0] : `${closeIndent}  `;
  const body = jenkinsStages(o, inner).replace(/\n/g, eol);
  // On its own line before the closing brace (which keeps its line and indentation).
  if (/^[ \t]*$/.test(text.slice(lineStart, close))) return { offset: lineStart, newText: `${body}${eol}` };
  return { offset: close, newText: `${eol}${body}${eol}${closeIndent}` };
}

/* ------------------------------------------------------------------ GitLab CI */

/**
 * The two jobs. GitLab's docker executor mounts only what the runner's
 * config.toml says, so the job cannot ask for a tmpfs on /tmp; the control
 * socket goes to /dev/shm instead, a tmpfs in every Docker and Podman
 * container. A template that sets its own ANSIBLE_SSH_CONTROL_PATH under /tmp
 * overrides this and then needs `tmpfs = {"/tmp" = "rw,exec"}` in the runner's
 * `[runners.docker]`.
 */
export function gitlabJobs(o: CiOptions, stages: { lint: string; bake: string } = { lint: '.pre', bake: 'deploy' }): string {
  const b = o.bake;
  const cd = b.dir === '.' ? [] : [`cd ${shellQuote(b.dir)}`];
  const script = [...cd, ...bakeCommands(b)].map((l) => `    - ${yamlString(l)}`).join('\n');
  return `# Written by "Packer: Add CI Bake Job" (Packer Bake): lint the Packer templates
# (SARIF kept as an artifact), then bake in the bake image. The docker executor
# cannot mount /tmp from here: the control socket goes to /dev/shm (a tmpfs in
# every container). For templates that set their own control path under /tmp,
# add tmpfs = {"/tmp" = "rw,exec"} to [runners.docker] in the runner's config.toml.
packer-bake-lint:
  stage: ${stages.lint}
  image: node:20-bookworm-slim
  script:
    - ${yamlString(lintCommand(o))}
  artifacts:
    when: always
    paths:
      - ${SARIF_FILE}
packer-bake:
  stage: ${stages.bake}
  # The image Bake AMI uses (bake/Dockerfile), pushed where the runner can pull it.
  image:
    name: ${yamlString(o.image)}
    entrypoint: [""]
  variables:
    ANSIBLE_SSH_CONTROL_PATH: ${GITLAB_CONTROL_PATH}
    CHECKPOINT_DISABLE: "1"
  script:
${script}
`;
}

/** A whole .gitlab-ci.yml. */
export function gitlabCi(o: CiOptions): string {
  return gitlabJobs(o);
}

/**
 * Appends the jobs to an existing .gitlab-ci.yml when that is safe: the file
 * parses as a block mapping, has no jobs of those names, and its `stages`
 * (if any) allow ours (`.pre` always exists; the bake job goes to `deploy`,
 * else to the last stage listed).
 */
export function appendGitlabJobs(text: string, o: CiOptions): { offset: number; newText: string } | { reason: string } {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return { reason: 'it does not parse as YAML' };
  const root = doc.contents;
  if (root !== null && (!isMap(root) || root.flow)) return { reason: 'its top level is not a block mapping' };
  const keys = isMap(root) ? root.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '')) : [];
  if (keys.includes('packer-bake') || keys.includes('packer-bake-lint')) return { reason: 'it already has packer-bake jobs' };
  const declared = isMap(root) ? root.get('stages', true) : undefined;
  let bake = 'deploy';
  if (declared !== undefined) {
    if (!isSeq(declared)) return { reason: 'its stages are not a list' };
    const names = declared.items.map((s) => (isScalar(s) ? String(s.value) : ''));
    if (!names.includes('deploy')) {
      const last = names[names.length - 1];
      if (!last) return { reason: 'its stages list is empty' };
      bake = last;
    }
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const jobs = gitlabJobs(o, { lint: '.pre', bake }).replace(/\n/g, eol);
  const sep = text.length === 0 || text.endsWith('\n') ? '' : eol;
  return { offset: text.length, newText: `${sep}${eol}${jobs}` };
}
