import assert from 'node:assert/strict';
import { split } from 'shlex';
import { parse } from 'yaml';
import {
  appendGitlabJobs, bakeCommands, githubWorkflow, gitlabCi, insertJenkinsStages, jenkinsfile, type CiOptions,
} from '../../../client/src/commands/ciJobFiles';
import { statements, tokenize, type Statement } from '../../../server/src/analysis/containers/groovy';
import { Analyzer } from '../../../server/src/analysis';
import { workflowErrors } from '../../support/workflowParser';

const OPTIONS: CiOptions = { image: 'ghcr.io/acme/packer-bake:0.1.0', version: '0.1.0', bake: { dir: 'images/web', target: '.', only: ['amazon-ebs.web'], varFiles: ['prod.pkrvars.hcl'], init: true } };
/** Names a shell, YAML and Groovy would each mangle if written raw. */
const HOSTILE: CiOptions = { ...OPTIONS, bake: { dir: "im ages/it's: #1", target: 't $(x) "q".json', only: ['a b', 'c'], varFiles: ['v\\w.json', '--x'], init: false } };

/** Container-file findings of a generated file (it must have none). */
const findings = (file: string, text: string) => new Analyzer({ readFile: () => undefined, listDir: () => [] }).analyze(file, text).findings.map((f) => `${f.ruleId}: ${f.message}`);

describe('CI job files', () => {
  it('bake commands quote what a shell would split or expand', () => {
    assert.deepEqual(bakeCommands(OPTIONS.bake), ['packer init .', 'packer build -only=amazon-ebs.web -var-file=prod.pkrvars.hcl .']);
    assert.deepEqual(split(bakeCommands(HOSTILE.bake)[0]), ['packer', 'build', '-only=a b,c', '-var-file=v\\w.json', '-var-file=--x', 't $(x) "q".json']);
    assert.throws(() => bakeCommands({ ...OPTIONS.bake, varFiles: ['a\nb'] }), /cannot write a CI job/);
  });

  describe('GitHub Actions', () => {
    for (const [name, o] of [['plain', OPTIONS], ['hostile names', HOSTILE]] as const) {
      it(`[${name}] passes GitHub's workflow parser and schema, and packer-bake's own checks`, async () => {
        const text = githubWorkflow(o);
        assert.deepEqual(await workflowErrors(text), []);
        assert.deepEqual(findings('/ws/.github/workflows/packer-bake.yml', text), []);
      });
    }
    it('lints with SARIF into code scanning, then bakes in the image with a tmpfs /tmp, in the template\'s folder', () => {
      const wf = parse(githubWorkflow(HOSTILE));
      assert.deepEqual(wf.jobs.lint.steps.map((s: { uses?: string; name?: string }) => s.uses ?? s.name), ['actions/checkout@v4', 'actions/setup-node@v4', 'Lint Packer templates', 'github/codeql-action/upload-sarif@v3', 'Fail on findings']);
      assert.deepEqual(split(wf.jobs.lint.steps[2].run), ['npx', '--yes', 'packer-bake@0.1.0', 'lint', '--format', 'sarif', "im ages/it's: #1", '>', 'packer-bake.sarif']);
      assert.deepEqual(wf.jobs.lint.permissions, { contents: 'read', 'security-events': 'write' });
      assert.equal(wf.jobs.bake.needs, 'lint');
      assert.deepEqual(wf.jobs.bake.container, { image: 'ghcr.io/acme/packer-bake:0.1.0', options: '--tmpfs /tmp:exec' });
      assert.equal(wf.jobs.bake.env.ANSIBLE_SSH_CONTROL_PATH, '/tmp/ansible-ssh-%%h-%%p-%%r');
      const bake = wf.jobs.bake.steps[1];
      assert.equal(bake['working-directory'], "im ages/it's: #1");
      assert.deepEqual(bake.run.trim().split('\n').map((l: string) => split(l)), [['packer', 'build', '-only=a b,c', '-var-file=v\\w.json', '-var-file=--x', 't $(x) "q".json']]);
    });
  });

  describe('Jenkins', () => {
    const shape = (list: Statement[]): unknown[] => list.map((s) => (s.block ? [s.head.map((t) => t.text).join(' '), shape(s.block.statements)] : s.head.map((t) => t.text).join(' ')));
    it('is a declarative pipeline of the expected shape, with a tmpfs /tmp on the bake agent, and no finding', () => {
      const text = jenkinsfile(OPTIONS);
      const top = statements(tokenize(text)!)!;
      assert.deepEqual(shape(top), [
        ['pipeline', [
          'agent any',
          ['stages', [
            ["stage ( 'Packer lint' )", [
              ['agent', [['docker', ["image 'node:20-bookworm-slim'", 'reuseNode true']]]],
              ['environment', ["HOME = '/tmp'"]],
              ['steps', ["sh 'npx --yes packer-bake@0.1.0 lint --format sarif images/web > packer-bake.sarif'"]],
              ['post', [['always', ["archiveArtifacts artifacts : 'packer-bake.sarif' , allowEmptyArchive : true"]]]],
            ]],
            ["stage ( 'Packer bake' )", [
              ['agent', [['docker', ["image 'ghcr.io/acme/packer-bake:0.1.0'", "args '--tmpfs /tmp:rw,exec'", 'reuseNode true']]]],
              ['environment', ["ANSIBLE_SSH_CONTROL_PATH = '/tmp/ansible-ssh-%%h-%%p-%%r'", "CHECKPOINT_DISABLE = '1'", "HOME = '/tmp'"]],
              ['steps', [["dir ( 'images/web' )", ["sh 'packer init . && packer build -only=amazon-ebs.web -var-file=prod.pkrvars.hcl .'"]]]],
            ]],
          ]],
        ]],
      ]);
      assert.deepEqual(findings('/ws/Jenkinsfile', text), []);
    });
    it('keeps hostile names intact through Groovy and the shell', () => {
      const tokens = tokenize(jenkinsfile(HOSTILE))!;
      const sh = tokens.filter((t) => t.kind === 'string').map((t) => t.value!);
      assert.ok(sh.includes("im ages/it's: #1"), 'the dir() argument');
      assert.deepEqual(split(sh.find((v) => v.startsWith('packer build'))!), ['packer', 'build', '-only=a b,c', '-var-file=v\\w.json', '-var-file=--x', 't $(x) "q".json']);
    });
    it('inserts its stages into an existing declarative pipeline, before the closing brace of stages', () => {
      const existing = "pipeline {\n  agent { label 'linux' }\n  stages {\n    stage('Test') {\n      steps { sh 'make test' }\n    }\n  }\n}\n";
      const r = insertJenkinsStages(existing, OPTIONS);
      assert.ok('offset' in r, JSON.stringify(r));
      const text = existing.slice(0, r.offset) + r.newText + existing.slice(r.offset);
      const stages = (statements(tokenize(text)!)![0].block!.statements[1].block!.statements).map((s) => s.head.map((t) => t.text).join(' '));
      assert.deepEqual(stages, ["stage ( 'Test' )", "stage ( 'Packer lint' )", "stage ( 'Packer bake' )"]);
      assert.ok(text.includes("      steps { sh 'make test' }\n    }\n    stage('Packer lint') {\n"), 'at the indentation of the existing stages');
      assert.ok(text.endsWith("    }\n  }\n}\n"));
      assert.deepEqual(findings('/ws/Jenkinsfile', text), []);
      assert.deepEqual(insertJenkinsStages(text, OPTIONS), { reason: 'it already has the Packer lint and bake stages' });
    });
    it('keeps CRLF and handles a closing brace on the last stage\'s line', () => {
      const existing = "pipeline {\r\n  agent any\r\n  stages { stage('a') { steps { echo 'x' } } }\r\n}\r\n";
      const r = insertJenkinsStages(existing, OPTIONS);
      assert.ok('offset' in r);
      const text = existing.slice(0, r.offset) + r.newText + existing.slice(r.offset);
      assert.ok(!/[^\r]\n/.test(text), 'only CRLF line breaks');
      assert.equal(statements(tokenize(text)!)![0].block!.statements[1].block!.statements.length, 3);
    });
    it('refuses a scripted pipeline and a file it cannot read', () => {
      assert.deepEqual(insertJenkinsStages("node { stage('x') { sh 'make' } }", OPTIONS), { reason: 'it has no declarative pipeline { stages { ... } } (a scripted pipeline cannot be extended safely)' });
      assert.deepEqual(insertJenkinsStages("pipeline { stages { stage('x') { steps { sh 'a } } }", OPTIONS), { reason: 'its braces or quotes do not balance as this command reads them' });
    });
  });

  describe('GitLab CI', () => {
    it('parses as YAML: a lint job with the SARIF artifact, a bake job in the image with the control path on /dev/shm', () => {
      const ci = parse(gitlabCi(HOSTILE));
      assert.deepEqual(Object.keys(ci), ['packer-bake-lint', 'packer-bake']);
      assert.deepEqual(ci['packer-bake-lint'].artifacts, { when: 'always', paths: ['packer-bake.sarif'] });
      assert.deepEqual(ci['packer-bake'].image, { name: 'ghcr.io/acme/packer-bake:0.1.0', entrypoint: [''] });
      assert.deepEqual(ci['packer-bake'].variables, { ANSIBLE_SSH_CONTROL_PATH: '/dev/shm/ansible-ssh-%%h-%%p-%%r', CHECKPOINT_DISABLE: '1' });
      assert.deepEqual(ci['packer-bake'].script.map((l: string) => split(l)), [['cd', "im ages/it's: #1"], ['packer', 'build', '-only=a b,c', '-var-file=v\\w.json', '-var-file=--x', 't $(x) "q".json']]);
    });
    it('appends its jobs to an existing .gitlab-ci.yml, into a stage it has', () => {
      const existing = 'stages: [build, test, release]\n\nunit:\n  stage: test\n  script: [make test]';
      const r = appendGitlabJobs(existing, OPTIONS);
      assert.ok('offset' in r);
      assert.equal(r.offset, existing.length);
      const ci = parse(existing + r.newText);
      assert.deepEqual(Object.keys(ci), ['stages', 'unit', 'packer-bake-lint', 'packer-bake']);
      assert.equal(ci['packer-bake'].stage, 'release');
      assert.equal(ci['packer-bake-lint'].stage, '.pre');
      assert.equal(parse(existing + r.newText).unit.script[0], 'make test');
    });
    it('refuses to append where it is not safe', () => {
      assert.deepEqual(appendGitlabJobs('a: [', OPTIONS), { reason: 'it does not parse as YAML' });
      assert.deepEqual(appendGitlabJobs('- a\n- b\n', OPTIONS), { reason: 'its top level is not a block mapping' });
      assert.deepEqual(appendGitlabJobs('packer-bake:\n  script: [x]\n', OPTIONS), { reason: 'it already has packer-bake jobs' });
    });
  });
});
