// The command's pure parts: task definitions, var files next to a template,
// preflight findings, and the words for results.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { controlSocketProblems, preflightMessage } from '../../client/src/bake/preflight';
import { progressText, resultMessage, resultRecord } from '../../client/src/bake/report';
import type { BakeResult } from '../../client/src/bake/runner';
import {
  definitionFor, definitionProblem, formatFromName, requestFromDefinition, taskLabel, templatePath,
} from '../../client/src/bake/taskDefinition';
import { isJsonVarFile, listVarFiles } from '../../client/src/bake/varFiles';

function diag(code: string, source = 'packer-bake', line = 4): Diagnostic {
  return { range: { start: { line, character: 2 }, end: { line, character: 9 } }, message: `${code} message`, source, code };
}

function result(partial: Partial<BakeResult>): BakeResult {
  return { status: 'succeeded', exitCode: 0, artifacts: [], errors: [], containerName: 'packer-bake-1', ...partial };
}

describe('bake task definitions', () => {
  it('turns a tasks.json definition into a request', () => {
    const def = { type: 'packer-bake' as const, template: '${workspaceFolder}/images/base.pkr.hcl', only: ['amazon-ebs.a'], varFiles: ['prod.pkrvars.hcl', '/abs/x.json'], variables: { region: 'eu-west-1' } };
    assert.deepStrictEqual(requestFromDefinition(def, '/ws', { format: 'hcl', requiresInit: true }), {
      template: '/ws/images/base.pkr.hcl', mountRoot: '/ws', format: 'hcl', only: ['amazon-ebs.a'],
      varFiles: ['/ws/images/prod.pkrvars.hcl', '/abs/x.json'], variables: { region: 'eu-west-1' }, requiresInit: true,
    });
    assert.equal(templatePath({ template: 'a b/t.json' }, '/w s'), '/w s/a b/t.json');
    assert.equal(templatePath({ template: '/abs/t.json' }, '/ws'), '/abs/t.json');
  });

  it('writes the command\'s choices as a user would in tasks.json', () => {
    assert.deepStrictEqual(definitionFor('/ws/images/base.pkr.hcl', '/ws', ['null.a'], ['/ws/images/prod.pkrvars.hcl', '/etc/v.json']), {
      type: 'packer-bake', template: 'images/base.pkr.hcl', only: ['null.a'], varFiles: ['prod.pkrvars.hcl', '/etc/v.json'],
    });
    assert.deepStrictEqual(definitionFor('/elsewhere/t.json', '/ws', [], []), { type: 'packer-bake', template: '/elsewhere/t.json' });
    assert.equal(taskLabel({ template: 'images/base.pkr.hcl', only: ['null.a', 'null.b'] }), 'bake images/base.pkr.hcl (null.a, null.b)');
  });

  it('rejects malformed definitions with a reason', () => {
    assert.equal(definitionProblem({ type: 'packer-bake', template: 't.json' }), undefined);
    assert.match(definitionProblem({ type: 'packer-bake' })!, /needs "template"/);
    assert.match(definitionProblem({ type: 'packer-bake', template: 't', only: 'a' })!, /"only"/);
    assert.match(definitionProblem({ type: 'packer-bake', template: 't', varFiles: [1] })!, /"varFiles"/);
    assert.match(definitionProblem({ type: 'packer-bake', template: 't', variables: { a: 1 } })!, /"variables"/);
  });

  it('guesses the format from the file name', () => {
    assert.deepStrictEqual(['a.pkr.hcl', 'a.pkr.json', 'a.json'].map(formatFromName), ['hcl', 'hcl-json', 'json']);
  });
});

describe('bake var files', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-varfiles-'));
    const files: Record<string, string> = {
      'base.pkr.hcl': 'source "null" "a" {}',
      'prod.pkrvars.hcl': 'region = "eu-west-1"',
      'dev.pkrvars.json': '{"region": "us-east-1"}',
      'legacy-vars.json': '{"region": "us-east-1", "size": 8, "debug": false}',
      'template.json': '{"builders": [{"type": "null"}]}',
      'other.pkr.json': '{"source": {}}',
      'broken.json': '{',
      'notes.txt': 'x',
    };
    for (const [n, t] of Object.entries(files)) fs.writeFileSync(path.join(dir, n), t);
    fs.mkdirSync(path.join(dir, 'sub.pkrvars.hcl'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists the var files an HCL2 template accepts', () => {
    assert.deepStrictEqual(listVarFiles(path.join(dir, 'base.pkr.hcl'), 'hcl').map((f) => path.basename(f)),
      ['dev.pkrvars.json', 'legacy-vars.json', 'prod.pkrvars.hcl']);
  });

  it('lists only JSON var files for a legacy JSON template, never itself', () => {
    assert.deepStrictEqual(listVarFiles(path.join(dir, 'template.json'), 'json').map((f) => path.basename(f)),
      ['dev.pkrvars.json', 'legacy-vars.json']);
  });

  it('knows a var file from a template', () => {
    assert.equal(isJsonVarFile('{"a": "b", "n": 1}'), true);
    assert.equal(isJsonVarFile('{"builders": []}'), false);
    assert.equal(isJsonVarFile('{}'), false);
    assert.equal(isJsonVarFile('[1]'), false);
  });
});

describe('bake preflight', () => {
  it('keeps only packer-bake control-socket findings', () => {
    const all = [diag('control-path-missing'), diag('control-path-too-long'), diag('ansible-env-vars-invalid'), diag('control-path-missing', 'json'), diag('scp-sftp-mismatch')];
    assert.deepStrictEqual(controlSocketProblems(all), [all[0], all[1], all[4]]);
  });

  it('says how many problems and lists the first five', () => {
    const problems = Array.from({ length: 7 }, (_, i) => diag('control-path-unsafe-dir', 'packer-bake', i));
    const m = preflightMessage('base.pkr.hcl', problems);
    assert.equal(m.message, 'base.pkr.hcl has 7 Ansible SSH problems that can break the build in a container.');
    assert.equal(m.detail.split('\n').length, 6);
    assert.match(m.detail, /^• line 1: control-path-unsafe-dir message \(control-path-unsafe-dir\)/);
    assert.match(m.detail, /… and 2 more$/);
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
