import assert from 'node:assert/strict';
import { fixAllReport } from '../../../client/src/commands/fixAllReport';

const label = (uri: string) => uri.replace('file:///ws/', '');
const OUTSIDE = 'it is outside the workspace folders';

describe('Fix All in Workspace: what the user is told (fixAllReport)', () => {
  it('says how many fixes were applied, or that there was nothing to fix', () => {
    assert.deepEqual(fixAllReport({ applied: 0 }, label), { level: 'info', message: 'Packer Bake: nothing to fix.', details: [] });
    assert.deepEqual(fixAllReport({ applied: 1 }, label), { level: 'info', message: 'Packer Bake: applied 1 fix.', details: [] });
    assert.equal(fixAllReport({ applied: 3 }, label).message, 'Packer Bake: applied 3 fixes.');
  });

  it('warns with the file and its reason when one file was left alone, and details each rule', () => {
    const r = fixAllReport({ applied: 2, withheld: [
      { uri: 'file:///ws/cfg/ansible.cfg', rule: 'control-path-unescaped-percent', reason: 'a symbolic link (/ws/cfg) leads outside the workspace folders' },
      { uri: 'file:///ws/cfg/ansible.cfg', rule: 'control-path-too-long', reason: 'a symbolic link (/ws/cfg) leads outside the workspace folders' },
    ] }, label);
    assert.deepEqual(r, {
      level: 'warning',
      message: 'Packer Bake: applied 2 fixes; 1 file left alone (cfg/ansible.cfg): a symbolic link (/ws/cfg) leads outside the workspace folders.',
      details: ['not fixed: cfg/ansible.cfg (control-path-unescaped-percent, control-path-too-long): a symbolic link (/ws/cfg) leads outside the workspace folders'],
    });
  });

  it('counts the files left alone, names the first three, and puts every reason in the details', () => {
    const withheld = ['a', 'b', 'c', 'd', 'e'].map((n, i) => ({ uri: `file:///ws/${n}.cfg`, rule: 'control-path-unescaped-percent', reason: i === 4 ? 'it is read-only' : OUTSIDE }));
    const r = fixAllReport({ applied: 0, withheld }, label);
    assert.equal(r.level, 'warning');
    assert.equal(r.message, 'Packer Bake: nothing fixed; 5 files left alone (a.cfg, b.cfg, c.cfg and 2 more): see the Packer Bake output for why.');
    assert.deepEqual(r.details, [
      ...['a', 'b', 'c', 'd'].map((n) => `not fixed: ${n}.cfg (control-path-unescaped-percent): ${OUTSIDE}`),
      'not fixed: e.cfg (control-path-unescaped-percent): it is read-only',
    ]);
  });
});
