// What the two commands write, checked by the tools that will read it: GitHub's
// workflow parser, a YAML parser, the declarative Jenkinsfile shape, the Dev
// Containers CLI, and packer-bake's own container rules (which must find
// nothing in the generated files, and must find the missing mount once it is
// taken out, so these checks can fail).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { Analyzer } from '../../../server/src/analysis';
import { memoryHost } from '../../support/analysis';
import { requireThat } from '../../support/requireTool';
import { workflowErrors } from '../../support/workflowParser';
import type { CiOptions } from '../../../client/src/commands/ciJobFiles';
import { packerVersionOf } from '../../../client/src/commands/devcontainerFiles';
import { bakeTargetFor, checkImage, CI_SYSTEMS, defaultCiImage, planCiJob, planDevcontainer, type CiPlan, type DevcontainerPlan } from '../../../client/src/commands/plan';

const ROOT = path.resolve(__dirname, '../../..');
const OPTIONS: CiOptions = { image: 'ghcr.io/acme/packer-bake:0.1.0', version: '0.1.0', bake: { dir: 'images/web', target: '.', only: [], varFiles: [], init: true } };
const BAKE_VERSION = packerVersionOf(fs.readFileSync(path.join(ROOT, 'bake/Dockerfile'), 'utf8'));

/** The rule ids the real analysis core reports for files (absolute paths; the first is analysed). */
function ruleIds(files: Record<string, string>): string[] {
  const [first] = Object.keys(files);
  return new Analyzer(memoryHost(files)).analyze(first!, files[first!]!).findings.map((f) => f.ruleId);
}

function created(plan: CiPlan | DevcontainerPlan): Record<string, string> {
  if (plan.kind === 'create' && 'files' in plan) return Object.fromEntries(plan.files.map((f) => [f.path, f.text]));
  if (plan.kind === 'create' && 'file' in plan) return { [plan.file.path]: plan.file.text };
  throw new Error(`expected files to create, got ${JSON.stringify(plan)}`);
}

/* ------------------------------------------------------------------ a declarative Jenkinsfile's shape */

interface Block { head: string; body: Block[]; statements: string[] }

/**
 * The nesting of `head { ... }` blocks, reading strings and comments as
 * opaque; throws when braces or quotes do not balance. Independent of the
 * Groovy scanner the rule uses, so it checks that scanner's verdict too.
 */
function jenkinsBlocks(text: string): Block {
  const root: Block = { head: '', body: [], statements: [] };
  const stack = [root];
  let current = '';
  const flush = () => { const s = current.trim(); if (s) stack[stack.length - 1]!.statements.push(s); current = ''; };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '/' && text[i + 1] === '/') { i = text.indexOf('\n', i); if (i < 0) break; flush(); continue; }
    if (c === '/' && text[i + 1] === '*') { const end = text.indexOf('*/', i + 2); if (end < 0) throw new Error('unclosed comment'); i = end + 1; continue; }
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) { if (text[j] === '\\') j++; if (text[j] === '\n') throw new Error(`unclosed string at ${i}`); j++; }
      if (j >= text.length) throw new Error(`unclosed string at ${i}`);
      current += text.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === '{') {
      const block: Block = { head: current.trim(), body: [], statements: [] };
      current = '';
      stack[stack.length - 1]!.body.push(block);
      stack.push(block);
    } else if (c === '}') {
      flush();
      if (stack.length === 1) throw new Error(`unbalanced } at ${i}`);
      stack.pop();
    } else if (c === '\n' || c === ';') {
      flush();
    } else {
      current += c;
    }
  }
  flush();
  if (stack.length !== 1) throw new Error(`${stack.length - 1} unclosed {`);
  return root;
}

const child = (b: Block, head: string | RegExp): Block => {
  const found = b.body.find((x) => (typeof head === 'string' ? x.head === head : head.test(x.head)));
  if (!found) throw new Error(`no block ${String(head)} in ${JSON.stringify(b.head)} (has ${b.body.map((x) => JSON.stringify(x.head)).join(', ')})`);
  return found;
};

/** Asserts the declarative shape: pipeline { agent …; stages { stage(...) { agent …; steps { … } } } }. */
function assertDeclarative(text: string): Block[] {
  const root = jenkinsBlocks(text);
  assert.deepEqual(root.body.map((b) => b.head), ['pipeline']);
  const pipeline = root.body[0]!;
  assert.ok(pipeline.statements.includes('agent any') || pipeline.body.some((b) => b.head === 'agent'), 'the pipeline has an agent');
  const stages = child(pipeline, 'stages');
  assert.ok(stages.body.length > 0 && stages.body.every((s) => /^stage\('[^']+'\)$/.test(s.head)), `stages holds only stage('...') blocks: ${stages.body.map((s) => s.head).join(', ')}`);
  for (const s of stages.body) assert.ok(child(s, 'steps').statements.length + child(s, 'steps').body.length > 0, `${s.head} has steps`);
  return stages.body;
}

describe('commands: what Create Dev Container and Add CI Bake Job write', () => {
  describe('the Jenkinsfile shape checker', () => {
    it('accepts a declarative pipeline and rejects unbalanced braces and quotes', () => {
      assert.deepEqual(assertDeclarative("pipeline {\n  agent any\n  stages {\n    stage('a') { steps { sh 'x { y' } }\n  }\n}\n").map((s) => s.head), ["stage('a')"]);
      assert.throws(() => jenkinsBlocks("pipeline { stages { stage('a') { steps { sh 'x' } }\n}\n"), /unclosed \{/);
      assert.throws(() => jenkinsBlocks("pipeline { } }"), /unbalanced \}/);
      assert.throws(() => jenkinsBlocks("pipeline { sh 'x }"), /unclosed string/);
      assert.throws(() => assertDeclarative("node { stage('a') { sh 'x' } }"));
    });
  });

  describe('Create Dev Container for Packer', () => {
    const none = () => false;

    it('writes .devcontainer/Dockerfile (the bake image\'s Packer version) and devcontainer.json with a tmpfs /tmp and the control path', () => {
      const plan = planDevcontainer(none, BAKE_VERSION);
      assert.equal(plan.kind, 'create');
      const files = created(plan);
      assert.deepEqual(Object.keys(files), ['.devcontainer/Dockerfile', '.devcontainer/devcontainer.json']);
      assert.ok(BAKE_VERSION, 'bake/Dockerfile pins ARG PACKER_VERSION');
      assert.match(files['.devcontainer/Dockerfile']!, new RegExp(`^ARG PACKER_VERSION=${BAKE_VERSION!.replace(/\./g, '\\.')}$`, 'm'));
      assert.equal((files['.devcontainer/Dockerfile']!.match(/^ARG PACKER_VERSION=/gm) ?? []).length, 1, 'the version is in one ARG');
      assert.match(files['.devcontainer/Dockerfile']!, /apt-get install -y --no-install-recommends \$DEV_PACKAGES/);
      assert.match(files['.devcontainer/Dockerfile']!, /ansible-core openssh-client python3-boto3 python3-botocore/);
      assert.match(files['.devcontainer/Dockerfile']!, /^COPY --from=packer \/bin\/packer \/usr\/local\/bin\/packer$/m);
      assert.equal(plan.kind === 'create' && plan.open, '.devcontainer/devcontainer.json');
    });

    it('never overwrites: an existing configuration is offered instead; a foreign Dockerfile is left alone', () => {
      assert.deepEqual(planDevcontainer((p) => p === '.devcontainer/devcontainer.json'), { kind: 'exists', existing: '.devcontainer/devcontainer.json' });
      assert.deepEqual(planDevcontainer((p) => p === '.devcontainer.json'), { kind: 'exists', existing: '.devcontainer.json' });
      const beside = planDevcontainer((p) => p === '.devcontainer/Dockerfile');
      const files = created(beside);
      assert.deepEqual(Object.keys(files), ['.devcontainer/packer.Dockerfile', '.devcontainer/devcontainer.json']);
      assert.match(files['.devcontainer/devcontainer.json']!, /"dockerfile": "packer\.Dockerfile"/);
      assert.deepEqual(planDevcontainer((p) => p === '.devcontainer/Dockerfile' || p === '.devcontainer/packer.Dockerfile'), { kind: 'exists', existing: '.devcontainer/packer.Dockerfile' });
    });

    it('gets no devcontainer-tmp-not-mounted finding; without its runArgs it does', () => {
      const files = created(planDevcontainer(none, BAKE_VERSION));
      const ws = (f: Record<string, string>) => Object.fromEntries(Object.entries(f).map(([p, t]) => [`/ws/${p}`, t]));
      const json = files['.devcontainer/devcontainer.json']!;
      assert.deepEqual(ruleIds(ws({ '.devcontainer/devcontainer.json': json, '.devcontainer/Dockerfile': files['.devcontainer/Dockerfile']! })), []);
      const withoutMount = json.replace(/^\s*"runArgs": \[[^\]]*\],\n/m, '');
      assert.notEqual(withoutMount, json, 'the runArgs line was taken out');
      assert.deepEqual(ruleIds(ws({ '.devcontainer/devcontainer.json': withoutMount, '.devcontainer/Dockerfile': files['.devcontainer/Dockerfile']! })), ['devcontainer-tmp-not-mounted']);
      const singlePercent = json.replace('%%h-%%p-%%r', '%h-%p-%r');
      assert.deepEqual(ruleIds(ws({ '.devcontainer/devcontainer.json': singlePercent, '.devcontainer/Dockerfile': files['.devcontainer/Dockerfile']! })), ['env-control-path-unescaped-percent']);
    });

    it('is read by the real Dev Containers CLI (read-configuration) with the values intended', async function () {
      this.timeout(60_000);
      const cli = path.join(ROOT, 'node_modules/@devcontainers/cli/devcontainer.js');
      requireThat(this, fs.existsSync(cli), '@devcontainers/cli is not installed');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-plan-devc-'));
      try {
        for (const [rel, text] of Object.entries(created(planDevcontainer(none, BAKE_VERSION)))) {
          fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
          fs.writeFileSync(path.join(dir, rel), text);
        }
        // read-configuration asks the engine for an existing container first; this stand-in has none (no engine needed).
        const noEngine = path.join(dir, 'no-engine.sh');
        fs.writeFileSync(noEngine, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
        const out = await new Promise<string>((resolve, reject) => {
          execFile(process.execPath, [cli, 'read-configuration', '--workspace-folder', dir, '--docker-path', noEngine], { timeout: 50_000 }, (err, stdout, stderr) => {
            if (err) reject(new Error(`${err.message}\n${stderr}`)); else resolve(stdout);
          });
        });
        const { configuration } = JSON.parse(out) as { configuration: Record<string, unknown> };
        assert.deepEqual(
          { build: configuration.build, runArgs: configuration.runArgs, containerEnv: configuration.containerEnv, extensions: (configuration.customizations as { vscode: { extensions: string[] } }).vscode.extensions },
          { build: { dockerfile: 'Dockerfile' }, runArgs: ['--tmpfs', '/tmp:rw,exec,mode=1777'], containerEnv: { ANSIBLE_SSH_CONTROL_PATH: '/tmp/ansible-ssh-%%h-%%p-%%r', CHECKPOINT_DISABLE: '1' }, extensions: ['packer-bake.packer-bake'] },
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('Add CI Bake Job', () => {
    it('lists Jenkins, GitHub Actions and GitLab CI, each with the file it writes', () => {
      assert.deepEqual(CI_SYSTEMS.map((s) => [s.label, s.file]), [['Jenkins', 'Jenkinsfile'], ['GitHub Actions', '.github/workflows/packer-bake.yml'], ['GitLab CI', '.gitlab-ci.yml']]);
    });

    it('GitHub Actions: passes GitHub\'s workflow parser and schema, parses as YAML, lints with SARIF then bakes; no ci-container-tmp-not-mounted until the option is taken out', async () => {
      const { '.github/workflows/packer-bake.yml': text } = created(planCiJob('github', OPTIONS, undefined));
      assert.deepEqual(await workflowErrors(text!), []);
      const wf = parse(text!) as { jobs: Record<string, { needs?: string; container?: { image: string; options: string }; steps: { run?: string; name?: string; 'working-directory'?: string }[] }> };
      assert.deepEqual(Object.keys(wf.jobs), ['lint', 'bake']);
      assert.equal(wf.jobs.bake!.needs, 'lint');
      assert.match(wf.jobs.lint!.steps.map((s) => s.run ?? '').join('\n'), /npx --yes packer-bake@0\.1\.0 lint --format sarif images\/web > packer-bake\.sarif/);
      assert.deepEqual(wf.jobs.bake!.container, { image: 'ghcr.io/acme/packer-bake:0.1.0', options: '--tmpfs /tmp:exec' });
      const bake = wf.jobs.bake!.steps.find((s) => s.name === 'Bake')!;
      assert.deepEqual([bake['working-directory'], bake.run!.trim().split('\n')], ['images/web', ['packer init .', 'packer build .']]);
      const file = '/ws/.github/workflows/packer-bake.yml';
      assert.deepEqual(ruleIds({ [file]: text! }), []);
      const withoutMount = text!.replace(/^ {6}options: --tmpfs \/tmp:exec\n/m, '');
      assert.notEqual(withoutMount, text);
      assert.deepEqual(await workflowErrors(withoutMount), []);
      assert.deepEqual(ruleIds({ [file]: withoutMount }), ['ci-container-tmp-not-mounted']);
    });

    it('Jenkins: a declarative pipeline (balanced braces) whose bake stage has a Docker agent with args \'--tmpfs /tmp:rw,exec\'; no finding until the args are taken out', () => {
      const { Jenkinsfile: text } = created(planCiJob('jenkins', OPTIONS, undefined));
      const stages = assertDeclarative(text!);
      assert.deepEqual(stages.map((s) => s.head), ["stage('Packer lint')", "stage('Packer bake')"]);
      assert.match(child(stages[0]!, 'steps').statements.join('\n'), /^sh 'npx --yes packer-bake@0\.1\.0 lint --format sarif images\/web > packer-bake\.sarif'$/m);
      const docker = child(child(stages[1]!, 'agent'), 'docker');
      assert.deepEqual(docker.statements, ["image 'ghcr.io/acme/packer-bake:0.1.0'", "args '--tmpfs /tmp:rw,exec'", 'reuseNode true']);
      assert.deepEqual(child(child(stages[1]!, 'steps'), "dir('images/web')").statements, ["sh 'packer init . && packer build .'"]);
      assert.deepEqual(ruleIds({ '/ws/Jenkinsfile': text! }), []);
      const withoutMount = text!.replace(/^ +args '--tmpfs \/tmp:rw,exec'\n/m, '');
      assert.notEqual(withoutMount, text);
      assertDeclarative(withoutMount);
      assert.deepEqual(ruleIds({ '/ws/Jenkinsfile': withoutMount }), ['ci-container-tmp-not-mounted']);
    });

    it('GitLab CI: parses as YAML; a lint job with the SARIF artifact and a bake job in the image that runs packer init and build', () => {
      const { '.gitlab-ci.yml': text } = created(planCiJob('gitlab', OPTIONS, undefined));
      const ci = parse(text!) as Record<string, { stage: string; image: unknown; script: string[]; artifacts?: unknown; variables?: Record<string, string> }>;
      assert.deepEqual(Object.keys(ci), ['packer-bake-lint', 'packer-bake']);
      assert.deepEqual(ci['packer-bake-lint']!.script, ['npx --yes packer-bake@0.1.0 lint --format sarif images/web > packer-bake.sarif']);
      assert.deepEqual(ci['packer-bake-lint']!.artifacts, { when: 'always', paths: ['packer-bake.sarif'] });
      assert.deepEqual(ci['packer-bake']!.script, ['cd images/web', 'packer init .', 'packer build .']);
      // The docker executor mounts only what the runner's config.toml says: the socket goes to /dev/shm, a tmpfs in every container.
      assert.equal(ci['packer-bake']!.variables!.ANSIBLE_SSH_CONTROL_PATH, '/dev/shm/ansible-ssh-%%h-%%p-%%r');
      assert.deepEqual(ruleIds({ '/ws/.gitlab-ci.yml': text! }), []);
    });

    it('never overwrites: an existing file gets a snippet and where to paste it', () => {
      const jenkins = planCiJob('jenkins', OPTIONS, "pipeline {\n  agent any\n  stages {\n    stage('Test') { steps { sh 'make' } }\n  }\n}\n");
      assert.equal(jenkins.kind, 'snippet');
      if (jenkins.kind !== 'snippet') return;
      assert.match(jenkins.where, /^Jenkinsfile exists: paste these two stages inside its pipeline's stages \{ \.\.\. \} block/);
      // Pasted where it says, the result is still declarative, with the mount.
      const pasted = `pipeline {\n  agent any\n  stages {\n    stage('Test') { steps { sh 'make' } }\n${jenkins.snippet}  }\n}\n`;
      assert.deepEqual(assertDeclarative(pasted).map((s) => s.head), ["stage('Test')", "stage('Packer lint')", "stage('Packer bake')"]);
      assert.deepEqual(ruleIds({ '/ws/Jenkinsfile': pasted }), []);

      const existingGitlab = 'stages: [build, test]\nunit:\n  stage: test\n  script: [make test]\n';
      const gitlab = planCiJob('gitlab', OPTIONS, existingGitlab);
      assert.equal(gitlab.kind, 'snippet');
      if (gitlab.kind !== 'snippet') return;
      assert.match(gitlab.where, /paste these two jobs at the end of it, as top-level keys \(the bake job runs in its stage "test"\)/);
      const merged = parse(existingGitlab + gitlab.snippet) as Record<string, { stage?: string }>;
      assert.deepEqual(Object.keys(merged), ['stages', 'unit', 'packer-bake-lint', 'packer-bake']);
      assert.equal(merged['packer-bake']!.stage, 'test');

      const github = planCiJob('github', OPTIONS, 'name: mine\n');
      assert.equal(github.kind, 'snippet');
      assert.equal(github.kind === 'snippet' && github.language, 'yaml');
    });

    it('lints the template\'s own folder, which is not always where Packer runs', () => {
      const bake = bakeTargetFor('/ws', { target: '/ws/images/web', format: 'hcl', workingDirectory: '/ws/ansible', requiresInit: false }, [], path.posix)!;
      assert.deepEqual([bake.dir, bake.target], ['ansible', '../images/web']);
      const { Jenkinsfile: text } = created(planCiJob('jenkins', { ...OPTIONS, bake }, undefined));
      assert.match(text!, /lint --format sarif images\/web > packer-bake\.sarif/);
      assert.match(text!, /dir\('ansible'\) \{\n\s+sh 'packer build \.\.\/images\/web'/);
      const json = bakeTargetFor('/ws', { target: '/ws/packer/images/base.json', format: 'json', workingDirectory: '/ws/packer', requiresInit: false }, [], path.posix)!;
      assert.match(created(planCiJob('gitlab', { ...OPTIONS, bake: json }, undefined))['.gitlab-ci.yml']!, /lint --format sarif packer\/images > packer-bake\.sarif/);
    });

    it('bakes the configuration where Bake AMI would run Packer, relative to the workspace folder', () => {
      const p = path.posix;
      assert.deepEqual(bakeTargetFor('/ws', { target: '/ws/images/web', format: 'hcl', workingDirectory: '/ws/images/web', requiresInit: true }, [], p),
        { dir: 'images/web', target: '.', only: [], varFiles: [], init: true });
      assert.deepEqual(bakeTargetFor('/ws', { target: '/ws/packer/images/base.json', format: 'json', workingDirectory: '/ws/packer', requiresInit: false }, [], p),
        { dir: 'packer', target: 'images/base.json', only: [], varFiles: [], init: false });
      assert.deepEqual(bakeTargetFor('/ws', { target: '/ws/base.json', format: 'json', workingDirectory: '/elsewhere', requiresInit: false }, [], p),
        { dir: '.', target: 'base.json', only: [], varFiles: [], init: false });
      assert.equal(bakeTargetFor('/ws', { target: '/other/base.json', format: 'json', workingDirectory: '', requiresInit: false }, [], p), undefined);
    });

    it('asks for an image the CI can pull: the placeholder must be replaced', () => {
      assert.equal(defaultCiImage('', '0.1.0'), 'ghcr.io/OWNER/packer-bake:0.1.0');
      assert.equal(defaultCiImage('registry.example.com/bake:2', '0.1.0'), 'registry.example.com/bake:2');
      assert.match(checkImage('ghcr.io/OWNER/packer-bake:0.1.0')!, /lowercase/);
      assert.match(checkImage('a b')!, /no spaces/);
      assert.match(checkImage('')!, /Enter the image/);
      for (const ok of ['ghcr.io/acme/packer-bake:0.1.0', 'localhost:5000/bake', 'bake@sha256:abc', 'MyRegistry.io/acme/bake:Latest']) assert.equal(checkImage(ok), undefined, ok);
    });
  });
});
