import assert from 'node:assert/strict';
import type { CodeAction, Diagnostic, TextDocumentEdit, TextEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analyzer, applyEdits, fixAll } from '../../server/src/analysis';
import { minimalEdit } from '../../server/src/codeActions';
import { diskHost, ready } from '../support/analysis';
import { TestClient } from './lspClient';
import { CFG_UNESCAPED, LEGACY_MISSING } from './templates';

/** Two ansible provisioners (one without control path, one with single % signs) around a shell one. */
const HCL_TWO_PROBLEMS = `source "null" "x" {
  communicator = "ssh"
}

build {
  sources = ["source.null.x"]

  provisioner "ansible" {
    playbook_file = "a.yml"
  }

  provisioner "shell" {
    inline = ["true"]
  }

  provisioner "ansible" {
    playbook_file    = "b.yml"
    ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/c-%h-%p"]
  }
}
`;

function only<T>(list: T[]): T {
  assert.equal(list.length, 1, JSON.stringify(list));
  return list[0];
}

describe('code actions', () => {
  let c: TestClient;
  before(ready);
  afterEach(async () => c?.stop());

  it('offers every fix of a finding as a quickfix carrying its edit and diagnostic; the preferred one clears it', async () => {
    c = await TestClient.start({ files: { 't.json': LEGACY_MISSING } });
    await c.ready;
    const diagnostic = only(await c.open('t.json'));
    const actions = await c.codeActions('t.json', [diagnostic]);
    const finding = only(new Analyzer(diskHost).analyze(c.path('t.json'), LEGACY_MISSING).findings);
    assert.deepStrictEqual(
      actions,
      finding.fixes.map((fix) => ({
        title: fix.title,
        kind: 'quickfix',
        diagnostics: [diagnostic],
        isPreferred: fix.isPreferred,
        edit: { documentChanges: [{ textDocument: { uri: c.uri('t.json'), version: 1 }, edits: fix.edits.flatMap((e) => e.edits) }] },
      })),
    );
    assert.deepStrictEqual(actions.map((a) => a.isPreferred), [true, false, false]);

    const cleared = c.nextDiagnostics(c.uri('t.json'));
    c.applyEdit(actions[0].edit!);
    assert.deepStrictEqual(await cleared, []);
    assert.match(c.document('t.json')!.getText(), /"ANSIBLE_SSH_CONTROL_PATH=\/tmp\/ansible-ssh-%%h-%%p-%%r"/);
  });

  it('refuses code actions for a diagnostic of an older document version', async () => {
    c = await TestClient.start({ files: { 't.json': LEGACY_MISSING } });
    const diagnostic = only(await c.open('t.json'));
    const republished = c.nextDiagnostics(c.uri('t.json'));
    await c.change('t.json', `${LEGACY_MISSING}\n`);
    const fresh = only(await republished);
    assert.deepStrictEqual(fresh.range, diagnostic.range, 'same finding, same place, newer version');
    assert.deepStrictEqual(await c.codeActions('t.json', [diagnostic]), []);
    assert.equal((await c.codeActions('t.json', [fresh])).length, 3);
  });

  it('matches diagnostics by rule id and range: other sources, other codes and other ranges get nothing', async () => {
    c = await TestClient.start({ files: { 't.json': LEGACY_MISSING } });
    const d = only(await c.open('t.json'));
    const lint: Diagnostic = { ...d, source: 'eslint' };
    const otherRule: Diagnostic = { ...d, code: 'control-path-too-long' };
    const elsewhere: Diagnostic = { ...d, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } };
    const reworded: Diagnostic = { ...d, message: 'translated text' };
    assert.deepStrictEqual(await c.codeActions('t.json', [lint, otherRule, elsewhere]), []);
    assert.equal((await c.codeActions('t.json', [reworded])).length, 3, 'the message text plays no part');
  });

  it('fixes an ansible.cfg problem in the cfg file, from a diagnostic published on the cfg', async () => {
    c = await TestClient.start({ files: { 't.json': LEGACY_MISSING, 'ansible.cfg': CFG_UNESCAPED } });
    await c.ready;
    const diagnostic = only(c.diagnostics(c.uri('ansible.cfg'))!);
    const action = only(await c.codeActions(c.uri('ansible.cfg'), [diagnostic]));
    assert.deepStrictEqual(action, {
      title: 'Double the % signs: /tmp/ansible-ssh-%%h-%%p-%%r',
      kind: 'quickfix',
      diagnostics: [diagnostic],
      isPreferred: true,
      edit: { documentChanges: [{ textDocument: { uri: c.uri('ansible.cfg'), version: null }, edits: [{ range: diagnostic.range, newText: '/tmp/ansible-ssh-%%h-%%p-%%r' }] }] },
    });
    const cleared = c.nextDiagnostics(c.uri('ansible.cfg'));
    c.applyEdit(action.edit!);
    assert.deepStrictEqual(await cleared, []);
  });

  it('source.fixAll.packer-bake applies every preferred fix as one minimal edit', async () => {
    c = await TestClient.start({ files: { 'x.pkr.hcl': HCL_TWO_PROBLEMS } });
    const diagnostics = await c.open('x.pkr.hcl');
    assert.deepStrictEqual(diagnostics.map((d) => d.code), ['control-path-missing', 'control-path-unescaped-percent']);
    const action = only(await c.codeActions('x.pkr.hcl', [], ['source.fixAll']));
    const expected = fixAll(new Analyzer(diskHost), c.path('x.pkr.hcl'), HCL_TWO_PROBLEMS).text;
    const change = only(action.edit!.documentChanges!) as TextDocumentEdit;
    assert.deepStrictEqual(change.textDocument, { uri: c.uri('x.pkr.hcl'), version: 1 });
    const edit = only(change.edits) as TextEdit;
    assert.deepStrictEqual({ ...action, edit: undefined }, { title: 'Fix all packer-bake control-socket problems', kind: 'source.fixAll.packer-bake', edit: undefined });
    assert.equal(applyEdits(HCL_TWO_PROBLEMS, [edit]), expected);
    assert.deepStrictEqual(edit, minimalEdit(HCL_TWO_PROBLEMS, expected));
    assert.ok(edit.range.start.line >= 8 && edit.range.end.line <= 17, `only the changed lines: ${JSON.stringify(edit.range)}`);

    const cleared = c.nextDiagnostics(c.uri('x.pkr.hcl'));
    c.applyEdit(action.edit!);
    assert.deepStrictEqual(await cleared, []);
    assert.equal(c.document('x.pkr.hcl')!.getText(), expected);
    assert.deepStrictEqual(await c.codeActions('x.pkr.hcl', [], ['source.fixAll.packer-bake']), [], 'nothing left to fix');
  });

  it('returns the source action only when asked for its kind', async () => {
    c = await TestClient.start({ files: { 'x.pkr.hcl': HCL_TWO_PROBLEMS } });
    const diagnostics = await c.open('x.pkr.hcl');
    const kinds = async (only?: string[]) => (await c.codeActions('x.pkr.hcl', diagnostics, only)).map((a: CodeAction) => a.kind);
    assert.deepStrictEqual(await kinds(), ['quickfix', 'quickfix', 'quickfix', 'quickfix']);
    assert.deepStrictEqual(await kinds(['quickfix']), ['quickfix', 'quickfix', 'quickfix', 'quickfix']);
    assert.deepStrictEqual(await kinds(['source']), ['source.fixAll.packer-bake']);
    assert.deepStrictEqual(await kinds(['source.fixAll.packer-bake']), ['source.fixAll.packer-bake']);
    assert.deepStrictEqual(await kinds(['source.organizeImports']), []);
  });
});

describe('minimalEdit', () => {
  const roundTrip = (before: string, after: string): TextEdit => {
    const edit = minimalEdit(before, after)!;
    assert.equal(TextDocument.applyEdits(TextDocument.create('file:///x', 'text', 0, before), [edit]), after);
    return edit;
  };

  it('replaces only the differing middle', () => {
    assert.deepStrictEqual(roundTrip('a\nbc\nd', 'a\nbXc\nd'), { range: { start: { line: 1, character: 1 }, end: { line: 1, character: 1 } }, newText: 'X' });
    assert.deepStrictEqual(roundTrip('abc', 'ac'), { range: { start: { line: 0, character: 1 }, end: { line: 0, character: 2 } }, newText: '' });
    assert.equal(minimalEdit('same', 'same'), undefined);
  });

  it('never splits a CRLF or a surrogate pair', () => {
    const crlf = roundTrip('a\r\nb', 'a\r\r\nb');
    assert.deepStrictEqual(crlf.range.start, { line: 0, character: 1 });
    roundTrip('x\uD83D\uDE00y', 'x\uD83D\uDE01y');
    const emoji = minimalEdit('x\uD83D\uDE00y', 'x\uD83D\uDE01y')!;
    assert.deepStrictEqual(emoji, { range: { start: { line: 0, character: 1 }, end: { line: 0, character: 3 } }, newText: '\uD83D\uDE01' });
    roundTrip('\r\n', '\n');
    roundTrip('', 'abc');
    roundTrip('abc', '');
  });
});
