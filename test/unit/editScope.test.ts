import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EditScope } from '../../server/src/editScope';

describe('EditScope: which files a fix may edit', () => {
  let dir: string;
  let ws: string;
  let scope: EditScope;
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-scope-')));
    ws = path.join(dir, 'ws');
    fs.mkdirSync(path.join(ws, 'sub'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'outside'));
    fs.writeFileSync(path.join(ws, 't.json'), '{}');
    fs.writeFileSync(path.join(dir, 'outside', 'a.cfg'), '');
    scope = EditScope.of([ws]);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('allows a regular file inside, refuses one outside or reached through ..', () => {
    assert.equal(scope.refusal(path.join(ws, 't.json')), undefined);
    assert.equal(scope.refusal(path.join(dir, 'outside', 'a.cfg')), 'it is outside the workspace folders');
    assert.equal(scope.refusal(`${ws}/../outside/a.cfg`), 'it is outside the workspace folders');
  });

  it('refuses a symlinked file or folder leading out, and a dangling symlink', () => {
    fs.symlinkSync(path.join(dir, 'outside', 'a.cfg'), path.join(ws, 'ansible.cfg'));
    fs.symlinkSync(path.join(dir, 'outside'), path.join(ws, 'cfg'));
    fs.symlinkSync(path.join(dir, 'outside', 'gone.cfg'), path.join(ws, 'dangling.cfg'));
    assert.match(scope.refusal(path.join(ws, 'ansible.cfg'))!, /^a symbolic link \(.*ansible\.cfg\) leads outside the workspace folders$/);
    assert.match(scope.refusal(path.join(ws, 'cfg', 'a.cfg'))!, /^a symbolic link \(.*cfg\/a\.cfg\) leads outside the workspace folders$/);
    assert.match(scope.refusal(path.join(ws, 'cfg', 'new.cfg'))!, /^a symbolic link \(.*\/ws\/cfg\) leads outside the workspace folders$/);
    assert.equal(scope.refusal(path.join(ws, 'dangling.cfg')), 'it cannot be resolved on disk');
  });

  it('allows a document not saved yet inside the folders (judged by the folders above it), not one under a symlink leading out', () => {
    assert.equal(scope.refusal(path.join(ws, 'new.pkr.hcl')), undefined);
    assert.equal(scope.refusal(path.join(ws, 'sub', 'deeper', 'new.pkr.hcl')), undefined);
    fs.symlinkSync(path.join(dir, 'outside'), path.join(ws, 'out'));
    assert.match(scope.refusal(path.join(ws, 'out', 'deeper', 'new.pkr.hcl'))!, /leads outside the workspace folders$/);
  });

  it('refuses a file with another hard link', () => {
    fs.linkSync(path.join(ws, 't.json'), path.join(dir, 'outside', 'same.json'));
    assert.equal(scope.refusal(path.join(ws, 't.json')), 'it has 2 hard links, one of which may be outside the workspace folders');
  });
});
