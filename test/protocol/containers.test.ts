import assert from 'node:assert/strict';
import { CodeActionKind, DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-protocol';
import { TestClient } from './lspClient';

const codes = (d: Diagnostic[] | undefined) => d?.map((x) => x.code);

const DEVCONTAINER = `{
  // Packer toolbox
  "name": "bake",
  "build": { "dockerfile": "Dockerfile" },
  "containerEnv": { "ANSIBLE_SSH_CONTROL_PATH": "/tmp/ansible-ssh-%h-%p-%r" },
}
`;
const DOCKERFILE_PACKER = 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y packer ansible-core openssh-client\n';
const DOCKERFILE_PLAIN = 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y git\n';
const WORKFLOW = `on: push
jobs:
  bake:
    runs-on: ubuntu-latest
    container: ghcr.io/acme/packer:1.11
    steps:
      - uses: actions/checkout@v4
      - run: packer build .
`;
const JENKINSFILE = `pipeline {
  agent { docker { image 'hashicorp/packer:1.11' } }
  stages { stage('Bake') { steps { sh 'packer build .' } } }
}
`;

describe('container files over the protocol', () => {
  let c: TestClient;
  afterEach(async () => c?.stop());

  it('diagnoses devcontainer.json, workflows and Jenkinsfiles found by the workspace scan, without opening them', async () => {
    c = await TestClient.start({
      files: {
        '.devcontainer/devcontainer.json': DEVCONTAINER,
        '.devcontainer/Dockerfile': DOCKERFILE_PACKER,
        '.github/workflows/bake.yml': WORKFLOW,
        '.github/ISSUE_TEMPLATE/bug.yml': WORKFLOW,
        'Jenkinsfile': JENKINSFILE,
        '.other/.devcontainer/devcontainer.json': DEVCONTAINER,
      },
    });
    assert.deepStrictEqual(await c.ready, { templates: 0 }, 'container files are not templates');
    const dc = await c.diagnosticsWhere(c.uri('.devcontainer/devcontainer.json'), (d) => d.length === 2);
    assert.deepStrictEqual(codes(dc), ['devcontainer-tmp-not-mounted', 'env-control-path-unescaped-percent']);
    assert.deepStrictEqual(dc.map((d) => [d.severity, d.source, d.codeDescription?.href]), [
      [DiagnosticSeverity.Warning, 'packer-bake', 'https://github.com/packer-bake/packer-bake/blob/main/docs/rules/devcontainer-tmp-not-mounted.md'],
      [DiagnosticSeverity.Error, 'packer-bake', 'https://github.com/packer-bake/packer-bake/blob/main/docs/rules/env-control-path-unescaped-percent.md'],
    ]);
    assert.deepStrictEqual(codes(await c.diagnosticsWhere(c.uri('.github/workflows/bake.yml'), (d) => d.length > 0)), ['ci-container-tmp-not-mounted']);
    assert.deepStrictEqual(codes(await c.diagnosticsWhere(c.uri('Jenkinsfile'), (d) => d.length > 0)), ['ci-container-tmp-not-mounted']);
    for (const rel of ['.github/ISSUE_TEMPLATE/bug.yml', '.other/.devcontainer/devcontainer.json']) assert.equal(c.publishCount(c.uri(rel)), 0, rel);
  });

  it('offers the quick fix on an open devcontainer.json, and applying it clears the diagnostic', async () => {
    c = await TestClient.start({ files: { '.devcontainer/devcontainer.json': DEVCONTAINER, '.devcontainer/Dockerfile': DOCKERFILE_PACKER } });
    await c.ready;
    const opened = await c.open('.devcontainer/devcontainer.json', DEVCONTAINER, 'jsonc');
    const tmp = opened.filter((d) => d.code === 'devcontainer-tmp-not-mounted');
    const actions = await c.codeActions('.devcontainer/devcontainer.json', tmp);
    assert.deepStrictEqual(actions.map((a) => [a.title, a.kind, a.isPreferred]), [['Add runArgs with a tmpfs on /tmp', CodeActionKind.QuickFix, true]]);
    const next = c.nextDiagnostics(c.uri('.devcontainer/devcontainer.json'));
    c.applyEdit(actions[0].edit!);
    assert.deepStrictEqual(codes(await next), ['env-control-path-unescaped-percent']);
    assert.equal(c.document('.devcontainer/devcontainer.json')!.getText(), DEVCONTAINER.replace(
      '"ANSIBLE_SSH_CONTROL_PATH": "/tmp/ansible-ssh-%h-%p-%r" },\n',
      '"ANSIBLE_SSH_CONTROL_PATH": "/tmp/ansible-ssh-%h-%p-%r" },\n  "runArgs": ["--tmpfs", "/tmp:rw,exec,mode=1777"],\n',
    ));
  });

  it('analyses devcontainer.json again when its Dockerfile changes on disk', async () => {
    c = await TestClient.start({ files: { '.devcontainer/devcontainer.json': '{ "build": { "dockerfile": "Dockerfile" } }', '.devcontainer/Dockerfile': DOCKERFILE_PLAIN } });
    await c.ready;
    assert.equal(c.publishCount(c.uri('.devcontainer/devcontainer.json')), 0, 'a dev container without Packer or Ansible is left alone');
    const next = c.nextDiagnostics(c.uri('.devcontainer/devcontainer.json'));
    await c.writeFile('.devcontainer/Dockerfile', DOCKERFILE_PACKER);
    assert.deepStrictEqual(codes(await next), ['devcontainer-tmp-not-mounted']);
    const cleared = c.nextDiagnostics(c.uri('.devcontainer/devcontainer.json'));
    await c.writeFile('.devcontainer/Dockerfile', DOCKERFILE_PLAIN);
    assert.deepStrictEqual(await cleared, []);
  });

  it('follows packerBake.rules for the container rules', async () => {
    c = await TestClient.start({ files: { 'Jenkinsfile': JENKINSFILE } });
    await c.ready;
    await c.diagnosticsWhere(c.uri('Jenkinsfile'), (d) => d.length === 1);
    const hint = c.nextDiagnostics(c.uri('Jenkinsfile'));
    await c.configure({ rules: { 'ci-container-tmp-not-mounted': 'hint' } });
    assert.deepStrictEqual((await hint).map((d) => d.severity), [DiagnosticSeverity.Hint]);
    const off = c.nextDiagnostics(c.uri('Jenkinsfile'));
    await c.configure({ rules: { 'ci-container-tmp-not-mounted': 'off' } });
    assert.deepStrictEqual(await off, []);
  });
});
