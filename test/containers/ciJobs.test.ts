// The CI jobs "Packer: Add CI Bake Job" writes, run as their CI would run the
// bake container, with stand-ins: GitHub Actions, Jenkins and GitLab cannot run
// here, so the real `docker` CLI (on Podman's Docker API) starts the bake test
// image with the container options, environment and script taken from each
// generated file, the way the runner passes them (options split like a shell,
// before the image; GitLab's docker executor adds no mounts). A real Packer +
// Ansible build then shows where the control socket goes and what it sits on.
// Skips outside CI when a tool is missing; under CI=true it must run.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { split } from 'shlex';
import { parse } from 'yaml';
import { githubWorkflow, gitlabCi, jenkinsfile, type CiOptions } from '../../client/src/commands/ciJobFiles';
import { statements, tokenize, type Statement } from '../../server/src/analysis/containers/groovy';
import { requireThat, requireTool } from '../support/requireTool';
import { ensureTestImage, startPodmanService, type PodmanService } from '../bake/podman';
import { BASELINE_EXTRA_ARGUMENTS } from '../tools/packer';
import { startSshd, sshdPath, type Sshd } from '../tools/sshd';

const TAG = randomBytes(3).toString('hex');

/** How a CI system would start the bake container: run options, environment, working directory and script. */
interface JobContainer {
  options: string[];
  env: Record<string, string>;
  workdir: string;
  script: string;
}

const PLAY = `- hosts: all
  gather_facts: false
  tasks:
    - ping:
    - name: where the control socket is, and what /tmp and /dev/shm are
      delegate_to: localhost
      connection: local
      shell: |
        find /tmp /dev/shm /root/.ansible -type s 2>/dev/null | sed 's/^/SOCKET /'
        grep -E ' /(tmp|dev/shm) ' /proc/mounts | sed 's/^/MOUNT /'
      register: inside
    - debug:
        var: inside.stdout_lines
`;

function github(o: CiOptions): JobContainer {
  const job = parse(githubWorkflow(o)).jobs.bake;
  const env = Object.fromEntries(Object.entries(job.env as Record<string, string>).filter(([, v]) => !v.includes('${{')));
  const step = job.steps.find((s: { name?: string }) => s.name === 'Bake');
  return { options: split(job.container.options), env, workdir: step['working-directory'] ?? '.', script: step.run };
}

function jenkins(o: CiOptions): JobContainer {
  const top = statements(tokenize(jenkinsfile(o))!)!;
  const find = (list: Statement[], pred: (s: Statement) => boolean): Statement | undefined => {
    for (const s of list) {
      if (pred(s)) return s;
      const inner = s.block && find(s.block.statements, pred);
      if (inner) return inner;
    }
    return undefined;
  };
  const stage = find(top, (s) => s.head[0]?.text === 'stage' && s.head.some((t) => t.value === 'Packer bake'))!;
  const args = find(stage.block!.statements, (s) => s.head[0]?.text === 'args')!.head[1].value!;
  const env = Object.fromEntries(find(stage.block!.statements, (s) => s.head[0]?.text === 'environment')!.block!.statements.map((s) => [s.head[0].text, s.head[2].value!]));
  const dir = find(stage.block!.statements, (s) => s.head[0]?.text === 'dir');
  const sh = find(stage.block!.statements, (s) => s.head[0]?.text === 'sh')!.head[1].value!;
  return { options: split(args), env, workdir: dir?.head[2].value ?? '.', script: sh };
}

function gitlab(o: CiOptions): JobContainer {
  const job = parse(gitlabCi(o))['packer-bake'];
  return { options: [], env: job.variables, workdir: '.', script: (job.script as string[]).join('\n') };
}

describe('CI bake jobs, their container started as the CI would (docker CLI stand-in)', function () {
  this.timeout(600_000);
  let image: string;
  let service: PodmanService;
  let sshd: Sshd;
  const dirs: string[] = [];

  before(async function () {
    for (const tool of ['docker', 'podman', 'debootstrap']) requireTool(this, tool, 'the bake container runs on Podman');
    requireThat(this, fs.existsSync(sshdPath()), 'sshd is not installed (openssh-server; see test/setup/apt.sh)');
    image = await ensureTestImage();
    service = await startPodmanService();
    sshd = await startSshd();
  });
  after(async () => {
    await sshd?.stop();
    await service?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  /** Runs the job's container on a workspace with a template in images/web, as the CI would; returns the output. */
  function runJob(job: JobContainer): Promise<{ code: number; out: string }> {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), `pb-ci-${TAG}-`));
    dirs.push(ws);
    const web = path.join(ws, 'images', 'web');
    fs.mkdirSync(web, { recursive: true });
    fs.copyFileSync(sshd.userKey, path.join(web, 'key'));
    fs.chmodSync(path.join(web, 'key'), 0o600);
    fs.writeFileSync(path.join(web, 'play.yml'), PLAY);
    fs.writeFileSync(path.join(web, 'web.json'), JSON.stringify({
      builders: [{ type: 'null', name: 'web', communicator: 'ssh', ssh_host: '127.0.0.1', ssh_port: sshd.port, ssh_username: sshd.user, ssh_private_key_file: 'key', ssh_timeout: '30s' }],
      provisioners: [{ type: 'ansible', playbook_file: 'play.yml', extra_arguments: [...BASELINE_EXTRA_ARGUMENTS] }],
    }));
    const env = Object.entries(job.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const args = ['run', '--rm', '--network', 'host', ...job.options, '-v', `${ws}:/builds/ws`, '-w', path.posix.join('/builds/ws', job.workdir), ...env, image, 'sh', '-ec', job.script];
    return new Promise((resolve) => {
      execFile('docker', args, { env: { ...process.env, DOCKER_HOST: service.dockerHost }, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` });
      });
    });
  }

  // A legacy JSON template in images/web: the jobs cd there and build it (Packer 1.6.6 has no init).
  const options: CiOptions = { image: 'unused', version: '0.1.0', bake: { dir: 'images/web', target: 'web.json', only: ['web'], varFiles: [], init: false } };
  const cases: [string, (o: CiOptions) => JobContainer, RegExp, RegExp][] = [
    ['GitHub Actions (container.options)', github, /"SOCKET \/tmp\/ansible-ssh-127\.0\.0\.1-\d+-root"/, /"MOUNT tmpfs \/tmp tmpfs rw,(?![^"]*noexec)/],
    ['Jenkins (docker agent args)', jenkins, /"SOCKET \/tmp\/ansible-ssh-127\.0\.0\.1-\d+-root"/, /"MOUNT tmpfs \/tmp tmpfs rw,(?![^"]*noexec)/],
    ['GitLab CI (no mounts; control path on /dev/shm)', gitlab, /"SOCKET \/dev\/shm\/ansible-ssh-127\.0\.0\.1-\d+-root"/, /"MOUNT shm \/dev\/shm tmpfs /],
  ];
  for (const [name, job, socket, mount] of cases) {
    it(`${name}: the build succeeds with the socket on a tmpfs`, async () => {
      const j = job(options);
      const r = await runJob(j);
      const out = r.out.replace(/%!\(PACKER_COMMA\)/g, ',');
      assert.equal(r.code, 0, out.slice(-4000));
      assert.match(out, socket);
      assert.match(out, mount);
    });
  }
  it('without the options, /tmp in the same container is not a mount', async () => {
    const r = await runJob({ options: [], env: {}, workdir: '.', script: 'grep -c " /tmp " /proc/mounts || true; stat -f -c %T /tmp' });
    assert.match(r.out, /^0\n(?!tmpfs)\S+\n$/);
  });
});
