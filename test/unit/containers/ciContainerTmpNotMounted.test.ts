import assert from 'node:assert/strict';
import { applyContainerFix, containerFindings, fullFindings } from '../../support/containerRules';

const RULE = 'ci-container-tmp-not-mounted';
const WF = '/ws/.github/workflows/bake.yml';
const JF = '/ws/Jenkinsfile';
const fire = (file: string, text: string) => containerFindings({ [file]: text }, file, RULE);
const fix = (file: string, text: string) => applyContainerFix({ [file]: text }, file, RULE);

/** A workflow whose job `bake` has `container` (YAML lines at job level, already indented by 4) and runs packer build. */
const workflow = (container: string, run = 'packer build -only=amazon-ebs.base .') => `name: bake
on: [push]
jobs:
  bake:
    runs-on: ubuntu-latest
${container}
    steps:
      - uses: actions/checkout@v4
      - name: Bake
        run: ${run}
`;

/** A declarative pipeline with `agent` (lines at pipeline level, indented by 2) and a Bake stage. */
const pipeline = (agent: string, steps = "sh 'packer build -var-file=prod.pkrvars.hcl .'") => `pipeline {
${agent}
  stages {
    stage('Bake') {
      steps {
        ${steps}
      }
    }
  }
}
`;

describe(RULE, () => {
  describe('GitHub Actions', () => {
    it('fires on a container job that runs packer build, at "container"', () => {
      assert.deepEqual(fire(WF, workflow('    container: hashicorp/packer:1.11')), [[RULE, 'container']]);
      const [f] = fullFindings({ [WF]: workflow('    container: hashicorp/packer:1.11') }, WF, RULE);
      assert.match(f.message, /^\/tmp in the container of job "bake" is not a mount, .*; step "Bake" runs packer build\. Add --tmpfs \/tmp:exec to container\.options\.$/);
    });
    it('fires when the options mount something else', () => {
      assert.equal(fire(WF, workflow('    container:\n      image: x\n      options: --cpus 2 -v /cache:/cache')).length, 1);
    });
    it('fires for packer build inside a multi-line script', () => {
      assert.equal(fire(WF, workflow('    container: x', '|\n          set -e\n          packer init .\n          cd images && packer build .')).length, 1);
    });

    const silent: [string, string][] = [
      ['with --tmpfs /tmp:exec in options', workflow('    container:\n      image: x\n      options: --tmpfs /tmp:exec')],
      ['with a quoted --tmpfs=/tmp', workflow('    container:\n      image: x\n      options: "--user root --tmpfs=/tmp"')],
      ['with a /tmp volume', workflow('    container:\n      image: x\n      volumes:\n        - /tmp:/tmp')],
      ['with options from an expression', workflow('    container:\n      image: x\n      options: ${{ vars.BAKE_OPTIONS }}')],
      ['with the container from an expression', workflow('    container: ${{ matrix.container }}')],
      ['without a container (the runner host)', workflow('')],
      ['with an empty container', workflow('    container:')],
      ['when no step runs packer build', workflow('    container: x', 'packer validate .')],
      ['when packer build is only part of a word', workflow('    container: x', 'mypacker build .')],
      ['when a step is only named after packer build', workflow('    container: x', 'make bake')],
      ['when the control path dir is /dev/shm', workflow('    container: x\n    env:\n      ANSIBLE_SSH_CONTROL_PATH_DIR: /dev/shm/cp')],
      ['on a syntax error', workflow('    container: x\n   bad: [')],
    ];
    for (const [why, text] of silent) {
      it(`is silent ${why}`, () => assert.deepEqual(fire(WF, text), []));
    }
    it('is silent for YAML outside .github/workflows', () => {
      assert.deepEqual(fire('/ws/.github/bake.yml', workflow('    container: x')), []);
    });

    describe('quick fix', () => {
      it('turns an image string into a mapping with options, keeping its comment', () => {
        assert.equal(fix(WF, workflow('    container: hashicorp/packer:1.11 # pinned')),
          workflow('    container:\n      image: hashicorp/packer:1.11\n      options: --tmpfs /tmp:exec # pinned'));
      });
      it('adds options after the mapping\'s last line', () => {
        assert.equal(fix(WF, workflow('    container:\n      image: x\n      env:\n        A: b # c')),
          workflow('    container:\n      image: x\n      env:\n        A: b # c\n      options: --tmpfs /tmp:exec'));
      });
      it('appends to plain options', () => {
        assert.equal(fix(WF, workflow('    container:\n      image: x\n      options: --cpus 2')), workflow('    container:\n      image: x\n      options: --cpus 2 --tmpfs /tmp:exec'));
      });
      it('appends inside quoted options', () => {
        assert.equal(fix(WF, workflow("    container:\n      image: x\n      options: '--cpus 2'")), workflow("    container:\n      image: x\n      options: '--cpus 2 --tmpfs /tmp:exec'"));
      });
      it('keeps CRLF and a 4-space indentation', () => {
        const text = 'on: push\r\njobs:\r\n    bake:\r\n        runs-on: ubuntu-latest\r\n        container: x\r\n        steps:\r\n            - run: packer build .\r\n';
        assert.equal(fix(WF, text), 'on: push\r\njobs:\r\n    bake:\r\n        runs-on: ubuntu-latest\r\n        container:\r\n            image: x\r\n            options: --tmpfs /tmp:exec\r\n        steps:\r\n            - run: packer build .\r\n');
      });
      it('is not offered for a flow mapping', () => {
        const [f] = fullFindings({ [WF]: workflow('    container: { image: x }') }, WF, RULE);
        assert.deepEqual(f.fixes, []);
      });
    });
  });

  describe('Jenkinsfile', () => {
    it('fires on a pipeline docker agent whose stage runs packer build, at "docker"', () => {
      assert.deepEqual(fire(JF, pipeline("  agent {\n    docker {\n      image 'hashicorp/packer:1.11'\n    }\n  }")), [[RULE, 'docker']]);
      const [f] = fullFindings({ [JF]: pipeline("  agent {\n    docker {\n      image 'x'\n    }\n  }") }, JF, RULE);
      assert.match(f.message, /^\/tmp in the docker agent of the pipeline is not a mount, .*; stage "Bake" runs packer build\. Add --tmpfs \/tmp:rw,exec to its args\.$/);
    });
    it('fires at the args string when it mounts something else', () => {
      assert.deepEqual(fire(JF, pipeline("  agent { docker { image 'x'; args '-v /var/run/docker.sock:/var/run/docker.sock' } }")), [[RULE, "'-v /var/run/docker.sock:/var/run/docker.sock'"]]);
    });
    it('fires on a stage\'s own dockerfile agent, in nested stages and parallel branches', () => {
      const text = `pipeline {
  agent none
  stages {
    stage('Images') {
      parallel {
        stage('web') {
          agent { dockerfile { filename 'ci/Dockerfile'; args "--cpus 2" } }
          steps { sh """
            packer build -only='amazon-ebs.web' .
          """ }
        }
        stage('docs') {
          agent { docker 'node:20' }
          steps { sh 'npm run build' }
        }
      }
    }
  }
}`;
      const fs = fullFindings({ [JF]: text }, JF, RULE);
      assert.deepEqual(fs.map((f) => f.message.split(' is not')[0]), ['/tmp in the dockerfile agent of stage "web"']);
    });
    it('fires on scripted docker.image().inside() and withDockerContainer', () => {
      const text = `node {
  docker.image('hashicorp/packer:1.11').inside('-u root') {
    sh 'packer build .'
  }
  withDockerContainer(image: 'x', args: '--cpus 1') {
    sh(script: 'packer build .', label: 'bake')
  }
}`;
      assert.deepEqual(fire(JF, text), [[RULE, "'-u root'"], [RULE, "'--cpus 1'"]]);
    });
    it('reads comments, slashy strings and GStrings without losing the structure', () => {
      const text = `// pipeline { agent { docker { image 'not this one' } } }
/* a { brace */
def pattern = /a{b}'c/
pipeline {
  agent { docker { image "\${REGISTRY}/packer:1" } } // "}"
  stages { stage("b}") { steps { sh "packer build -var 'v=\${env.V}' ." } } }
}`;
      assert.deepEqual(fire(JF, text), [[RULE, 'docker']]);
    });
    it('handles a stage whose brace is on the next line', () => {
      assert.equal(fire(JF, "pipeline {\n  agent { docker { image 'x' } }\n  stages {\n    stage('Bake')\n    {\n      steps { sh 'packer build .' }\n    }\n  }\n}").length, 1);
    });

    const silent: [string, string][] = [
      ['with --tmpfs /tmp in args', pipeline("  agent { docker { image 'x'; args '--tmpfs /tmp:rw,exec' } }")],
      ['with -v /tmp:/tmp in double-quoted args', pipeline('  agent { docker { image \'x\'\n    args "-v /tmp:/tmp" } }')],
      ['with args built at run time', pipeline("  agent { docker { image 'x'; args \"${env.DOCKER_ARGS}\" } }")],
      ['with args from a variable', pipeline("  agent { docker { image 'x'; args dockerArgs } }")],
      ['on another kind of agent', pipeline("  agent { label 'docker' }")],
      ['on a kubernetes agent', pipeline("  agent { kubernetes { yaml podYaml } }")],
      ['when no stage runs packer build', pipeline("  agent { docker { image 'x' } }", "sh 'packer validate .'")],
      ['when packer build is only in a comment', pipeline("  agent { docker { image 'x' } }", "// sh 'packer build .'\n        echo 'skip'")],
      ['when a stage has its own non-docker agent', pipeline("  agent { docker { image 'x' } }").replace("stage('Bake') {", "stage('Bake') {\n      agent { label 'bakers' }")],
      ['on unbalanced braces', pipeline("  agent { docker { image 'x' }")],
      ['on an unterminated string', pipeline("  agent { docker { image 'x } }")],
      ['on scripted inside with --tmpfs', "node { docker.image('x').inside('--tmpfs /tmp') { sh 'packer build .' } }"],
    ];
    for (const [why, text] of silent) {
      it(`is silent ${why}`, () => assert.deepEqual(fire(JF, text), []));
    }
    it('recognises Jenkinsfile.<x> and <x>.jenkinsfile names, not other Groovy', () => {
      const text = pipeline("  agent { docker { image 'x' } }");
      for (const file of ['/ws/Jenkinsfile.bake', '/ws/ci/bake.jenkinsfile']) assert.equal(fire(file, text).length, 1, file);
      assert.deepEqual(fire('/ws/vars/bake.groovy', text), []);
    });

    describe('quick fix', () => {
      it('adds an args line after the image line, at its indentation', () => {
        assert.equal(fix(JF, pipeline("  agent {\n    docker {\n      image 'x' // pinned\n      label 'linux'\n    }\n  }")),
          pipeline("  agent {\n    docker {\n      image 'x' // pinned\n      label 'linux'\n      args '--tmpfs /tmp:rw,exec'\n    }\n  }"));
      });
      it('adds args to a one-line docker block', () => {
        assert.equal(fix(JF, pipeline("  agent { docker { image 'x' } }")), pipeline("  agent { docker { image 'x'; args '--tmpfs /tmp:rw,exec' } }"));
      });
      it('appends to existing args', () => {
        assert.equal(fix(JF, pipeline("  agent { docker { image 'x'; args \"-u root\" } }")), pipeline("  agent { docker { image 'x'; args \"-u root --tmpfs /tmp:rw,exec\" } }"));
      });
      it('expands the short docker form', () => {
        assert.equal(fix(JF, pipeline("  agent { docker 'x' }")), pipeline("  agent { docker { image 'x'; args '--tmpfs /tmp:rw,exec' } }"));
      });
      it('passes args to inside', () => {
        const text = "node {\n  docker.image('x').inside {\n    sh 'packer build .'\n  }\n}";
        assert.equal(fix(JF, text), "node {\n  docker.image('x').inside('--tmpfs /tmp:rw,exec') {\n    sh 'packer build .'\n  }\n}");
        assert.equal(fix(JF, text.replace('inside', 'inside()')), text.replace('inside', "inside('--tmpfs /tmp:rw,exec')"));
      });
      it('keeps CRLF', () => {
        const text = pipeline("  agent {\n    docker {\n      image 'x'\n    }\n  }").replace(/\n/g, '\r\n');
        assert.equal(fix(JF, text), pipeline("  agent {\n    docker {\n      image 'x'\n      args '--tmpfs /tmp:rw,exec'\n    }\n  }").replace(/\n/g, '\r\n'));
      });
    });
  });
});
