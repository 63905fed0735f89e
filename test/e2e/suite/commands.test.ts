import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import { requireThat } from '../../support/requireTool';
import { answer, click, extension, fileInWorkspace, ruleId, waitFor, waitForActivation, waitForDiagnostics } from './helpers';

const CREATE_DEVCONTAINER = 'packerBake.createDevContainer';
const ADD_CI_BAKE_JOB = 'packerBake.addCiBakeJob';
const IMAGE = 'ghcr.io/acme/packer-bake:1.0.0';
const WEB_PKR_HCL = `packer {
  required_plugins {
    amazon  = { source = "github.com/hashicorp/amazon", version = ">= 1.3.0" }
    ansible = { source = "github.com/hashicorp/ansible", version = ">= 1.1.0" }
  }
}

source "amazon-ebs" "web" {
  region        = var.region
  instance_type = "t3.micro"
  ssh_username  = "admin"
  ami_name      = "ci-e2e-web"
  source_ami    = "ami-0123456789abcdef0"
}

build {
  sources = ["source.amazon-ebs.web"]
  provisioner "ansible" {
    playbook_file = "playbook.yml"
  }
}
`;

async function text(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
  } catch {
    return undefined;
  }
}

const active = () => vscode.window.activeTextEditor?.document.uri.toString();

/** Leaves a command that waits on a notification or a quick pick nobody can answer (no browser), and skips. */
async function abandon(ctx: Mocha.Context, running: Thenable<unknown>, why: string): Promise<never> {
  await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  await vscode.commands.executeCommand('notifications.clearAll');
  await running;
  requireThat(ctx, false, why);
  throw new Error('unreachable');
}

const NO_BROWSER = 'the runner cannot answer pickers or click in the workbench (only the code-server runner, test/e2e/run.mjs, can)';

describe('Packer: Create Dev Container for Packer', () => {
  const json = () => fileInWorkspace('.devcontainer/devcontainer.json');
  const dockerfile = () => fileInWorkspace('.devcontainer/Dockerfile');

  before(() => waitForActivation());
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(fileInWorkspace('.devcontainer'), { recursive: true, useTrash: false }).then(undefined, () => undefined);
  });

  it('writes .devcontainer/Dockerfile and devcontainer.json (tmpfs /tmp, the control path) and opens devcontainer.json', async () => {
    assert.equal(await text(json()), undefined, 'the workspace has no dev container yet');
    await vscode.commands.executeCommand(CREATE_DEVCONTAINER);
    const config = await text(json());
    const docker = await text(dockerfile());
    assert.ok(config && docker, 'both files were written');
    // JSONC: drop the comment lines (none of the values holds "//").
    const parsed = JSON.parse(config.split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n').replace(/\s*\/\/[^"\n]*$/gm, '')) as {
      runArgs: string[]; containerEnv: Record<string, string>; build: { dockerfile: string };
    };
    assert.deepEqual(parsed.runArgs, ['--tmpfs', '/tmp:rw,exec,mode=1777']);
    assert.equal(parsed.containerEnv.ANSIBLE_SSH_CONTROL_PATH, '/tmp/ansible-ssh-%%h-%%p-%%r');
    assert.equal(parsed.build.dockerfile, 'Dockerfile');
    // The same Packer as the bundled bake image.
    const bakeDockerfile = await text(vscode.Uri.joinPath(extension().extensionUri, 'bake', 'Dockerfile'));
    const version = /^ARG PACKER_VERSION=(\S+)$/m.exec(bakeDockerfile ?? '')?.[1];
    assert.ok(version, 'the bundled bake/Dockerfile pins a Packer version');
    assert.match(docker, new RegExp(`^ARG PACKER_VERSION=${version.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(docker, /ansible-core openssh-client python3-boto3/);
    await waitFor('devcontainer.json in the active editor', () => active() === json().toString(), { event: vscode.window.onDidChangeActiveTextEditor });
  });

  it('never overwrites: run again, both files stay as they are, and it offers to open the existing devcontainer.json', async function () {
    const mine = `// mine\n${(await text(json()))!}`;
    await vscode.workspace.fs.writeFile(json(), Buffer.from(mine));
    const dockerBefore = await text(dockerfile());
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const running = vscode.commands.executeCommand(CREATE_DEVCONTAINER);
    const clicked = await click('.notifications-toasts .monaco-button', 'Open devcontainer.json');
    if (clicked === 'unsupported') await abandon(this, running, NO_BROWSER);
    assert.equal(clicked, 'clicked');
    await running;
    assert.equal(await text(json()), mine);
    assert.equal(await text(dockerfile()), dockerBefore);
    await waitFor('the existing devcontainer.json in the active editor', () => active() === json().toString(), { event: vscode.window.onDidChangeActiveTextEditor });
  });
});

describe('Packer: Add CI Bake Job', () => {
  const created: vscode.Uri[] = [];

  before(() => waitForActivation());
  after(async () => {
    // Untitled snippets: closed without saving.
    for (const doc of vscode.workspace.textDocuments.filter((d) => d.isUntitled)) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const uri of created) await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: false }).then(undefined, () => undefined);
    await vscode.workspace.fs.delete(fileInWorkspace('.github'), { recursive: true, useTrash: false }).then(undefined, () => undefined);
  });

  /**
   * Runs the command, answering its three pickers as a user would; `running`
   * is the command (wrapped: an async function returning a thenable would wait for it).
   */
  async function addJob(ctx: Mocha.Context, system: string, configuration: string): Promise<{ running: Thenable<unknown> }> {
    const running = vscode.commands.executeCommand(ADD_CI_BAKE_JOB);
    const first = await answer('Add CI Bake Job (1/3)', system);
    if (first === 'unsupported') await abandon(ctx, running, NO_BROWSER);
    assert.equal(first, 'answered', 'the CI system pick');
    assert.equal(await answer('Add CI Bake Job (2/3)', configuration), 'answered', 'the configuration pick');
    assert.equal(await answer('Add CI Bake Job (3/3)', IMAGE), 'answered', 'the image');
    return { running };
  }

  it('GitHub Actions: writes .github/workflows/packer-bake.yml that lints with SARIF and bakes the picked template in a container with a tmpfs /tmp', async function () {
    const wf = fileInWorkspace('.github/workflows/packer-bake.yml');
    assert.equal(await text(wf), undefined);
    await (await addJob(this, 'GitHub Actions', 'fixed/template.json')).running;
    const written = await text(wf);
    assert.ok(written, 'the workflow was written');
    const doc = parse(written) as { jobs: Record<string, { container?: unknown; steps: { name?: string; run?: string; 'working-directory'?: string }[] }> };
    assert.deepEqual(doc.jobs.bake!.container, { image: IMAGE, options: '--tmpfs /tmp:exec' });
    const lint = doc.jobs.lint!.steps.find((s) => s.name === 'Lint Packer templates')!;
    assert.match(lint.run!, /^npx --yes packer-bake@\S+ lint --format sarif fixed > packer-bake\.sarif$/m);
    const bake = doc.jobs.bake!.steps.find((s) => s.name === 'Bake')!;
    assert.deepEqual([bake['working-directory'], bake.run!.trim()], ['fixed', 'packer build template.json']);
    await waitFor('the workflow in the active editor', () => active() === wf.toString(), { event: vscode.window.onDidChangeActiveTextEditor });
  });

  it('never overwrites: with the workflow there, the job opens as an untitled document and the file is unchanged', async function () {
    const wf = fileInWorkspace('.github/workflows/packer-bake.yml');
    const mine = `# mine\n${(await text(wf))!}`;
    await vscode.workspace.fs.writeFile(wf, Buffer.from(mine));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const { running } = await addJob(this, 'GitHub Actions', 'fixed/template.json');
    const untitled = await waitFor('an untitled document with the workflow', () =>
      vscode.workspace.textDocuments.find((d) => d.isUntitled && d.getText().includes('options: --tmpfs /tmp:exec')), { event: vscode.workspace.onDidOpenTextDocument });
    assert.equal(untitled.languageId, 'yaml');
    assert.equal(await click('.notifications-toasts .monaco-button', 'Open .github/workflows/packer-bake.yml'), 'clicked');
    await running;
    assert.equal(await text(wf), mine);
    await waitFor('the existing workflow in the active editor', () => active() === wf.toString(), { event: vscode.window.onDidChangeActiveTextEditor });
  });

  it('Jenkins and GitLab CI: write a Jenkinsfile with a Docker agent mounting /tmp, and a .gitlab-ci.yml, for an HCL2 folder that needs packer init', async function () {
    // An HCL2 folder of two files, with required_plugins; the server must know it before the command lists configurations.
    const web = fileInWorkspace('ci-e2e/web.pkr.hcl');
    const variables = fileInWorkspace('ci-e2e/variables.pkr.hcl');
    created.push(fileInWorkspace('ci-e2e'));
    await vscode.workspace.fs.writeFile(variables, Buffer.from('variable "region" {\n  type    = string\n  default = "us-east-1"\n}\n'));
    // Its playbook beside it: Packer runs in the folder (without it, the analysis would look for a folder that has one).
    await vscode.workspace.fs.writeFile(fileInWorkspace('ci-e2e/playbook.yml'), Buffer.from('- hosts: all\n  tasks:\n    - ping:\n'));
    await vscode.workspace.fs.writeFile(web, Buffer.from(WEB_PKR_HCL));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(web));
    await waitForDiagnostics(web, (ds) => ds.some((d) => ruleId(d) === 'control-path-missing'), 'the server to have analysed the folder');
    for (const [system, file] of [['Jenkins', 'Jenkinsfile'], ['GitLab CI', '.gitlab-ci.yml']] as const) {
      const uri = fileInWorkspace(file);
      assert.equal(await text(uri), undefined, `no ${file} yet`);
      created.unshift(uri);
      await (await addJob(this, system, 'ci-e2e/')).running;
      const written = await text(uri);
      assert.ok(written, `${file} was written`);
      if (system === 'Jenkins') {
        assert.match(written, /^pipeline \{$/m);
        assert.match(written, /^ {10}args '--tmpfs \/tmp:rw,exec'$/m);
        assert.match(written, /sh 'npx --yes packer-bake@\S+ lint --format sarif ci-e2e > packer-bake\.sarif'/);
        assert.match(written, /dir\('ci-e2e'\) \{\n\s+sh 'packer init \. && packer build \.'/);
      } else {
        const ci = parse(written) as Record<string, { image?: unknown; script: string[] }>;
        assert.deepEqual(ci['packer-bake']!.image, { name: IMAGE, entrypoint: [''] });
        assert.deepEqual(ci['packer-bake']!.script, ['cd ci-e2e', 'packer init .', 'packer build .']);
      }
    }
  });
});
