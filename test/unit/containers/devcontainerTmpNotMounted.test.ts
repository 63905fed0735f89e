import assert from 'node:assert/strict';
import { applyContainerFix, containerFindings, fullFindings } from '../../support/containerRules';

const RULE = 'devcontainer-tmp-not-mounted';
const DC = '/ws/.devcontainer/devcontainer.json';
const DOCKERFILE = '/ws/.devcontainer/Dockerfile';
const fire = (files: Record<string, string>, file = DC) => containerFindings(files, file, RULE);
const fix = (files: Record<string, string>, file = DC) => applyContainerFix(files, file, RULE);

/** A devcontainer.json whose feature says it runs Ansible, plus `extra` properties. */
const withFeature = (extra = '') => `{
  "image": "mcr.microsoft.com/devcontainers/base:bookworm",
  "features": { "ghcr.io/devcontainers-extra/features/ansible:2": {} }${extra}
}
`;

describe(RULE, () => {
  describe('fires', () => {
    it('on an image-based dev container with an Ansible feature and no runArgs, at "image"', () => {
      assert.deepEqual(fire({ [DC]: withFeature() }), [[RULE, '"image"']]);
    });
    it('at "runArgs" when runArgs has no /tmp mount', () => {
      assert.deepEqual(fire({ [DC]: withFeature(',\n  "runArgs": ["--cap-add=SYS_PTRACE", "-v", "/var/run/docker.sock:/var/run/docker.sock"]') }), [[RULE, '"runArgs"']]);
    });
    it('names its evidence and the remedy in the message', () => {
      const [f] = fullFindings({ [DC]: withFeature() }, DC, RULE);
      assert.equal(f.severity, 'warning');
      assert.match(f.message, /^\/tmp in this dev container is not a mount, .* it uses Packer or Ansible \(feature "ghcr\.io\/devcontainers-extra\/features\/ansible:2"\)\. Add "--tmpfs", "\/tmp:rw,exec,mode=1777" to runArgs\.$/);
    });

    const evidence: [string, Record<string, string>][] = [
      ['an image named after Packer', { [DC]: '{ "image": "hashicorp/packer:1.11.2" }' }],
      ['a Dockerfile that installs packer', { [DC]: '{ "build": { "dockerfile": "Dockerfile" } }', [DOCKERFILE]: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y \\\n    packer\n' }],
      ['a Dockerfile FROM hashicorp/packer', { [DC]: '{ "build": { "dockerfile": "Dockerfile", "context": ".." } }', [DOCKERFILE]: 'FROM hashicorp/packer:light AS p\nFROM debian\nCOPY --from=p /bin/packer /usr/local/bin/\n' }],
      ['the legacy "dockerFile" property', { [DC]: '{ "dockerFile": "Dockerfile" }', [DOCKERFILE]: 'FROM python:3\nRUN pip install ansible-core\n' }],
      ['a postCreateCommand', { [DC]: '{ "image": "python:3", "postCreateCommand": "pip install ansible-core boto3" }' }],
      ['an onCreateCommand array', { [DC]: '{ "image": "debian", "onCreateCommand": ["bash", "-c", "apt-get install -y packer"] }' }],
      ['a postStartCommand object', { [DC]: '{ "image": "debian", "postStartCommand": { "tools": "ansible-galaxy install -r requirements.yml" } }' }],
      ['the packer-bake extension in customizations', { [DC]: '{ "image": "debian", "customizations": { "vscode": { "extensions": ["Packer-Bake.packer-bake"] } } }' }],
      ['a packer feature', { [DC]: '{ "image": "debian", "features": { "ghcr.io/devcontainers-contrib/features/packer-asdf:2": {} } }' }],
    ];
    for (const [why, files] of evidence) {
      it(`for ${why}`, () => assert.equal(fire(files).length, 1));
    }

    it('for .devcontainer.json and .devcontainer/<name>/devcontainer.json', () => {
      for (const file of ['/ws/.devcontainer.json', '/ws/.devcontainer/bake/devcontainer.json']) {
        assert.deepEqual(fire({ [file]: withFeature() }, file), [[RULE, '"image"']]);
      }
    });
    it('when ANSIBLE_SSH_CONTROL_PATH points at /tmp (the socket goes exactly there)', () => {
      assert.equal(fire({ [DC]: withFeature(',\n  "containerEnv": { "ANSIBLE_SSH_CONTROL_PATH": "/tmp/ansible-ssh-%%h-%%p-%%r" }') }).length, 1);
    });
    it('when the only /tmp-looking mount is below /tmp, or is relative', () => {
      assert.equal(fire({ [DC]: withFeature(',\n  "runArgs": ["--tmpfs", "/tmp/cache", "-v", "x:tmp"]') }).length, 1);
    });
    it('on a docker-compose dev container whose service has no /tmp mount, pointing at "service"', () => {
      const files = {
        [DC]: '{ "dockerComposeFile": ["../docker-compose.yml", "compose.extend.yml"], "service": "dev", "runArgs": ["--tmpfs", "/tmp"] }',
        '/ws/docker-compose.yml': 'services:\n  dev:\n    image: hashicorp/packer:1.11\n    volumes:\n      - ..:/workspaces/ws:cached\n  db:\n    image: postgres\n    tmpfs: /tmp\n',
        '/ws/.devcontainer/compose.extend.yml': 'services:\n  dev:\n    command: sleep infinity\n',
      };
      assert.deepEqual(fire(files), [[RULE, '"service"']]);
      const [f] = fullFindings(files, DC, RULE);
      assert.match(f.message, /runArgs do not apply to a docker-compose dev container: add "tmpfs: \[\/tmp\]" to service "dev" in docker-compose\.yml or compose\.extend\.yml\.$/);
      assert.deepEqual(f.fixes, [], 'no quick fix for compose files');
    });
    it('on a compose service whose Dockerfile installs ansible', () => {
      const files = {
        [DC]: '{ "dockerComposeFile": "compose.yml", "service": "app" }',
        '/ws/.devcontainer/compose.yml': 'x-common: &common\n  restart: "no"\nservices:\n  app:\n    <<: *common\n    build:\n      context: ..\n      dockerfile: tools/Dockerfile\n',
        '/ws/tools/Dockerfile': 'FROM debian\nRUN apt-get install -y ansible-core\n',
      };
      assert.deepEqual(fire(files), [[RULE, '"service"']]);
    });
  });

  describe('is silent', () => {
    const silent: [string, Record<string, string>][] = [
      ['with --tmpfs /tmp', { [DC]: withFeature(',\n  "runArgs": ["--tmpfs", "/tmp"]') }],
      ['with --tmpfs=/tmp:exec', { [DC]: withFeature(',\n  "runArgs": ["--tmpfs=/tmp:exec"]') }],
      ['with --tmpfs /tmp/ (trailing slash)', { [DC]: withFeature(',\n  "runArgs": ["--tmpfs", "/tmp/"]') }],
      ['with --mount type=tmpfs,destination=/tmp', { [DC]: withFeature(',\n  "runArgs": ["--mount", "type=tmpfs,destination=/tmp"]') }],
      ['with --mount=type=bind,src=/tmp,dst=/tmp', { [DC]: withFeature(',\n  "runArgs": ["--mount=type=bind,src=/tmp,dst=/tmp"]') }],
      ['with -v /tmp:/tmp', { [DC]: withFeature(',\n  "runArgs": ["-v", "/tmp:/tmp"]') }],
      ['with -v cache:/tmp:rw', { [DC]: withFeature(',\n  "runArgs": ["-v", "cache:/tmp:rw"]') }],
      ['with -v /tmp (an anonymous volume)', { [DC]: withFeature(',\n  "runArgs": ["-v", "/tmp"]') }],
      ['with --volume=/tmp:/tmp:z', { [DC]: withFeature(',\n  "runArgs": ["--volume=/tmp:/tmp:z"]') }],
      ['with -v/x:/tmp (shorthand value attached)', { [DC]: withFeature(',\n  "runArgs": ["-v/x:/tmp"]') }],
      ['with -itv x:/tmp (combined shorthands)', { [DC]: withFeature(',\n  "runArgs": ["-itv", "x:/tmp"]') }],
      ['with a string mounts entry', { [DC]: withFeature(',\n  "mounts": ["source=packer-tmp,target=/tmp,type=volume"]') }],
      ['with an object mounts entry', { [DC]: withFeature(',\n  "mounts": [{ "source": "/tmp", "target": "/tmp", "type": "bind" }]') }],
      ['with a mount whose target comes from a variable', { [DC]: withFeature(',\n  "mounts": ["source=x,target=${localEnv:TMP_TARGET},type=volume"]') }],
      ['with a runArgs item from a variable', { [DC]: withFeature(',\n  "runArgs": ["${localEnv:EXTRA_RUN_ARGS}"]') }],
      ['with --volumes-from', { [DC]: withFeature(',\n  "runArgs": ["--volumes-from", "tools"]') }],
      ['when the control path is placed under /dev/shm', { [DC]: withFeature(',\n  "containerEnv": { "ANSIBLE_SSH_CONTROL_PATH": "/dev/shm/cp-%%h-%%p-%%r" }') }],
      ['when the control path dir is another mount', { [DC]: withFeature(',\n  "runArgs": ["-v", "sockets:/sockets"],\n  "remoteEnv": { "ANSIBLE_SSH_CONTROL_PATH_DIR": "/sockets/cp" }') }],
      ['without evidence of Packer or Ansible', { [DC]: '{ "image": "mcr.microsoft.com/devcontainers/python:3", "name": "Packer docs site", "postCreateCommand": "pip install -r requirements.txt" }' }],
      ['when only initializeCommand (run on the host) mentions packer', { [DC]: '{ "image": "debian", "initializeCommand": "packer version" }' }],
      ['when the Dockerfile mentions packer only in a comment', { [DC]: '{ "build": { "dockerfile": "Dockerfile" } }', [DOCKERFILE]: 'FROM debian\n# TODO: packer\n' }],
      ['when the Dockerfile cannot be read', { [DC]: '{ "build": { "dockerfile": "Dockerfile" } }' }],
      ['when "packers" is only part of a word', { [DC]: '{ "image": "acme/meatpackers:1" }' }],
      ['without any container source', { [DC]: '{ "features": { "ghcr.io/devcontainers-extra/features/ansible:2": {} } }' }],
      ['on a syntax error', { [DC]: withFeature().replace('"features"', '"features" "x"') }],
      ['on a compose service with tmpfs: /tmp', { [DC]: '{ "dockerComposeFile": "c.yml", "service": "dev" }', '/ws/.devcontainer/c.yml': 'services:\n  dev:\n    image: hashicorp/packer\n    tmpfs:\n      - /tmp:exec\n' }],
      ['on a compose service with a /tmp volume (long syntax)', { [DC]: '{ "dockerComposeFile": "c.yml", "service": "dev" }', '/ws/.devcontainer/c.yml': 'services:\n  dev:\n    image: hashicorp/packer\n    volumes:\n      - type: tmpfs\n        target: /tmp\n' }],
      ['on a compose service with mounts in devcontainer.json', { [DC]: '{ "dockerComposeFile": "c.yml", "service": "dev", "mounts": ["type=volume,target=/tmp"] }', '/ws/.devcontainer/c.yml': 'services:\n  dev:\n    image: hashicorp/packer\n' }],
      ['on a compose service that extends another', { [DC]: '{ "dockerComposeFile": "c.yml", "service": "dev" }', '/ws/.devcontainer/c.yml': 'services:\n  dev:\n    image: hashicorp/packer\n    extends: { file: base.yml, service: tools }\n' }],
      ['on a compose file that cannot be read', { [DC]: '{ "dockerComposeFile": "missing.yml", "service": "dev", "features": { "x/packer:1": {} } }' }],
      ['on a compose file that does not parse', { [DC]: '{ "dockerComposeFile": "c.yml", "service": "dev" }', '/ws/.devcontainer/c.yml': 'services:\n  dev:\n    image: hashicorp/packer\n   bad: [\n' }],
      ['on a compose service that is not in the files', { [DC]: '{ "dockerComposeFile": "c.yml", "service": "other", "features": { "x/packer:1": {} } }', '/ws/.devcontainer/c.yml': 'services:\n  dev:\n    image: hashicorp/packer\n' }],
      ['on a compose volume with a variable', { [DC]: '{ "dockerComposeFile": "c.yml", "service": "dev" }', '/ws/.devcontainer/c.yml': 'services:\n  dev:\n    image: hashicorp/packer\n    volumes:\n      - ${TMP_VOLUME}\n' }],
      ['for a devcontainer.json outside .devcontainer/', { '/ws/devcontainer.json': withFeature() }],
    ];
    for (const [why, files] of silent) {
      it(why, () => assert.deepEqual(fire(files, Object.keys(files)[0]), []));
    }
    it('when the rule is off', () => {
      assert.deepEqual(containerFindings({ [DC]: withFeature() }, DC, RULE, { rules: { [RULE]: 'off' } }), []);
    });
  });

  describe('one argument holding a flag and its value', () => {
    it('is an error at that item, whose fix splits it', () => {
      const files = { [DC]: withFeature(',\n  "runArgs": ["--init", "--tmpfs /tmp:exec"]') };
      const [f] = fullFindings(files, DC, RULE);
      assert.equal(f.severity, 'error');
      assert.match(f.message, /unknown flag: --tmpfs \/tmp:exec/);
      assert.deepEqual(containerFindings(files, DC, RULE), [[RULE, '"--tmpfs /tmp:exec"']]);
      assert.equal(fix(files), withFeature(',\n  "runArgs": ["--init", "--tmpfs", "/tmp:exec"]'));
    });
    it('takes the severity the user set', () => {
      const [f] = fullFindings({ [DC]: withFeature(',\n  "runArgs": ["-v /tmp:/tmp"]') }, DC, RULE, { rules: { [RULE]: 'info' } });
      assert.equal(f.severity, 'info');
    });
  });

  describe('quick fix', () => {
    it('adds runArgs after the last property, keeping comments and the indentation', () => {
      const text = '// Packer toolbox\n{\n\t"name": "tools",\n\t"image": "hashicorp/packer:1.11" // pinned\n}\n';
      assert.equal(fix({ [DC]: text }), '// Packer toolbox\n{\n\t"name": "tools",\n\t"image": "hashicorp/packer:1.11", // pinned\n\t"runArgs": ["--tmpfs", "/tmp:rw,exec,mode=1777"]\n}\n');
    });
    it('keeps a trailing comma style', () => {
      const text = '{\n    "image": "hashicorp/packer",\n    "features": {},\n}\n';
      assert.equal(fix({ [DC]: text }), '{\n    "image": "hashicorp/packer",\n    "features": {},\n    "runArgs": ["--tmpfs", "/tmp:rw,exec,mode=1777"],\n}\n');
    });
    it('keeps CRLF line endings', () => {
      const text = '{\r\n  "image": "hashicorp/packer"\r\n}\r\n';
      assert.equal(fix({ [DC]: text }), '{\r\n  "image": "hashicorp/packer",\r\n  "runArgs": ["--tmpfs", "/tmp:rw,exec,mode=1777"]\r\n}\r\n');
    });
    it('appends to a one-line runArgs inline', () => {
      const text = '{ "image": "hashicorp/packer", "runArgs": ["--init"] }';
      assert.equal(fix({ [DC]: text }), '{ "image": "hashicorp/packer", "runArgs": ["--init", "--tmpfs", "/tmp:rw,exec,mode=1777"] }');
    });
    it('appends to an empty runArgs', () => {
      assert.equal(fix({ [DC]: '{ "image": "hashicorp/packer", "runArgs": [] }' }), '{ "image": "hashicorp/packer", "runArgs": ["--tmpfs", "/tmp:rw,exec,mode=1777"] }');
    });
    it('appends to a multi-line runArgs, the last item keeping its comment', () => {
      const text = '{\n\t"image": "hashicorp/packer",\n\t"runArgs": [\n\t\t"--cap-add=SYS_PTRACE", // for dlv\n\t\t"--init"\n\t]\n}';
      assert.equal(fix({ [DC]: text }), '{\n\t"image": "hashicorp/packer",\n\t"runArgs": [\n\t\t"--cap-add=SYS_PTRACE", // for dlv\n\t\t"--init",\n\t\t"--tmpfs",\n\t\t"/tmp:rw,exec,mode=1777"\n\t]\n}');
    });
    it('appends after a trailing comma and its comment', () => {
      const text = '{\n  "image": "hashicorp/packer",\n  "runArgs": [\n    "--init", // tini\n  ],\n}';
      assert.equal(fix({ [DC]: text }), '{\n  "image": "hashicorp/packer",\n  "runArgs": [\n    "--init", // tini\n    "--tmpfs",\n    "/tmp:rw,exec,mode=1777",\n  ],\n}');
    });
    it('appends to a multi-line empty runArgs that holds a comment, after it', () => {
      const text = '{\n  "image": "hashicorp/packer",\n  "runArgs": [\n    // "--privileged"\n  ]\n}';
      assert.equal(fix({ [DC]: text }), '{\n  "image": "hashicorp/packer",\n  "runArgs": [\n    // "--privileged"\n    "--tmpfs",\n    "/tmp:rw,exec,mode=1777"\n  ]\n}');
    });
    it('moves a closing bracket written on the last item\'s line to a line of its own', () => {
      const text = '{\n  "image": "hashicorp/packer",\n  "runArgs": [\n    "--init"]\n}';
      assert.equal(fix({ [DC]: text }), '{\n  "image": "hashicorp/packer",\n  "runArgs": [\n    "--init",\n    "--tmpfs",\n    "/tmp:rw,exec,mode=1777"\n  ]\n}');
    });
    it('keeps a block comment and non-ASCII text around the edit', () => {
      const text = '{\n  "name": "Pâckér 🚀",\n  "image": "hashicorp/packer" /* pinned */\n}';
      assert.equal(fix({ [DC]: text }), '{\n  "name": "Pâckér 🚀",\n  "image": "hashicorp/packer", /* pinned */\n  "runArgs": ["--tmpfs", "/tmp:rw,exec,mode=1777"]\n}');
    });
    it('is not offered when runArgs is not an array', () => {
      const [f] = fullFindings({ [DC]: '{ "image": "hashicorp/packer", "runArgs": "--init" }' }, DC, RULE);
      assert.deepEqual(f.fixes, []);
    });
  });
});
