import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-protocol';
import { RULES } from '../../server/src/analysis';
import { DEFAULT_SETTINGS, configurationProperties, normalizeSettings } from '../../server/src/shared/settings';
import { ListTemplatesRequest, ToolchainNotification } from '../../server/src/shared/protocol';
import { TestClient } from './lspClient';
import { HCL_MISSING, LEGACY_MISSING } from './templates';

const codes = (d: Diagnostic[] | undefined) => d?.map((x) => x.code);

/** An ansible.cfg putting the socket directory somewhere only a setting can make safe. */
const CFG_UNSAFE_DIR = '[ssh_connection]\ncontrol_path_dir = /run/ansible-cp\n';

describe('settings', () => {
  describe('normalizeSettings', () => {
    it('gives the defaults for nothing, or for something that is not an object', () => {
      for (const raw of [undefined, null, 42, 'x', [], true]) assert.deepStrictEqual(normalizeSettings(raw), DEFAULT_SETTINGS);
      assert.deepStrictEqual(DEFAULT_SETTINGS, { enable: true, rules: {}, safeDirectories: [], maxFileSize: 5 * 1024 * 1024, trace: { server: 'off' }, toolchain: {}, workingDirectory: '' });
    });

    it('merges per key, and a value of the wrong type falls back to that key default alone', () => {
      assert.deepStrictEqual(
        normalizeSettings({ enable: false, rules: 'none', safeDirectories: ['/run/ssh', 7, 'relative', ' /srv/x '], maxFileSize: -3, trace: { server: 'loud' }, toolchain: { packer: 7, openssh: ' 9.2p1 ', vim: '9' } }),
        { enable: false, rules: {}, safeDirectories: ['/run/ssh', '/srv/x'], maxFileSize: DEFAULT_SETTINGS.maxFileSize, trace: { server: 'off' }, toolchain: { openssh: '9.2p1' }, workingDirectory: '' },
      );
      assert.deepStrictEqual(normalizeSettings({ maxFileSize: 1000.7, trace: { server: 'verbose' } }), { ...DEFAULT_SETTINGS, maxFileSize: 1000, trace: { server: 'verbose' } });
    });

    it('keeps known severities, reads "information" and any case, and drops unknown severities (the rule keeps its default)', () => {
      assert.deepStrictEqual(
        normalizeSettings({ rules: { a: 'off', b: 'Warning', c: 'information', d: 'fatal', e: 3, f: null, g: ' hint ' } }).rules,
        { a: 'off', b: 'warning', c: 'info', g: 'hint' },
      );
    });
  });

  it('package.json contributes exactly the declared settings and the fix-all command', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
    const sections = Array.isArray(pkg.contributes.configuration) ? pkg.contributes.configuration : [pkg.contributes.configuration];
    const ours = sections.find((s: { title?: string }) => s.title === 'Packer Bake');
    assert.ok(ours, 'a "Packer Bake" configuration section');
    const declared = configurationProperties(RULES);
    const contributed = Object.fromEntries(Object.entries(ours.properties).filter(([k]) => k in declared));
    assert.deepStrictEqual(contributed, declared, 'regenerate contributes.configuration from server/src/shared/settings.ts');
    assert.deepStrictEqual(
      pkg.contributes.commands.find((x: { command: string }) => x.command === 'packerBake.fixAllInWorkspace'),
      { command: 'packerBake.fixAllInWorkspace', title: 'Fix All Control-Socket Problems in Workspace', category: 'Packer' },
    );
  });

  describe('over the protocol', () => {
    let c: TestClient;
    afterEach(async () => c?.stop());

    it('a rule set to off loses its diagnostic; a severity override changes it; all documents are revalidated', async () => {
      c = await TestClient.start({ files: { 't.json': LEGACY_MISSING, 'x.pkr.hcl': HCL_MISSING } });
      await c.ready;
      assert.deepStrictEqual(codes(await c.open('t.json')), ['control-path-missing']);
      assert.deepStrictEqual(codes(c.diagnostics(c.uri('x.pkr.hcl'))), ['control-path-missing']);

      const off = c.nextDiagnostics(c.uri('t.json'));
      const offOnDisk = c.nextDiagnostics(c.uri('x.pkr.hcl'));
      await c.configure({ rules: { 'control-path-missing': 'off' } });
      assert.deepStrictEqual(await off, []);
      assert.deepStrictEqual(await offOnDisk, [], 'templates that are not open are revalidated too');

      const hint = c.nextDiagnostics(c.uri('t.json'));
      await c.configure({ rules: { 'control-path-missing': 'hint' } });
      assert.deepStrictEqual((await hint).map((d) => [d.code, d.severity]), [['control-path-missing', DiagnosticSeverity.Hint]]);

      const fallback = c.nextDiagnostics(c.uri('t.json'));
      await c.configure({ rules: { 'control-path-missing': 'catastrophic' } });
      assert.deepStrictEqual((await fallback).map((d) => [d.code, d.severity]), [['control-path-missing', DiagnosticSeverity.Warning]], 'unknown severity: the default');
    });

    it('the toolchain setting, then the versions the bake image reports, turn on the toolchain rules', async () => {
      c = await TestClient.start({ files: { 't.json': LEGACY_MISSING } });
      await c.ready;
      assert.deepStrictEqual(codes(await c.open('t.json')), ['control-path-missing'], 'silent while the versions are unknown');

      const set = c.nextDiagnostics(c.uri('t.json'));
      await c.configure({ toolchain: { openssh: '9.2p1' } });
      assert.deepStrictEqual(codes(await set), ['control-path-missing', 'scp-sftp-mismatch'], 'OpenSSH alone: the scp rule; the provisioner version is still unknown');

      const reported = c.nextDiagnostics(c.uri('t.json'));
      await c.connection.sendNotification(ToolchainNotification.type, { toolchain: { packer: '1.6.6', openssh: '9.2p1' } });
      const withVersions = await reported;
      assert.deepStrictEqual(codes(withVersions), ['control-path-missing', 'proxy-host-key-rejected', 'scp-sftp-mismatch']);
      assert.deepStrictEqual(withVersions.map((d) => (d.data as { toolchain?: unknown }).toolchain), [undefined, { packer: '1.6.6', openssh: '9.2p1' }, { openssh: '9.2p1' }],
        'each toolchain finding says which versions it assumed');

      const newer = c.nextDiagnostics(c.uri('t.json'));
      await c.connection.sendNotification(ToolchainNotification.type, { toolchain: { packer: '1.11.2', ansiblePlugin: '1.1.1', openssh: '8.4p1' } });
      assert.deepStrictEqual(codes(await newer), ['control-path-missing'], 'the image\'s versions win over the setting');
    });

    it('after a bake reports its versions, a template that bakes with them shows no toolchain finding (ssh-rsa allowed in --ssh-extra-args, the transfer multiplexed over ssh)', async () => {
      // The bake tests' working template (test/tools/packer.ts BASELINE_EXTRA_ARGUMENTS), baked for real by
      // test/bake with Packer 1.6.6, ansible-core 2.14 and OpenSSH 9.2p1.
      const baked = JSON.stringify({
        builders: [{ type: 'null', communicator: 'ssh', ssh_host: '127.0.0.1', ssh_username: 'root' }],
        provisioners: [{ type: 'ansible', playbook_file: 'play.yml', extra_arguments: ['--ssh-extra-args', '-o HostKeyAlgorithms=+ssh-rsa -o PubkeyAcceptedKeyTypes=+ssh-rsa', '--scp-extra-args', "'-O'"] }],
      }, null, 2);
      const noMaster = baked.replace('"play.yml",', '"play.yml",\n      "ansible_env_vars": ["ANSIBLE_SSH_ARGS=-o ControlMaster=auto"],');
      c = await TestClient.start({ files: { 'baked.json': baked, 'nomaster.json': noMaster } });
      await c.ready;
      assert.deepStrictEqual(codes(await c.open('baked.json')), ['control-path-missing']);
      assert.deepStrictEqual(codes(await c.open('nomaster.json')), [], 'no socket at all, so no socket finding; the versions are unknown');
      const baking = c.nextDiagnostics(c.uri('baked.json'));
      const other = c.nextDiagnostics(c.uri('nomaster.json'));
      await c.connection.sendNotification(ToolchainNotification.type, { toolchain: { packer: '1.6.6', ansible: '2.14.18', openssh: '9.2p1' } });
      assert.deepStrictEqual(codes(await baking), ['control-path-missing'], 'the build that just passed is not called broken');
      const withoutMaster = await other;
      assert.deepStrictEqual(codes(withoutMaster), ['proxy-host-key-rejected'], 'multiplexing off: scp connects on its own and is refused (docs/facts.md)');
      assert.deepStrictEqual((withoutMaster[0].data as { toolchain?: unknown }).toolchain, { packer: '1.6.6', ansible: '2.14.18', openssh: '9.2p1' });
    });

    it('a configuration notification that changes nothing analyses nothing again', async () => {
      c = await TestClient.start({ files: { 't.json': LEGACY_MISSING, 'x.pkr.hcl': HCL_MISSING } });
      await c.ready;
      const before = c.publishCount(c.uri('x.pkr.hcl'));
      await c.configure({});
      const off = c.nextDiagnostics(c.uri('x.pkr.hcl'));
      await c.configure({ rules: { 'control-path-missing': 'off' } });
      assert.deepStrictEqual(await off, []);
      await c.connection.sendRequest(ListTemplatesRequest.type, {});
      assert.equal(c.publishCount(c.uri('x.pkr.hcl')), before + 1, 'one analysis, for the change that mattered');
    });

    it('enable: false withdraws every diagnostic and offers no fixes', async () => {
      c = await TestClient.start({ files: { 't.json': LEGACY_MISSING } });
      await c.ready;
      const diagnostic = (await c.open('t.json'))[0];
      const gone = c.nextDiagnostics(c.uri('t.json'));
      await c.configure({ enable: false });
      assert.deepStrictEqual(await gone, []);
      assert.deepStrictEqual(await c.codeActions('t.json', [diagnostic]), []);
      assert.deepStrictEqual(await c.codeActions('t.json', [], ['source.fixAll']), []);
      const back = c.nextDiagnostics(c.uri('t.json'));
      await c.configure({ enable: true });
      assert.deepStrictEqual(codes(await back), ['control-path-missing']);
    });

    it('safeDirectories makes a socket directory safe', async () => {
      c = await TestClient.start({ files: { 't.json': LEGACY_MISSING, 'ansible.cfg': CFG_UNSAFE_DIR } });
      await c.ready;
      assert.deepStrictEqual(codes(c.diagnostics(c.uri('ansible.cfg'))), ['control-path-unsafe-dir']);
      const safe = c.nextDiagnostics(c.uri('ansible.cfg'));
      await c.configure({ safeDirectories: ['/run'] });
      assert.deepStrictEqual(await safe, []);
    });

    it('takes pushed settings from didChangeConfiguration when the client cannot be asked', async () => {
      c = await TestClient.start({ files: { 't.json': LEGACY_MISSING }, capabilities: {} });
      await c.ready;
      assert.deepStrictEqual(c.configurationRequests, []);
      assert.deepStrictEqual(codes(c.diagnostics(c.uri('t.json'))), ['control-path-missing']);
      const off = c.nextDiagnostics(c.uri('t.json'));
      await c.connection.sendNotification('workspace/didChangeConfiguration', { settings: { packerBake: { rules: { 'control-path-missing': 'off' } } } });
      assert.deepStrictEqual(await off, []);
    });

    it('survives a client answering configuration requests with garbage', async () => {
      c = await TestClient.start({ files: { 't.json': LEGACY_MISSING }, settings: 'not settings' });
      await c.ready;
      assert.deepStrictEqual(codes(c.diagnostics(c.uri('t.json'))), ['control-path-missing']);
    });
  });
});
