import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  BakeSetupError, bindMount, buildRunArgs, bundledImageTag, imageBuildArgs, containerName, displayCommand, INIT_THEN_BUILD_SCRIPT, passThroughEnvNames,
  removeArgs, stopArgs, toHostPath, type BakeRequest, type RunArgsInput,
} from '../../client/src/bake/argv';
import { defaultBakeSettings, type BakeSettings } from '../../client/src/bake/settings';

const HOSTILE = ['my ws', `q'uo"te`, '$(touch pwned)', '`id`', 'ünïcødé ✓', 'new\nline', 'semi;colon&amp|pipe', '*glob?'];

function request(partial: Partial<BakeRequest> = {}): BakeRequest {
  return { target: '/ws/images', mountRoot: '/ws', format: 'hcl', only: [], varFiles: [], variables: {}, requiresInit: false, ...partial };
}

function input(partial: Partial<RunArgsInput> = {}, settings: Partial<BakeSettings> = {}): RunArgsInput {
  return {
    request: request(),
    settings: { ...defaultBakeSettings, ...settings },
    image: 'packer-bake:0.1.0',
    containerName: 'packer-bake-x-1',
    env: {},
    homeDir: '/home/u',
    awsDirExists: false,
    ...partial,
  };
}

describe('bake argv', () => {
  it('builds the whole run command for a plain HCL2 template', () => {
    const plan = buildRunArgs(input({
      env: { AWS_ACCESS_KEY_ID: 'AKIAABCDEFGHIJKLMNOP', AWS_SECRET_ACCESS_KEY: 'topsecret', AWS_REGION: 'eu-west-1', HOME: '/home/u' },
      awsDirExists: true,
    }));
    assert.deepStrictEqual(plan.args, [
      'run', '--rm', '--init', '--name', 'packer-bake-x-1', '--label', 'io.packer-bake.bake=1',
      '--tmpfs', '/tmp:rw,exec,mode=1777',
      '-v', '/ws:/workspace',
      '-v', '/home/u/.aws:/root/.aws:ro',
      '-e', 'AWS_CONFIG_FILE=/root/.aws/config', '-e', 'AWS_SHARED_CREDENTIALS_FILE=/root/.aws/credentials',
      '-v', 'packer-bake-plugins:/packer-plugins', '-e', 'PACKER_PLUGIN_PATH=/packer-plugins',
      '-e', 'AWS_ACCESS_KEY_ID', '-e', 'AWS_SECRET_ACCESS_KEY', '-e', 'AWS_REGION',
      '-e', 'ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r',
      '-e', 'CHECKPOINT_DISABLE=1',
      '-w', '/workspace/images',
      'packer-bake:0.1.0',
      'packer', 'build', '-machine-readable', '.',
    ]);
    assert.deepStrictEqual(plan.pathMap, {
      containerCwd: '/workspace/images', hostCwd: '/ws/images',
      mounts: [{ container: '/workspace', host: '/ws' }, { container: '/root/.aws', host: '/home/u/.aws' }],
    });
  });

  it('never puts an environment value on the argv, only names', () => {
    const env = {
      AWS_ACCESS_KEY_ID: 'AKIAABCDEFGHIJKLMNOP', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG', AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEJr',
      AWS_PROFILE: 'prod', AWS_DEFAULT_REGION: 'us-east-1', PKR_VAR_db_password: 'hunter22', UNRELATED: 'unrelated-value',
    };
    const { args } = buildRunArgs(input({ env }));
    for (const value of Object.values(env)) assert.ok(!args.some((a) => a.includes(value)), `value ${value} leaked into argv`);
    assert.deepStrictEqual(passThroughEnvNames(env),
      ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_REGION', 'PKR_VAR_db_password']);
    assert.ok(!args.includes('UNRELATED'));
  });

  it('skips unset and empty AWS variables and ~/.aws when absent', () => {
    const { args } = buildRunArgs(input({ env: { AWS_REGION: '' } }));
    assert.ok(!args.some((a) => a.startsWith('AWS_')));
    assert.ok(!args.some((a) => a.includes('.aws')));
  });

  it('mounts the host /tmp with tmpMount=bind and leaves the control path out when told', () => {
    const { args } = buildRunArgs(input({}, { tmpMount: 'bind', injectControlPath: false }));
    assert.deepStrictEqual(args.slice(7, 9), ['-v', '/tmp:/tmp']);
    assert.ok(!args.includes('--tmpfs'));
    assert.ok(!args.some((a) => a.startsWith('ANSIBLE_SSH_CONTROL_PATH')));
  });

  it('keeps hostile folder and file names as single argv elements, verbatim', () => {
    for (const name of HOSTILE) {
      const root = `/home/u/${name}`;
      const folder = path.join(root, name);
      const plan = buildRunArgs(input({ request: request({ target: folder, mountRoot: root, varFiles: [path.join(folder, `${name}.pkrvars.hcl`)], only: [`null.${name}`], variables: { [name]: name } }) }));
      const { args } = plan;
      assert.ok(args.includes(`${root}:/workspace`), name);
      assert.equal(args[args.indexOf('-w') + 1], `/workspace/${name}`);
      assert.deepStrictEqual(args.slice(args.indexOf('packer') + 1), [
        'build', '-machine-readable', `-only=null.${name}`, `-var-file=${name}.pkrvars.hcl`, '-var', `${name}=${name}`, '.',
      ]);
      assert.equal(toHostPath(plan.pathMap, `${name}.pkr.hcl`), path.join(folder, `${name}.pkr.hcl`));

      const json = path.join(folder, `${name}.json`);
      const legacy = buildRunArgs(input({ request: request({ target: json, format: 'json', mountRoot: root }) }));
      assert.deepStrictEqual(legacy.args.slice(-3), ['build', '-machine-readable', `${name}.json`]);
      assert.equal(toHostPath(legacy.pathMap, `${name}.json`), json);
    }
  });

  it('builds an HCL2 folder from the working directory the analysis inferred, the folder relative to it', () => {
    const plan = buildRunArgs(input({ request: request({ target: '/ws/packer/web', cwd: '/ws', varFiles: ['/ws/packer/web/vars/prod.pkrvars.hcl'], only: ['amazon-ebs.web'] }) }));
    const { args } = plan;
    assert.ok(args.includes('/ws:/workspace'));
    assert.equal(args[args.indexOf('-w') + 1], '/workspace');
    assert.deepStrictEqual(args.slice(args.indexOf('packer') + 1),
      ['build', '-machine-readable', '-only=amazon-ebs.web', '-var-file=packer/web/vars/prod.pkrvars.hcl', 'packer/web']);
    assert.deepStrictEqual(plan.pathMap, { containerCwd: '/workspace', hostCwd: '/ws', mounts: [{ container: '/workspace', host: '/ws' }] });
    assert.equal(toHostPath(plan.pathMap, 'packer/web/web.pkr.hcl'), '/ws/packer/web/web.pkr.hcl');
  });

  it('mounts the deepest folder holding the target and the working directory when the workspace holds neither', () => {
    const plan = buildRunArgs(input({ request: request({ target: '/srv/infra/packer/web', cwd: '/srv/infra', mountRoot: '/ws' }) }));
    assert.ok(plan.args.includes('/srv/infra:/workspace'));
    assert.deepStrictEqual(plan.args.slice(-1), ['packer/web']);
    assert.throws(() => buildRunArgs(input({ request: request({ target: '/srv/web', cwd: '/opt/x', mountRoot: '/ws' }) })),
      (e: Error) => e instanceof BakeSetupError && /share no folder but the filesystem root/.test(e.message));
  });

  it('leaves the plugin volume out when the setting is empty', () => {
    const { args } = buildRunArgs(input({}, { pluginVolume: '' }));
    assert.ok(!args.some((a) => a.includes('packer-plugins')));
  });

  it('uses --mount with CSV quoting for a path with a colon', () => {
    assert.deepStrictEqual(bindMount('/srv/a:b', '/workspace', false), ['--mount', 'type=bind,source=/srv/a:b,target=/workspace']);
    assert.deepStrictEqual(bindMount('/srv/a:b,c"d\ne', '/x', true), ['--mount', 'type=bind,"source=/srv/a:b,c""d\ne",target=/x,readonly']);
    assert.deepStrictEqual(bindMount('C:\\Users\\me\\ws', '/workspace', false), ['-v', 'C:\\Users\\me\\ws:/workspace']);
  });

  it('guards file names that start with a dash', () => {
    const { args } = buildRunArgs(input({ request: request({ target: '/ws/-rf.json', format: 'json', varFiles: ['/ws/-x.json'] }) }));
    assert.deepStrictEqual(args.slice(-4), ['build', '-machine-readable', '-var-file=./-x.json', './-rf.json']);
  });

  it('mounts var files from outside the workspace read-only', () => {
    const plan = buildRunArgs(input({ request: request({ varFiles: ['/ws/images/prod.pkrvars.hcl', '/ws/shared/net.pkrvars.hcl', '/etc/team/v.json'] }) }));
    const { args } = plan;
    assert.ok(args.includes('/etc/team/v.json:/packer-bake/var-files/2/v.json:ro'));
    assert.ok(args.includes('-var-file=prod.pkrvars.hcl'));
    assert.ok(args.includes('-var-file=../shared/net.pkrvars.hcl'));
    assert.ok(args.includes('-var-file=/packer-bake/var-files/2/v.json'));
    assert.equal(toHostPath(plan.pathMap, '/packer-bake/var-files/2/v.json'), '/etc/team/v.json');
  });

  it('mounts the template folder when the template is outside the mount root', () => {
    const plan = buildRunArgs(input({ request: request({ target: '/elsewhere/t.json', format: 'json', mountRoot: '/ws' }) }));
    assert.ok(plan.args.includes('/elsewhere:/workspace'));
    assert.equal(plan.args[plan.args.indexOf('-w') + 1], '/workspace');
  });

  it('runs packer init then the build in one container, inputs as positional parameters', () => {
    const { args } = buildRunArgs(input({ request: request({ requiresInit: true, only: ['amazon-ebs.a', 'amazon-ebs.b'] }) }));
    assert.deepStrictEqual(args.slice(args.indexOf('packer-bake:0.1.0')), [
      'packer-bake:0.1.0', 'sh', '-c', INIT_THEN_BUILD_SCRIPT, 'packer-bake', '.',
      'build', '-machine-readable', '-only=amazon-ebs.a,amazon-ebs.b', '.',
    ]);
    assert.equal(INIT_THEN_BUILD_SCRIPT, 'set -e; packer init "$1"; shift; exec packer "$@"');
  });

  it('the init script hands hostile arguments through unchanged (run by a real sh)', function () {
    const fakeBin = path.join(__dirname, 'fixtures');
    const args = ['packer-bake', HOSTILE[2], 'build', ...HOSTILE];
    // `packer` here is a stub printing its argv, one per NUL-terminated record.
    const r = spawnSync('sh', ['-c', INIT_THEN_BUILD_SCRIPT, ...args], { env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH}` }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const calls = r.stdout.split('\u0001').filter(Boolean).map((c) => c.split('\u0000').filter((_, i, a) => i < a.length - 1));
    assert.deepStrictEqual(calls, [['init', HOSTILE[2]], ['build', ...HOSTILE]]);
  });

  it('puts extra engine arguments before the image', () => {
    const { args } = buildRunArgs(input({}, { extraEngineArgs: ['--network', 'host', '--platform=linux/amd64'] }));
    const i = args.indexOf('packer-bake:0.1.0');
    assert.deepStrictEqual(args.slice(i - 3, i + 1), ['--network', 'host', '--platform=linux/amd64', 'packer-bake:0.1.0']);
  });

  it('builds stop and remove commands', () => {
    assert.deepStrictEqual(stopArgs('packer-bake-a', 90), ['stop', '-t', '90', 'packer-bake-a']);
    assert.deepStrictEqual(removeArgs('packer-bake-a'), ['rm', '-f', 'packer-bake-a']);
  });

  it('makes unique, engine-valid container names', () => {
    const a = containerName(1_700_000_000_000, 'a1b2c3d4e5f6');
    assert.equal(a, 'packer-bake-loyw3v28-a1b2c3d4e5f6');
    assert.match(containerName(Date.now(), 'zz$(x)09'), /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/);
  });

  it('quotes the display command so a POSIX shell would read back the same argv', () => {
    const argv = ['docker', 'run', ...HOSTILE, '', 'plain-arg=1'];
    const r = spawnSync('sh', ['-c', `printf '%s\\0' ${displayCommand(argv)}`], { encoding: 'utf8' });
    assert.deepStrictEqual(r.stdout.split('\u0000').slice(0, -1), argv);
  });

  it('tags the bundled image by extension version, and by its build arguments when they differ', () => {
    assert.equal(bundledImageTag('0.1.0'), 'packer-bake:0.1.0');
    const a = bundledImageTag('0.1.0', { PACKER_VERSION: '1.6.6', BASE_IMAGE: 'x' });
    assert.equal(a, bundledImageTag('0.1.0', { BASE_IMAGE: 'x', PACKER_VERSION: '1.6.6' }));
    assert.match(a, /^packer-bake:0\.1\.0-[0-9a-f]{12}$/);
    assert.notEqual(a, bundledImageTag('0.1.0', { PACKER_VERSION: '1.6.7', BASE_IMAGE: 'x' }));
    assert.deepStrictEqual(imageBuildArgs('t:1', '/x/Dockerfile', '/x', { A: '1', B: 'two words' }),
      ['build', '-t', 't:1', '--build-arg', 'A=1', '--build-arg', 'B=two words', '-f', '/x/Dockerfile', '/x']);
  });
});
