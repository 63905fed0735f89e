import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { open, ruleId, setSetting, summary, waitForActivation, waitForDiagnostics } from './helpers';

describe('settings', () => {
  before(() => waitForActivation());
  afterEach(() => setSetting('rules', undefined));

  it('packerBake.rules: a rule set to "off" disappears, and comes back when the setting is removed', async () => {
    const { document } = await open('control-path-missing/template.pkr.hcl');
    const uri = document.uri;
    await waitForDiagnostics(uri, (d) => d.some((x) => ruleId(x) === 'control-path-missing'), 'control-path-missing');
    await setSetting('rules', { 'control-path-missing': 'off' });
    await waitForDiagnostics(uri, (d) => d.length === 0, 'control-path-missing to disappear');
    await setSetting('rules', undefined);
    await waitForDiagnostics(uri, (d) => d.some((x) => ruleId(x) === 'control-path-missing'), 'control-path-missing to come back');
  });

  it('packerBake.rules: a severity override changes the diagnostic severity', async () => {
    const { document } = await open('control-path-unescaped-percent/template.json');
    const uri = document.uri;
    await waitForDiagnostics(uri, (d) => d.some((x) => x.severity === vscode.DiagnosticSeverity.Error), 'an error');
    await setSetting('rules', { 'control-path-unescaped-percent': 'info' });
    const ds = await waitForDiagnostics(uri, (d) => d.length === 1 && d[0]!.severity === vscode.DiagnosticSeverity.Information, 'an information');
    assert.equal(summary(ds[0]!).code, 'control-path-unescaped-percent');
  });

  it('packerBake.enable: false clears every diagnostic', async () => {
    const { document } = await open('control-path-too-long/template.pkr.hcl');
    await waitForDiagnostics(document.uri, (d) => d.length > 0, 'a diagnostic');
    try {
      await setSetting('enable', false);
      await waitForDiagnostics(document.uri, (d) => d.length === 0, 'diagnostics to clear');
    } finally {
      await setSetting('enable', undefined);
    }
    await waitForDiagnostics(document.uri, (d) => d.length > 0, 'diagnostics to return');
  });
});
