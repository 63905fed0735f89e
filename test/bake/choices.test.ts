// The command's pure parts: task definitions, var files next to a template,
// preflight findings, and the words for results.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import {
  bakeProof, bakeSetupKey, CONTROL_SOCKET_RULES, controlSocketProblems, preflightMessage, preflightProblems, toolchainConflicts, TOOLCHAIN_RULES,
} from '../../client/src/bake/preflight';
import { progressText, resultMessage, resultRecord } from '../../client/src/bake/report';
import type { BakeResult } from '../../client/src/bake/runner';
import {
  buildTarget, definitionFor, definitionProblem, formatFromName, requestFromDefinition, taskLabel, templatePath,
} from '../../client/src/bake/taskDefinition';
import { configurationOf, groupConfigurations, launchesAwsInstances, type TemplateFile } from '../../client/src/bake/configurations';
import { isJsonVarFile, listVarFiles } from '../../client/src/bake/varFiles';
import { readBounded } from '../../client/src/bake/files';

function diag(code: string, source = 'packer-bake', line = 4): Diagnostic {
  return { range: { start: { line, character: 2 }, end: { line, character: 9 } }, message: `${code} message`, source, code };
}

function result(partial: Partial<BakeResult>): BakeResult {
  return { status: 'succeeded', exitCode: 0, artifacts: [], errors: [], containerName: 'packer-bake-1', warnings: [], ...partial };
}

describe('bake task definitions', () => {
  it('turns a tasks.json definition into a request: an HCL2 file stands for its folder', () => {
    const def = { type: 'packer-bake' as const, template: '${workspaceFolder}/images/base.pkr.hcl', only: ['amazon-ebs.a'], varFiles: ['prod.pkrvars.hcl', '/abs/x.json'], variables: { region: 'eu-west-1' } };
    assert.deepStrictEqual(requestFromDefinition(def, '/ws', { format: 'hcl', requiresInit: true, workingDirectory: '/ws/images' }), {
      target: '/ws/images', mountRoot: '/ws', format: 'hcl', only: ['amazon-ebs.a'],
      varFiles: ['/ws/images/prod.pkrvars.hcl', '/abs/x.json'], variables: { region: 'eu-west-1' }, requiresInit: true,
    });
    assert.equal(templatePath({ template: 'a b/t.json' }, '/w s'), '/w s/a b/t.json');
    assert.equal(templatePath({ template: '/abs/t.json' }, '/ws'), '/abs/t.json');
  });

  it('runs Packer where the analysis says, unless the task says "cwd"', () => {
    const base = { type: 'packer-bake' as const, template: 'packer/web' };
    assert.equal(requestFromDefinition(base, '/ws', { format: 'hcl', requiresInit: false, workingDirectory: '/ws' }).cwd, '/ws');
    assert.equal(requestFromDefinition({ ...base, cwd: 'packer' }, '/ws', { format: 'hcl', requiresInit: false, workingDirectory: '/ws' }).cwd, '/ws/packer');
    assert.equal(requestFromDefinition({ ...base, cwd: '${workspaceFolder}/x' }, '/ws', { format: 'hcl', requiresInit: false }).cwd, '/ws/x');
    assert.equal(requestFromDefinition(base, '/ws', { format: 'hcl', requiresInit: false }).cwd, undefined);
    const legacy = requestFromDefinition({ type: 'packer-bake', template: 'a/t.json', varFiles: ['v.json'] }, '/ws', { format: 'json', requiresInit: true });
    assert.deepStrictEqual(legacy, { target: '/ws/a/t.json', mountRoot: '/ws', format: 'json', only: [], varFiles: ['/ws/a/v.json'], variables: {}, requiresInit: false });
  });

  it('writes the command\'s choices as a user would in tasks.json', () => {
    assert.deepStrictEqual(definitionFor('/ws/images', 'hcl', '/ws', ['null.a'], ['/ws/images/prod.pkrvars.hcl', '/etc/v.json'], '/ws/images'), {
      type: 'packer-bake', template: 'images', only: ['null.a'], varFiles: ['prod.pkrvars.hcl', '/etc/v.json'],
    });
    assert.deepStrictEqual(definitionFor('/ws/packer/web', 'hcl', '/ws', [], [], '/ws'), { type: 'packer-bake', template: 'packer/web', cwd: '.' });
    assert.deepStrictEqual(definitionFor('/ws', 'hcl', '/ws', [], []), { type: 'packer-bake', template: '.' });
    assert.deepStrictEqual(definitionFor('/elsewhere/t.json', 'json', '/ws', [], []), { type: 'packer-bake', template: '/elsewhere/t.json' });
    assert.equal(taskLabel({ template: 'images', only: ['null.a', 'null.b'] }), 'bake images (null.a, null.b)');
  });

  it('rejects malformed definitions with a reason', () => {
    assert.equal(definitionProblem({ type: 'packer-bake', template: 't.json' }), undefined);
    assert.match(definitionProblem({ type: 'packer-bake' })!, /needs "template"/);
    assert.match(definitionProblem({ type: 'packer-bake', template: 't', only: 'a' })!, /"only"/);
    assert.match(definitionProblem({ type: 'packer-bake', template: 't', varFiles: [1] })!, /"varFiles"/);
    assert.match(definitionProblem({ type: 'packer-bake', template: 't', variables: { a: 1 } })!, /"variables"/);
    assert.match(definitionProblem({ type: 'packer-bake', template: 't', cwd: 3 })!, /"cwd"/);
  });

  it('guesses the format from the name: a folder is HCL2', () => {
    assert.deepStrictEqual(['a.pkr.hcl', 'a.pkr.json', 'a.json', 'images/web'].map(formatFromName), ['hcl', 'hcl-json', 'json', 'hcl']);
    assert.deepStrictEqual([buildTarget('/w/a.pkr.hcl', 'hcl'), buildTarget('/w/a.pkr.json', 'hcl-json'), buildTarget('/w/x', 'hcl'), buildTarget('/w/t.json', 'json')],
      ['/w', '/w', '/w/x', '/w/t.json']);
  });
});

describe('bake configurations', () => {
  const t = (file: string, partial: Partial<TemplateFile> = {}): TemplateFile => ({
    file, uri: `file://${file}`, format: file.endsWith('.json') && !file.endsWith('.pkr.json') ? 'json' : 'hcl', builds: [], requiresInit: false,
    workingDirectory: path.dirname(file), workingDirectoryReason: 'the template\'s folder', ...partial,
  });

  it('groups an HCL2 folder\'s files into one configuration with all its builds; legacy templates stay one each', () => {
    const web = t('/ws/web/web.pkr.hcl', { builds: ['amazon-ebs.web'] });
    const vars = t('/ws/web/variables.pkr.hcl');
    const plugins = t('/ws/web/plugins.pkr.hcl', { requiresInit: true });
    const extra = t('/ws/web/more.pkr.json', { format: 'hcl-json', builds: ['null.smoke', 'amazon-ebs.web'] });
    const legacy = t('/ws/web/old.json', { format: 'json', builds: ['web'] });
    const configs = groupConfigurations([web, vars, legacy, plugins, extra]);
    assert.deepStrictEqual(configs, [
      { target: '/ws/web', format: 'hcl', files: [extra, plugins, vars, web], builds: ['amazon-ebs.web', 'null.smoke'], requiresInit: true, workingDirectory: '/ws/web', workingDirectoryReason: 'the template\'s folder' },
      { target: '/ws/web/old.json', format: 'json', files: [legacy], builds: ['web'], requiresInit: false, workingDirectory: '/ws/web', workingDirectoryReason: 'the template\'s folder' },
    ]);
    assert.equal(configurationOf(configs, '/ws/web/variables.pkr.hcl'), configs[0]);
    assert.equal(configurationOf(configs, '/ws/web'), configs[0]);
    assert.equal(configurationOf(configs, '/ws/web/old.json'), configs[1]);
    assert.equal(configurationOf(configs, '/ws/other.pkr.hcl'), undefined);
  });

  it('takes the working directory a file of the folder reports other than the folder itself', () => {
    const [c] = groupConfigurations([
      t('/ws/p/a.pkr.hcl'), t('/ws/p/b.pkr.hcl', { workingDirectory: '/ws', workingDirectoryReason: 'playbook_file "p/site.yml" is relative' }),
    ]);
    assert.deepStrictEqual([c.workingDirectory, c.workingDirectoryReason], ['/ws', 'playbook_file "p/site.yml" is relative']);
  });

  it('knows a bake that launches AWS instances', () => {
    assert.equal(launchesAwsInstances({ format: 'hcl', builds: ['amazon-ebs.web', 'null.x'] }, [], []), true);
    assert.equal(launchesAwsInstances({ format: 'hcl', builds: ['amazon-ebs.web', 'null.x'] }, ['null.x'], []), false);
    assert.equal(launchesAwsInstances({ format: 'json', builds: ['web'] }, [], ['{"builders": [{"type" : "amazon-ebs", "name": "web"}]}']), true);
    assert.equal(launchesAwsInstances({ format: 'json', builds: ['null'] }, [], ['{"builders": [{"type": "null"}]}']), false);
  });
});

describe('bake var files', () => {
  let dir: string;
  let cwd: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-varfiles-'));
    const files: Record<string, string> = {
      'base.pkr.hcl': 'source "null" "a" {}',
      'variables.pkr.hcl': 'variable "region" {}',
      'prod.pkrvars.hcl': 'region = "eu-west-1"',
      'dev.pkrvars.json': '{"region": "us-east-1"}',
      'common.auto.pkrvars.hcl': 'size = 8',
      'legacy-vars.json': '{"region": "us-east-1", "size": 8, "debug": false}',
      'template.json': '{"builders": [{"type": "null"}]}',
      'other.pkr.json': '{"source": {}}',
      'broken.json': '{',
      'big.json': `{"a": "${'x'.repeat(300 * 1024)}"}`,
      'notes.txt': 'x',
      'vars/staging.pkrvars.hcl': 'region = "eu-west-2"',
      'vars/deep/too-deep.pkrvars.hcl': 'region = "x"',
      'node_modules/no.pkrvars.hcl': 'region = "x"',
      '.hidden/no.pkrvars.hcl': 'region = "x"',
    };
    for (const [n, t] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, n)), { recursive: true });
      fs.writeFileSync(path.join(dir, n), t);
    }
    fs.mkdirSync(path.join(dir, 'sub.pkrvars.hcl'));
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-varfiles-cwd-'));
    fs.writeFileSync(path.join(cwd, 'ci.pkrvars.hcl'), 'region = "us-west-2"');
    fs.mkdirSync(path.join(cwd, 'deeper'));
    fs.writeFileSync(path.join(cwd, 'deeper', 'no.pkrvars.hcl'), 'region = "x"');
    // A FIFO named like a var file must neither be listed nor read (reading would block).
    spawnSync('mkfifo', [path.join(dir, 'fifo.json'), path.join(dir, 'fifo.pkrvars.hcl')]);
    fs.symlinkSync('/etc/passwd', path.join(dir, 'link.pkrvars.hcl'));
  });
  after(() => { for (const d of [dir, cwd]) fs.rmSync(d, { recursive: true, force: true }); });

  const rel = (files: string[]) => files.map((f) => (f.startsWith(cwd) ? `<cwd>/${path.relative(cwd, f)}` : path.relative(dir, f)));

  it('lists the var files an HCL2 folder takes: its folder and sub-folders, not the ones Packer loads itself', () => {
    assert.deepStrictEqual(rel(listVarFiles(dir, 'hcl')), ['dev.pkrvars.json', 'legacy-vars.json', 'prod.pkrvars.hcl', 'vars/staging.pkrvars.hcl']);
  });

  it('adds the working directory\'s var files when Packer runs elsewhere', () => {
    assert.deepStrictEqual(rel(listVarFiles(dir, 'hcl', cwd)),
      ['dev.pkrvars.json', 'legacy-vars.json', 'prod.pkrvars.hcl', 'vars/staging.pkrvars.hcl', '<cwd>/ci.pkrvars.hcl']);
  });

  it('lists only JSON var files for a legacy JSON template, never itself', () => {
    assert.deepStrictEqual(rel(listVarFiles(path.join(dir, 'template.json'), 'json')), ['dev.pkrvars.json', 'legacy-vars.json']);
  });

  it('knows a var file from a template', () => {
    assert.equal(isJsonVarFile('{"a": "b", "n": 1}'), true);
    assert.equal(isJsonVarFile('{"builders": []}'), false);
    assert.equal(isJsonVarFile('{}'), false);
    assert.equal(isJsonVarFile('[1]'), false);
  });

  it('reads files by bytes really read, refusing special files and larger ones', () => {
    assert.equal(readBounded(path.join(dir, 'prod.pkrvars.hcl'), 100), 'region = "eu-west-1"');
    assert.equal(readBounded(path.join(dir, 'prod.pkrvars.hcl'), 5), undefined);
    assert.equal(readBounded(path.join(dir, 'fifo.json'), 100), undefined);
    assert.equal(readBounded('/dev/zero', 1000), undefined);
    assert.equal(readBounded(dir, 100), undefined);
  });
});

describe('bake preflight', () => {
  it('keeps only packer-bake control-socket and toolchain findings', () => {
    const all = [diag('control-path-missing'), diag('control-path-too-long'), diag('ansible-env-vars-invalid'), diag('control-path-missing', 'json'), diag('scp-sftp-mismatch')];
    assert.deepStrictEqual(controlSocketProblems(all), [all[0], all[1]]);
    assert.deepStrictEqual(preflightProblems(all, undefined, () => false), { problems: [all[0], all[1], all[4]], answeredByBake: [], otherToolchain: [] });
  });

  it('says how many problems and lists the first five, toolchain findings with the versions they assume', () => {
    const problems = [...Array.from({ length: 6 }, (_, i) => diag('control-path-unsafe-dir', 'packer-bake', i)), diag('scp-sftp-mismatch')];
    problems.unshift({ ...diag('proxy-host-key-rejected', 'packer-bake', 9), data: { toolchain: { packer: '1.6.6', openssh: '9.2p1' } } });
    const m = preflightMessage('web/', problems, { packer: '1.11.2' });
    assert.equal(m.message, 'web/ has 8 Ansible SSH problems that can break the build in a container.');
    assert.deepStrictEqual(m.detail.split('\n'), [
      '• line 10: proxy-host-key-rejected message (proxy-host-key-rejected; assumes Packer 1.6.6, OpenSSH 9.2p1)',
      ...[1, 2, 3, 4].map((l) => `• line ${l}: control-path-unsafe-dir message (control-path-unsafe-dir)`),
      '• … and 3 more',
      '',
      `Bake AMI checks for ${CONTROL_SOCKET_RULES.join(', ')}, and, for the versions that will run the build, proxy-host-key-rejected, scp-sftp-mismatch.`,
    ]);
    assert.match(preflightMessage('t', [diag('scp-sftp-mismatch')], { packer: '1.11.2', ansiblePlugin: '1.1.1', ansible: '2.19.4', openssh: '10.0p2' }).detail,
      /assumes Packer 1\.11\.2, ansible plugin 1\.1\.1, ansible-core 2\.19\.4, OpenSSH 10\.0p2\)\n/);
  });

  it('no longer stops a bake on toolchain findings once the same configuration baked with the same versions', () => {
    const tc = { packer: '1.6.6', openssh: '9.2p1' };
    const texts = ['source "null" "a" {}', 'variable "x" {}'];
    const proofs = [bakeProof(texts, tc)];
    const proven = (t: unknown) => proofs.includes(bakeProof(texts, t as typeof tc));
    // The server's findings carry only the versions their rule reads: a subset of the bake's toolchain.
    const found = [diag('control-path-missing'), diag('scp-sftp-mismatch'), { ...diag('proxy-host-key-rejected'), data: { toolchain: { openssh: '9.2p1' } } }];
    assert.deepStrictEqual(preflightProblems(found, tc, proven), { problems: [found[0]], answeredByBake: [found[1], found[2]], otherToolchain: [] });
    assert.deepStrictEqual(preflightProblems(found, tc, () => false), { problems: found, answeredByBake: [], otherToolchain: [] });
    // Another text, or other versions: no proof.
    assert.notEqual(bakeProof([...texts, ''], tc), proofs[0]);
    assert.notEqual(bakeProof(texts, { ...tc, openssh: '9.3p1' }), proofs[0]);
    assert.equal(bakeProof(texts, { openssh: '9.2p1', packer: '1.6.6' }), proofs[0]);
  });
});

describe('bake preflight and the toolchain that will run', () => {
  const willRun = { packer: '1.16.1', ansible: '2.19.4', openssh: '10.0p2' };

  it('stops only on toolchain findings that hold for the versions of the container that will run', () => {
    const forOld = { ...diag('scp-sftp-mismatch', 'packer-bake', 3), data: { toolchain: { ansible: '2.14.18', openssh: '9.2p1' } } };
    const forThis = { ...diag('proxy-host-key-rejected', 'packer-bake', 5), data: { toolchain: { packer: '1.16.1', openssh: '10.0p2' } } };
    const partly = { ...diag('scp-sftp-mismatch', 'packer-bake', 7), data: { toolchain: { openssh: '10.0p2' } } };
    const socket = diag('control-path-unescaped-percent');
    assert.deepStrictEqual(preflightProblems([socket, forOld, forThis, partly], willRun, () => false),
      { problems: [socket, forThis, partly], answeredByBake: [], otherToolchain: [forOld] });
    // Before the container's first bake its versions are unknown: every finding holds.
    assert.deepStrictEqual(preflightProblems([socket, forOld], undefined, () => false), { problems: [socket, forOld], answeredByBake: [], otherToolchain: [] });
  });

  it('names the versions that differ', () => {
    assert.deepStrictEqual(toolchainConflicts({ ansible: '2.14.18', openssh: '10.0p2', packer: '1.6.6' }, { ...willRun, packer: undefined }),
      [['ansible', '2.14.18', '2.19.4']]);
    assert.deepStrictEqual(toolchainConflicts({ openssh: '10.0p2' }, willRun), []);
    assert.deepStrictEqual(toolchainConflicts(undefined, willRun), []);
  });

  it('docs/bake.md lists the rules the preflight stops on, as the modal does', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'bake.md'), 'utf8');
    const section = doc.slice(doc.indexOf('\n## Preflight\n'), doc.indexOf('\n## ', doc.indexOf('\n## Preflight\n') + 1));
    const linked = (text: string) => [...text.matchAll(/\]\(rules\/([a-z-]+)\.md\)/g)].map((m) => m[1]);
    const [socket, toolchain] = section.split('\nToolchain rules');
    assert.deepStrictEqual(linked(socket!), CONTROL_SOCKET_RULES);
    assert.deepStrictEqual(linked(toolchain!.split('\n\n')[0]!), TOOLCHAIN_RULES);
  });

  it('keys the versions by the settings that choose the container and the extension version', () => {
    const s = { container: 'auto', image: '', containerEngine: 'auto', enginePath: '' } as const;
    assert.equal(bakeSetupKey(s, '0.1.0'), bakeSetupKey({ ...s }, '0.1.0'));
    for (const other of [bakeSetupKey({ ...s, image: 'team/packer:1' }, '0.1.0'), bakeSetupKey({ ...s, container: 'devcontainer' }, '0.1.0'), bakeSetupKey(s, '0.2.0')]) {
      assert.notEqual(other, bakeSetupKey(s, '0.1.0'));
    }
  });
});

describe('bake result words', () => {
  it('names each AMI and its region', () => {
    const r = result({ artifacts: [{ target: 'amazon-ebs.a', index: 0, files: [], id: 'x', amis: [{ region: 'us-east-1', ami: 'ami-1' }, { region: 'eu-west-1', ami: 'ami-2' }] }] });
    assert.deepStrictEqual(resultMessage(r, 't.pkr.hcl'), { severity: 'info', text: 'Baked ami-1 in us-east-1, ami-2 in eu-west-1' });
  });

  it('words other outcomes', () => {
    assert.deepStrictEqual(resultMessage(result({ artifacts: [{ target: 'null', index: 0, files: [], id: 'Null', amis: [] }] }), 't.json'),
      { severity: 'info', text: 'Bake of t.json finished: 1 artifact' });
    assert.deepStrictEqual(resultMessage(result({ status: 'failed', exitCode: 1, failure: 'Packer reported errors (above)' }), 't.json'),
      { severity: 'error', text: 'Bake of t.json failed: Packer reported errors (above)' });
    assert.deepStrictEqual(resultMessage(result({ status: 'cancelled', exitCode: 1, cancelMessage: 'Cleanly cancelled builds after being interrupted.' }), 't.json'),
      { severity: 'warning', text: 'Bake of t.json cancelled: Cleanly cancelled builds after being interrupted.' });
    assert.equal(progressText({ phase: 'provisioning', message: 'null: Provisioning with Ansible...' }), 'Provisioning: null: Provisioning with Ansible...');
  });

  it('records a result for the output channel', () => {
    const r = result({
      status: 'failed', exitCode: 1, failure: 'Packer reported errors (above)', image: 'packer-bake:0.1.0', command: 'docker run ...',
      engine: { kind: 'docker', path: '/usr/bin/docker', version: '24.0.7', podmanApi: false },
      errors: [{ message: 'Error: Unsupported argument\n\n  on t.pkr.hcl line 3:\n', locations: [{ file: '/ws/t.pkr.hcl', line: 3 }] }],
    });
    assert.equal(resultRecord(r, '/ws/t.pkr.hcl', new Date(Date.UTC(2024, 0, 2, 3, 4, 5))), [
      '[2024-01-02T03:04:05.000Z] /ws/t.pkr.hcl: failed (exit code 1)',
      '  engine: docker 24.0.7 (/usr/bin/docker)',
      '  image: packer-bake:0.1.0',
      '  command: docker run ...',
      '  error: Error: Unsupported argument /   on t.pkr.hcl line 3:',
      '    at /ws/t.pkr.hcl:3',
      '  failure: Packer reported errors (above)',
    ].join('\n'));
  });
});
