/**
 * The language server on repositories built to hurt it (issue #9): stale
 * cached reads that made each Fix All corrupt a file further, edits outside
 * the workspace, fixes offered against text that moved on, unbounded reads.
 * Each case here failed before the hardening.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ApplyWorkspaceEditRequest, type CodeAction, type Diagnostic, type TextDocumentEdit } from 'vscode-languageserver-protocol';
import { FixAllRequest } from '../../server/src/shared/protocol';
import { legacy, hcl } from '../support/templates';
import { TestClient, fileUri } from './lspClient';
import { LEGACY_MISSING } from './templates';

const codes = (d: Diagnostic[] | undefined) => d?.map((x) => x.code);
const UNESCAPED_CFG = '[ssh_connection]\ncontrol_path = /tmp/a-%h\n';
const FIXED_CFG = '[ssh_connection]\ncontrol_path = /tmp/a-%%h\n';
const withConfig = (cfg: string) => legacy({ ansible_env_vars: [`ANSIBLE_CONFIG=${cfg}`] });

describe('hostile workspaces (server)', () => {
  let c: TestClient;
  afterEach(async () => c?.stop());

  describe('no edit from stale text', () => {
    it('Fix All twice on an ansible.cfg no watcher covers (cfg/prod.cfg) doubles the % signs once: %h -> %%h, never %%hh', async () => {
      c = await TestClient.start({ files: { 't.json': withConfig('cfg/prod.cfg'), 'cfg/prod.cfg': UNESCAPED_CFG } });
      await c.ready;
      assert.deepStrictEqual(codes(c.diagnostics(c.uri('cfg/prod.cfg'))), ['control-path-unescaped-percent']);
      assert.ok(!c.watches(c.path('cfg/prod.cfg')) || c.watchers.some((w) => typeof w.globPattern !== 'string'), 'not covered by the static patterns');
      const first = await c.connection.sendRequest(FixAllRequest.type, {});
      assert.equal(first.applied, 1);
      assert.equal(fs.readFileSync(c.path('cfg/prod.cfg'), 'utf8'), FIXED_CFG);
      const second = await c.connection.sendRequest(FixAllRequest.type, {});
      assert.equal(second.applied, 0);
      assert.equal(fs.readFileSync(c.path('cfg/prod.cfg'), 'utf8'), FIXED_CFG);
    });

    it('an ansible.cfg changed on disk behind the server (lines inserted above) is fixed where its text is now, not at the old offsets', async () => {
      c = await TestClient.start({ files: { 't.json': withConfig('cfg/prod.cfg'), 'cfg/prod.cfg': UNESCAPED_CFG } });
      await c.ready;
      assert.deepStrictEqual(codes(c.diagnostics(c.uri('cfg/prod.cfg'))), ['control-path-unescaped-percent']);
      // Written without telling the server, as a tool outside VS Code would, or a file no watcher covers.
      const moved = `[defaults]\nforks = 5\n\n${UNESCAPED_CFG}`;
      fs.writeFileSync(c.path('cfg/prod.cfg'), moved);
      const r = await c.connection.sendRequest(FixAllRequest.type, {});
      assert.equal(r.applied, 1);
      assert.equal(fs.readFileSync(c.path('cfg/prod.cfg'), 'utf8'), `[defaults]\nforks = 5\n\n${FIXED_CFG}`);
    });

    it('a quick fix for an ansible.cfg changed behind the server edits its current text', async () => {
      c = await TestClient.start({ files: { 't.json': withConfig('cfg/prod.cfg'), 'cfg/prod.cfg': UNESCAPED_CFG } });
      await c.ready;
      const [d] = c.diagnostics(c.uri('cfg/prod.cfg'))!;
      fs.writeFileSync(c.path('cfg/prod.cfg'), `# moved\n${UNESCAPED_CFG}`);
      const actions = await c.codeActions(c.uri('cfg/prod.cfg'), [d]);
      for (const a of actions) assert.equal(c.applyEdit(a.edit!), undefined);
      const text = fs.readFileSync(c.path('cfg/prod.cfg'), 'utf8');
      assert.ok(text === `# moved\n${UNESCAPED_CFG}` || text === `# moved\n${FIXED_CFG}`, JSON.stringify(text));
    });

    it('watches the files an analysis read that the static patterns miss', async () => {
      c = await TestClient.start({ files: { 't.json': withConfig('cfg/prod.cfg'), 'cfg/prod.cfg': UNESCAPED_CFG } });
      await c.ready;
      await c.whenWatched(c.path('cfg/prod.cfg'));
      const cleared = c.nextDiagnostics(c.uri('cfg/prod.cfg'), (d) => d.length === 0);
      await c.writeFile('cfg/prod.cfg', FIXED_CFG);
      assert.deepStrictEqual(await cleared, []);
    });

    it('Fix All says which files it left alone when the editor refused its edit (the user typed meanwhile)', async () => {
      c = await TestClient.start({ files: { 't.json': LEGACY_MISSING } });
      await c.ready;
      await c.open('t.json');
      // The user types while the fixes are computed: the document is at a newer version when the edit arrives.
      c.connection.onRequest(ApplyWorkspaceEditRequest.type, async (p) => {
        await c.change('t.json', `${LEGACY_MISSING}\n`);
        const failureReason = c.applyEdit(p.edit);
        return failureReason ? { applied: false, failureReason } : { applied: true };
      });
      const r = await c.connection.sendRequest(FixAllRequest.type, {});
      assert.equal(r.applied, 0);
      assert.deepEqual(r.withheld?.map((w) => [w.uri, w.rule]), [[c.uri('t.json'), 'control-path-missing']]);
      assert.match(r.withheld![0].reason, /^the editor did not apply the edit \(.* is at version 2, not 1\); run Fix All again$/);
      assert.equal(c.document('t.json')!.getText(), `${LEGACY_MISSING}\n`);
    });

    it('quick fixes name the document version they were computed for (documentChanges); the client refuses them once it moved on', async () => {
      c = await TestClient.start({ files: { 't.json': LEGACY_MISSING } });
      const [d] = await c.open('t.json');
      const [preferred] = await c.codeActions('t.json', [d]);
      const edit = preferred.edit!.documentChanges![0] as TextDocumentEdit;
      assert.deepStrictEqual(edit.textDocument, { uri: c.uri('t.json'), version: 1 });
      await c.change('t.json', `${LEGACY_MISSING}\n`);
      assert.match(c.applyEdit(preferred.edit!)!, /is at version 2, not 1/);
      assert.equal(c.document('t.json')!.getText(), `${LEGACY_MISSING}\n`);
    });
  });

  describe('no edit outside the workspace folders', () => {
    const outsideCases: [string, (root: string) => void][] = [
      ['an ANSIBLE_CONFIG with ../', (root) => fs.writeFileSync(path.join(root, 'ws', 't.json'), withConfig('../outside/ansible.cfg'))],
      ['an absolute ANSIBLE_CONFIG', (root) => fs.writeFileSync(path.join(root, 'ws', 't.json'), withConfig(path.join(root, 'outside', 'ansible.cfg')))],
      ['a committed symlink ansible.cfg', (root) => {
        fs.writeFileSync(path.join(root, 'ws', 't.json'), legacy());
        fs.symlinkSync(path.join(root, 'outside', 'ansible.cfg'), path.join(root, 'ws', 'ansible.cfg'));
      }],
    ];
    for (const [name, setup] of outsideCases) {
      it(`Fix All and quick fixes leave a file outside alone (${name}), and say why`, async () => {
        c = await TestClient.start({ files: { 'outside/ansible.cfg': UNESCAPED_CFG, 'ws/keep.json': '{}' }, folders: ['ws'] });
        setup(c.root);
        await c.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: c.uri('ws/t.json'), type: 1 }] });
        const outsideUri = fileUri(fs.realpathSync(c.path('outside/ansible.cfg')));
        const published = await c.diagnosticsWhere(name.includes('symlink') ? c.uri('ws/ansible.cfg') : outsideUri, (d) => d.length === 1);
        assert.deepStrictEqual(codes(published), ['control-path-unescaped-percent']);
        assert.match(published[0].relatedInformation?.[0]?.message ?? '', /^Quick fix withheld: (it is outside the workspace folders|a symbolic link \(.*\) leads outside the workspace folders)\.$/);
        const actions: CodeAction[] = await c.codeActions(name.includes('symlink') ? c.uri('ws/ansible.cfg') : outsideUri, published);
        assert.ok(actions.length > 0 && actions.every((a) => a.disabled && !a.edit), JSON.stringify(actions));
        const r = await c.connection.sendRequest(FixAllRequest.type, {});
        assert.equal(r.applied, 0);
        assert.deepStrictEqual(r.withheld?.map((w) => w.rule), ['control-path-unescaped-percent']);
        assert.match(r.withheld![0].reason, /outside the workspace folders/);
        assert.equal(fs.readFileSync(c.path('outside/ansible.cfg'), 'utf8'), UNESCAPED_CFG);
        assert.deepStrictEqual(c.appliedEdits, []);
      });
    }

    it('fixes a document open in the editor but not on disk yet (`code new.json`), inside the folder', async () => {
      c = await TestClient.start({ files: { 'keep.json': '{}' } });
      await c.ready;
      await c.open('new/t.json', LEGACY_MISSING);
      const r = await c.connection.sendRequest(FixAllRequest.type, {});
      assert.deepEqual([r.applied, r.withheld], [1, undefined]);
      assert.match(c.document('new/t.json')!.getText(), /ANSIBLE_SSH_CONTROL_PATH/);
      assert.ok(!fs.existsSync(c.path('new/t.json')), 'nothing written to disk');
    });

    it('does not rewrite a file on disk that is not valid UTF-8 (VS Code would replace its bytes), and says so', async () => {
      const cfg = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from(`\n${UNESCAPED_CFG}`)]);
      c = await TestClient.start({ files: { 't.json': withConfig('ansible.cfg') } });
      fs.writeFileSync(c.path('ansible.cfg'), cfg);
      await c.writeFile('t.json', withConfig('ansible.cfg'));
      await c.diagnosticsWhere(c.uri('ansible.cfg'), (d) => d.length === 1);
      const r = await c.connection.sendRequest(FixAllRequest.type, {});
      assert.deepStrictEqual([r.applied, r.withheld?.map((w) => w.reason)], [0, ['it is not valid UTF-8, and saving it would replace its invalid bytes']]);
      assert.deepStrictEqual(fs.readFileSync(c.path('ansible.cfg')), cfg);
    });
  });

  describe('bounded reads', () => {
    it('an ANSIBLE_CONFIG naming a FIFO or /dev/zero is not read, and the server keeps serving', async () => {
      c = await TestClient.start({ files: { 'a.json': withConfig('/dev/zero'), 'b.json': withConfig('fifo.cfg') } });
      require('node:child_process').spawnSync('mkfifo', [c.path('fifo.cfg')]);
      await c.writeFile('b.json', withConfig('fifo.cfg'));
      await c.ready;
      assert.deepStrictEqual(codes(await c.open('c.json', LEGACY_MISSING)), ['control-path-missing']);
    });

    it('a workspace cannot raise packerBake.maxFileSize above 64 MiB', async () => {
      c = await TestClient.start({ files: { 'big.pkr.hcl': hcl() }, settings: { maxFileSize: 1e12 } });
      await c.ready;
      const fd = fs.openSync(c.path('big.pkr.hcl'), 'r+');
      fs.ftruncateSync(fd, 65 * 1024 * 1024);
      fs.closeSync(fd);
      const skipped = c.nextDiagnostics(c.uri('big.pkr.hcl'));
      await c.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: c.uri('big.pkr.hcl'), type: 2 }] });
      assert.deepStrictEqual((await skipped).map((d) => d.message), ['packer-bake skipped this file: it is larger than 65536 KB (setting packerBake.maxFileSize).']);
    });
  });

  describe('dependants of a keystroke', () => {
    const N = 40;
    const files = () => {
      const f: Record<string, string> = { 'vars.pkr.hcl': 'variable "cp" {\n  default = "ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%%h"\n}\n' };
      for (let i = 0; i < N; i++) f[`t${i}.pkr.hcl`] = hcl('ansible_env_vars = [var.cp]').replace('"x"', `"x${i}"`);
      return f;
    };

    it('changing a variable re-analyses the templates that read it', async () => {
      c = await TestClient.start({ files: files() });
      await c.ready;
      await c.open('vars.pkr.hcl');
      const all = [...Array(N).keys()].map((i) => c.nextDiagnostics(c.uri(`t${i}.pkr.hcl`), (d) => codes(d)!.includes('control-path-unescaped-percent')));
      const doc = c.document('vars.pkr.hcl')!;
      await c.change('vars.pkr.hcl', doc.getText().replace('%%h', '%h'));
      assert.equal((await Promise.all(all)).length, N);
    });
  });
});
