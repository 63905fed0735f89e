// The VS Code side of "Packer: Create Dev Container for Packer" and "Packer:
// Add CI Bake Job" against a stand-in `vscode` module over real temporary
// folders: what is asked, what is written, and that nothing is overwritten.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import type { TemplateSummary } from '../../../server/src/shared/protocol';
import { installVscodeStub, stub, Uri } from '../../support/vscodeCommandsStub';

installVscodeStub();
// Loaded after the stub so its `import * as vscode` gets it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const commands = require('../../../client/src/commands') as typeof import('../../../client/src/commands');

const ROOT = path.resolve(__dirname, '../../..');
const BAKE_PACKER = /^ARG PACKER_VERSION=(\S+)$/m.exec(fs.readFileSync(path.join(ROOT, 'bake/Dockerfile'), 'utf8'))![1]!;
const context = { extensionUri: Uri.file(ROOT), extension: { packageJSON: { version: '0.1.0' } } } as never;
const dirs: string[] = [];

function folder(name = 'ws'): { dir: string; uri: Uri } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pb-cmd-${name}-`));
  dirs.push(dir);
  return { dir, uri: Uri.file(dir) };
}

const kinds = () => stub.calls.map((c) => c.kind);
const messages = (kind: string) => stub.calls.filter((c) => c.kind === kind).map((c) => String(c.args[0]));
const opened = () => stub.calls.filter((c) => c.kind === 'showTextDocument').map((c) => String(c.args[0]));

/** A fake language client that knows these templates. */
function client(templates: Array<Partial<TemplateSummary> & { file: string }>) {
  return {
    sendRequest: async (type: { method: string }) => {
      assert.equal(type.method, 'packerBake/listTemplates');
      return templates.map(({ file, ...t }) => ({
        uri: Uri.file(file).toString(), format: 'hcl', builds: ['amazon-ebs.web'], requiresInit: false,
        workingDirectory: path.dirname(file), workingDirectoryReason: 'the template\'s folder', ...t,
      }));
    },
  } as never;
}

describe('commands: the VS Code side', () => {
  beforeEach(() => stub.reset());
  after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

  describe('Create Dev Container for Packer', () => {
    it('refuses in Restricted Mode, saying why, and writes nothing', async () => {
      const ws = folder();
      stub.folders = [{ uri: ws.uri, name: 'ws', index: 0 }];
      stub.trusted = false;
      await commands.createDevContainer(context);
      assert.deepEqual(messages('error'), [commands.DEVCONTAINER_UNTRUSTED_MESSAGE]);
      assert.match(commands.DEVCONTAINER_UNTRUSTED_MESSAGE, /needs a trusted workspace/);
      assert.deepEqual(fs.readdirSync(ws.dir), []);
    });

    it('writes the Dockerfile (the bundled image\'s Packer) and devcontainer.json, and opens devcontainer.json', async () => {
      const ws = folder();
      stub.folders = [{ uri: ws.uri, name: 'ws', index: 0 }];
      await commands.createDevContainer(context);
      assert.deepEqual(fs.readdirSync(path.join(ws.dir, '.devcontainer')).sort(), ['Dockerfile', 'devcontainer.json']);
      assert.match(fs.readFileSync(path.join(ws.dir, '.devcontainer/Dockerfile'), 'utf8'), new RegExp(`^ARG PACKER_VERSION=${BAKE_PACKER.replace(/\./g, '\\.')}$`, 'm'));
      assert.match(fs.readFileSync(path.join(ws.dir, '.devcontainer/devcontainer.json'), 'utf8'), /"runArgs": \["--tmpfs", "\/tmp:rw,exec,mode=1777"\]/);
      assert.deepEqual(opened(), [Uri.file(path.join(ws.dir, '.devcontainer/devcontainer.json')).toString()]);
      assert.equal(messages('info').length, 1);
    });

    it('never overwrites: a second run changes nothing and offers to open the existing devcontainer.json', async () => {
      const ws = folder();
      stub.folders = [{ uri: ws.uri, name: 'ws', index: 0 }];
      fs.mkdirSync(path.join(ws.dir, '.devcontainer'));
      fs.writeFileSync(path.join(ws.dir, '.devcontainer/devcontainer.json'), '{ "image": "mine" }');
      stub.messageAnswers = ['Open devcontainer.json'];
      await commands.createDevContainer(context);
      assert.deepEqual(fs.readdirSync(path.join(ws.dir, '.devcontainer')), ['devcontainer.json']);
      assert.equal(fs.readFileSync(path.join(ws.dir, '.devcontainer/devcontainer.json'), 'utf8'), '{ "image": "mine" }');
      assert.match(messages('info')[0]!, /already has \.devcontainer\/devcontainer\.json; nothing was written/);
      assert.deepEqual(opened(), [Uri.file(path.join(ws.dir, '.devcontainer/devcontainer.json')).toString()]);
      assert.ok(!kinds().includes('applyEdit'));
    });

    it('asks which folder in a multi-root workspace, and writes nothing when that is dismissed', async () => {
      const a = folder('a');
      const b = folder('b');
      stub.folders = [{ uri: a.uri, name: 'a', index: 0 }, { uri: b.uri, name: 'b', index: 1 }];
      stub.answers = [() => stub.folders[1]];
      await commands.createDevContainer(context);
      assert.ok(fs.existsSync(path.join(b.dir, '.devcontainer/devcontainer.json')));
      assert.deepEqual(fs.readdirSync(a.dir), []);
      stub.calls = [];
      stub.answers = [() => undefined];
      await commands.createDevContainer(context);
      assert.deepEqual(kinds(), ['folderPick']);
      assert.deepEqual(fs.readdirSync(a.dir), []);
    });
  });

  describe('Add CI Bake Job', () => {
    const pick = (label: string) => (items: unknown) => (items as Array<{ label: string }>).find((i) => i.label.endsWith(label));

    it('asks the CI system and the image (one configuration: not asked), writes the job and opens it', async () => {
      const ws = folder();
      stub.folders = [{ uri: ws.uri, name: 'ws', index: 0 }];
      const template = path.join(ws.dir, 'images/web/web.pkr.hcl');
      let input: { value?: string; valueSelection?: [number, number]; validateInput?: (v: string) => string | undefined } = {};
      stub.answers = [pick('GitHub Actions'), (o) => { input = o as typeof input; return 'ghcr.io/acme/packer-bake:0.1.0'; }];
      await commands.addCiBakeJob(context, client([{ file: template, requiresInit: true }]));
      assert.deepEqual(kinds().filter((k) => k === 'quickPick' || k === 'inputBox'), ['quickPick', 'inputBox']);
      // The placeholder is selected for replacing, and refused as it is.
      assert.equal(input.value, 'ghcr.io/OWNER/packer-bake:0.1.0');
      assert.deepEqual(input.valueSelection, [8, 13]);
      assert.match(input.validateInput!(input.value!)!, /lowercase/);
      const file = path.join(ws.dir, '.github/workflows/packer-bake.yml');
      const wf = parse(fs.readFileSync(file, 'utf8')) as { jobs: { bake: { container: unknown; steps: Array<{ name?: string; run?: string; 'working-directory'?: string }> } } };
      assert.deepEqual(wf.jobs.bake.container, { image: 'ghcr.io/acme/packer-bake:0.1.0', options: '--tmpfs /tmp:exec' });
      const bake = wf.jobs.bake.steps.find((s) => s.name === 'Bake')!;
      assert.deepEqual([bake['working-directory'], bake.run!.trim().split('\n')], ['images/web', ['packer init .', 'packer build .']]);
      assert.deepEqual(opened(), [Uri.file(file).toString()]);
      assert.match(messages('info')[0]!, /^Wrote \.github\/workflows\/packer-bake\.yml: .* bakes images\/web in ghcr\.io\/acme\/packer-bake:0\.1\.0/);
    });

    it('takes the image from packerBake.bake.image, and lists the folder\'s configurations when there are several', async () => {
      const ws = folder();
      stub.folders = [{ uri: ws.uri, name: 'ws', index: 0 }];
      stub.settings = { 'packerBake.bake.image': 'registry.example.com/bake:2' };
      let configurations: string[] = [];
      let inputValue = '';
      stub.answers = [pick('GitLab CI'), (items) => { configurations = (items as Array<{ label: string }>).map((i) => i.label); return (items as unknown[])[1]; }, (o) => { inputValue = (o as { value: string }).value; return inputValue; }];
      await commands.addCiBakeJob(context, client([
        { file: path.join(ws.dir, 'a/web.pkr.hcl') },
        { file: path.join(ws.dir, 'b/base.json'), format: 'json', builds: ['base'] },
        { file: path.join(ws.dir, 'c/none.pkr.hcl'), builds: [] },
        { file: path.join(os.tmpdir(), 'elsewhere', 'x.pkr.hcl') },
      ]));
      assert.deepEqual(configurations, ['$(folder) a/', '$(file) b/base.json']);
      assert.equal(inputValue, 'registry.example.com/bake:2');
      const ci = parse(fs.readFileSync(path.join(ws.dir, '.gitlab-ci.yml'), 'utf8')) as Record<string, { script: string[]; image: { name: string } }>;
      assert.deepEqual(ci['packer-bake']!.script, ['cd b', 'packer build base.json']);
      assert.equal(ci['packer-bake']!.image.name, 'registry.example.com/bake:2');
    });

    it('never overwrites: an existing Jenkinsfile stays as it is; the stages open untitled, with where to paste them', async () => {
      const ws = folder();
      stub.folders = [{ uri: ws.uri, name: 'ws', index: 0 }];
      const mine = "pipeline {\n  agent any\n  stages {\n    stage('Test') { steps { sh 'make' } }\n  }\n}\n";
      fs.writeFileSync(path.join(ws.dir, 'Jenkinsfile'), mine);
      stub.answers = [pick('Jenkins'), () => 'ghcr.io/acme/packer-bake:0.1.0'];
      stub.messageAnswers = ['Open Jenkinsfile'];
      await commands.addCiBakeJob(context, client([{ file: path.join(ws.dir, 'web.pkr.hcl') }]));
      assert.equal(fs.readFileSync(path.join(ws.dir, 'Jenkinsfile'), 'utf8'), mine);
      assert.ok(!kinds().includes('applyEdit'), 'nothing is written');
      assert.equal(stub.untitled.length, 1);
      assert.equal(stub.untitled[0]!.language, 'groovy');
      assert.match(stub.untitled[0]!.content!, /^ {4}stage\('Packer bake'\) \{$/m);
      assert.match(stub.untitled[0]!.content!, /args '--tmpfs \/tmp:rw,exec'/);
      assert.match(messages('info')[0]!, /^Jenkinsfile exists: paste these two stages inside its pipeline's stages \{ \.\.\. \} block.* Nothing was changed\.$/);
      assert.deepEqual(opened().slice(-1), [Uri.file(path.join(ws.dir, 'Jenkinsfile')).toString()]);
    });

    it('says so when the folder has no configuration to bake, and stops when a picker is dismissed', async () => {
      const ws = folder();
      stub.folders = [{ uri: ws.uri, name: 'ws', index: 0 }];
      stub.answers = [pick('Jenkins')];
      await commands.addCiBakeJob(context, client([]));
      assert.match(messages('error')[0]!, /^No Packer configuration with a build found in ws/);
      stub.calls = [];
      stub.answers = [() => undefined];
      await commands.addCiBakeJob(context, client([{ file: path.join(ws.dir, 'web.pkr.hcl') }]));
      stub.answers = [pick('Jenkins'), () => undefined];
      await commands.addCiBakeJob(context, client([{ file: path.join(ws.dir, 'web.pkr.hcl') }]));
      assert.deepEqual(fs.readdirSync(ws.dir), []);
      assert.ok(!kinds().includes('applyEdit'));
    });
  });
});
