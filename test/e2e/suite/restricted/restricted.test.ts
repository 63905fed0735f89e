import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXPECTED, expectedSummary, open, ruleId, summary, waitForActivation, waitForDiagnostics } from '../helpers';

describe('Restricted Mode (untrusted workspace)', () => {
  it('opens the workspace untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('still activates the extension (limited support)', async () => {
    const ext = await waitForActivation();
    assert.equal(ext.isActive, true);
  });

  for (const e of EXPECTED.filter((x) => x.rule === 'control-path-missing')) {
    it(`still reports diagnostics: ${e.file}`, async () => {
      await waitForActivation();
      const { document } = await open(e.file);
      const ds = await waitForDiagnostics(document.uri, (d) => d.some((x) => ruleId(x) === e.rule), e.rule);
      assert.deepEqual(ds.map(summary), [expectedSummary(document, e)]);
    });
  }
});
