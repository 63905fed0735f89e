// packer-bake-language-server in a real editor that is not VS Code: Neovim's
// built-in LSP client (Debian 12's Neovim 0.7, headless), started from PATH
// with --stdio as docs/editors.md tells. Neovim 0.7 predates vim.lsp.config
// and vim.lsp.start, so the script uses vim.lsp.start_client, which those
// wrap; the client, its capabilities and its requests are Neovim's own.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireTool } from '../support/requireTool';
import { LANGUAGE_SERVER_COMMAND, pathWithLanguageServer } from './lspClient';
import { HCL_MISSING } from './templates';

/** Opens the template, waits for diagnostics, asks for code actions, applies the preferred one, waits for the diagnostics to clear; writes what it saw as JSON. */
const SCRIPT = `
local out, ws = os.getenv('OUT'), os.getenv('WS')
local result = {}
local function finish()
  local f = io.open(out, 'w'); f:write(vim.fn.json_encode(result)); f:close()
  vim.cmd('qall!')
end
vim.cmd('edit ' .. ws .. '/images/web.pkr.hcl')
local buf = vim.api.nvim_get_current_buf()
local id = vim.lsp.start_client({ cmd = { '${LANGUAGE_SERVER_COMMAND}', '--stdio' }, root_dir = ws, name = 'packer_bake' })
vim.lsp.buf_attach_client(buf, id)
local client = vim.lsp.get_client_by_id(id)
if not vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50) then result.error = 'no diagnostics'; return finish() end
result.diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(result.diagnostics, { code = d.code, source = d.source, severity = d.severity, lnum = d.lnum, col = d.col, end_col = d.end_col })
end
local d = vim.diagnostic.get(buf)[1]
local resp = client.request_sync('textDocument/codeAction', {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } },
  context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(buf, d.lnum) },
}, 10000, buf)
result.actions = {}
local preferred
for _, a in ipairs((resp and resp.result) or {}) do
  table.insert(result.actions, { title = a.title, kind = a.kind, preferred = a.isPreferred == true })
  if a.isPreferred then preferred = a end
end
if not preferred then result.error = 'no preferred fix'; return finish() end
vim.lsp.util.apply_workspace_edit(preferred.edit, client.offset_encoding)
result.cleared = vim.wait(20000, function() return #vim.diagnostic.get(buf) == 0 end, 50)
result.text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\\n')
finish()
`;

describe(`${LANGUAGE_SERVER_COMMAND} in Neovim (its built-in LSP client)`, function () {
  this.timeout(60_000);
  let dir: string;
  before(function () {
    requireTool(this, 'nvim', 'runs the language server in a real editor other than VS Code');
  });
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-nvim-')));
    fs.mkdirSync(path.join(dir, 'ws', 'images'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'ws', 'images', 'web.pkr.hcl'), HCL_MISSING);
    fs.writeFileSync(path.join(dir, 'init.lua'), SCRIPT);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('shows the diagnostic, offers the quick fixes, and the preferred one clears it', () => {
    const out = path.join(dir, 'out.json');
    const r = spawnSync('nvim', ['--headless', '--clean', '-u', path.join(dir, 'init.lua')], {
      encoding: 'utf8', timeout: 50_000,
      env: { ...process.env, PATH: pathWithLanguageServer(), OUT: out, WS: path.join(dir, 'ws'), XDG_STATE_HOME: dir, XDG_DATA_HOME: dir },
    });
    assert.ok(fs.existsSync(out), `nvim wrote no result (exit ${r.status}): ${r.stderr}`);
    const seen = JSON.parse(fs.readFileSync(out, 'utf8')) as { error?: string; diagnostics: unknown[]; actions: { title: string; kind: string; preferred: boolean }[]; cleared: boolean; text: string };
    assert.equal(seen.error, undefined);
    const line = HCL_MISSING.split('\n').findIndex((l) => l.includes('provisioner "ansible"'));
    const col = HCL_MISSING.split('\n')[line]!.indexOf('"ansible"');
    // severity 2 is vim.diagnostic.severity.WARN
    assert.deepEqual(seen.diagnostics, [{ code: 'control-path-missing', source: 'packer-bake', severity: 2, lnum: line, col, end_col: col + '"ansible"'.length }]);
    assert.deepEqual(seen.actions.filter((a) => a.preferred).map((a) => a.kind), ['quickfix']);
    assert.ok(seen.actions.length >= 2, JSON.stringify(seen.actions));
    assert.equal(seen.cleared, true, 'the diagnostic cleared after the fix');
    assert.match(seen.text, /ansible_env_vars = \["ANSIBLE_SSH_CONTROL_PATH=\/tmp\/ansible-ssh-%%h-%%p-%%r"\]/);
  });
});
