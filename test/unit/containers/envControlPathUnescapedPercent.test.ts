import assert from 'node:assert/strict';
import { applyContainerFix, containerFindings, fullFindings } from '../../support/containerRules';

const RULE = 'env-control-path-unescaped-percent';
const DC = '/ws/.devcontainer/devcontainer.json';
const WF = '/ws/.github/workflows/ci.yaml';
const JF = '/ws/Jenkinsfile';
const fire = (file: string, text: string) => containerFindings({ [file]: text }, file, RULE);
const fix = (file: string, text: string) => applyContainerFix({ [file]: text }, file, RULE);

describe(RULE, () => {
  it('fires on containerEnv and remoteEnv in devcontainer.json, at the value, as an error', () => {
    const text = '{\n  "image": "debian",\n  "containerEnv": { "ANSIBLE_SSH_CONTROL_PATH": "/tmp/a-%h-%p-%r" },\n  "remoteEnv": { "ANSIBLE_SSH_CONTROL_PATH": "/tmp/b-%%h-%p" }\n}';
    assert.deepEqual(fire(DC, text), [[RULE, '"/tmp/a-%h-%p-%r"'], [RULE, '"/tmp/b-%%h-%p"']]);
    const [f] = fullFindings({ [DC]: text }, DC, RULE);
    assert.equal(f.severity, 'error');
    assert.equal(f.message, 'ANSIBLE_SSH_CONTROL_PATH in containerEnv goes through Python %-formatting in Ansible, so %h, %p, %r fails with "unsupported format character". Double the % signs for ssh to receive them: /tmp/a-%%h-%%p-%%r');
  });
  it('fires on workflow, job, container and step env in a GitHub workflow', () => {
    const text = `env:
  ANSIBLE_SSH_CONTROL_PATH: /tmp/w-%h
jobs:
  b:
    runs-on: ubuntu-latest
    env: { ANSIBLE_SSH_CONTROL_PATH: "/tmp/j-%h" }
    container:
      image: x
      env:
        ANSIBLE_SSH_CONTROL_PATH: '/tmp/c-%r'
    steps:
      - run: packer build .
        env:
          ANSIBLE_SSH_CONTROL_PATH: /tmp/s-%p
`;
    assert.deepEqual(fire(WF, text), [[RULE, '/tmp/w-%h'], [RULE, '"/tmp/j-%h"'], [RULE, "'/tmp/c-%r'"], [RULE, '/tmp/s-%p']]);
  });
  it('fires on environment blocks and withEnv strings in a Jenkinsfile', () => {
    const text = "pipeline {\n  environment {\n    ANSIBLE_SSH_CONTROL_PATH = '/tmp/e-%h'\n  }\n  stages { stage('x') { steps { withEnv([\"ANSIBLE_SSH_CONTROL_PATH=/tmp/w-%h-${BUILD_ID}\"]) { sh 'packer build .' } } } }\n}";
    assert.deepEqual(fire(JF, text), [[RULE, "'/tmp/e-%h'"], [RULE, '"ANSIBLE_SSH_CONTROL_PATH=/tmp/w-%h-${BUILD_ID}"']]);
  });

  const silent: [string, string, string][] = [
    ['doubled tokens', DC, '{ "containerEnv": { "ANSIBLE_SSH_CONTROL_PATH": "/tmp/a-%%h-%%p-%%r" } }'],
    ['%(directory)s', DC, '{ "containerEnv": { "ANSIBLE_SSH_CONTROL_PATH": "%(directory)s/%%h" } }'],
    ['ANSIBLE_SSH_CONTROL_PATH_DIR (not formatted)', DC, '{ "containerEnv": { "ANSIBLE_SSH_CONTROL_PATH_DIR": "/tmp/%h" } }'],
    ['a ControlPath inside ANSIBLE_SSH_ARGS (ssh gets it untouched)', WF, 'env:\n  ANSIBLE_SSH_ARGS: -o ControlPath=/tmp/%h\n'],
    ['another variable', JF, "pipeline { environment { OTHER = '/tmp/%h' } }"],
    ['a devcontainer.json that does not parse', DC, '{ "containerEnv": { "ANSIBLE_SSH_CONTROL_PATH": "/tmp/%h" }'],
  ];
  for (const [why, file, text] of silent) {
    it(`is silent for ${why}`, () => assert.deepEqual(fire(file, text), []));
  }

  describe('quick fix', () => {
    it('doubles the % signs in JSON', () => {
      assert.equal(fix(DC, '{ "containerEnv": { "ANSIBLE_SSH_CONTROL_PATH": "/tmp/\\"q\\"-%h-%%p" } }'), '{ "containerEnv": { "ANSIBLE_SSH_CONTROL_PATH": "/tmp/\\"q\\"-%%h-%%p" } }');
    });
    it('doubles them in plain, single- and double-quoted YAML', () => {
      for (const [before, after] of [['/tmp/s-%h', '/tmp/s-%%h'], ["'/tmp/it''s-%h'", "'/tmp/it''s-%%h'"], ['"/tmp/\\t-%h"', '"/tmp/\\t-%%h"']]) {
        assert.equal(fix(WF, `env:\n  ANSIBLE_SSH_CONTROL_PATH: ${before} # note\n`), `env:\n  ANSIBLE_SSH_CONTROL_PATH: ${after} # note\n`);
      }
    });
    it('doubles them in Groovy strings', () => {
      assert.equal(fix(JF, "pipeline { environment { ANSIBLE_SSH_CONTROL_PATH = \"/tmp/${X}-%h\" } }"), "pipeline { environment { ANSIBLE_SSH_CONTROL_PATH = \"/tmp/${X}-%%h\" } }");
    });
    it('is not offered when a % is written as an escape', () => {
      const [f] = fullFindings({ [WF]: 'env:\n  ANSIBLE_SSH_CONTROL_PATH: "/tmp/\\x25h-%h"\n' }, WF, RULE);
      assert.deepEqual(f.fixes, []);
    });
  });
});
