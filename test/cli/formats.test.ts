// The CI output formats of the bundled CLI, each checked against what reads
// it: the SARIF 2.1.0 schema and GitHub code scanning's documented limits,
// @actions/core (GitHub's own writer of workflow commands), the RDFormat
// validator, and reviewdog's errorformat library for the text format.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { validate as validateRdjson } from '@umbrelladocs/rdformat-validator';
import type * as Sarif from 'sarif';
import { requireTool } from '../support/requireTool';
import { hcl, legacy } from '../support/templates';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
const SARIF_SCHEMA = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

/** The environment of a run: this one without GitHub's variables, plus `env`. */
function lint(args: string[], cwd: string, env: Record<string, string> = {}) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GITHUB_')));
  const r = spawnSync(process.execPath, [cli, 'lint', ...args], { cwd, encoding: 'utf8', env: { ...base, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface JsonFinding { file: string; rule: string; severity: string; message: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }

/** A line that puts non-ASCII text (2- and 4-byte UTF-8, a UTF-16 surrogate pair) before the flagged value. */
const UNICODE_LINE = 'ansible_env_vars = ["NOTE=é𐐀", "ANSIBLE_SSH_CONTROL_PATH=/tmp/a-%h"]';
/** A file name with the characters workflow-command properties must escape. */
const ODD_NAME = 'odd, name: x.json';

describe('packer-bake lint: CI output formats', () => {
  let dir: string;
  before(() => assert.ok(fs.existsSync(cli), 'run `npm run build` first'));
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-formats-')));
    fs.mkdirSync(path.join(dir, 'web'));
    fs.writeFileSync(path.join(dir, 'web', 'web.json'), legacy());
    fs.writeFileSync(path.join(dir, 'web', 'web.pkr.hcl'), hcl(UNICODE_LINE));
    fs.writeFileSync(path.join(dir, 'web', ODD_NAME), legacy());
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function findings(cwd = dir): JsonFinding[] {
    return JSON.parse(lint(['--format', 'json'], cwd).out) as JsonFinding[];
  }

  describe('sarif', () => {
    it('is valid against the SARIF 2.1.0 JSON schema', () => {
      const r = lint(['--format', 'sarif'], dir);
      assert.equal(r.code, 1, r.err);
      // The schema's language-tag pattern is not valid in Unicode mode (`]?` after a group).
      const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
      addFormats(ajv);
      const validate = ajv.compile(JSON.parse(fs.readFileSync(SARIF_SCHEMA, 'utf8')) as object);
      const log = JSON.parse(r.out) as Sarif.Log;
      validate(log);
      assert.deepEqual(validate.errors ?? [], []);
      assert.equal(log.runs[0]!.results!.length, 3);
      // The schema does bite: a level SARIF does not know is refused.
      assert.equal(validate({ ...log, runs: [{ ...log.runs[0], results: [{ ...log.runs[0]!.results![0], level: 'fatal' }] }] }), false);
    });

    it('keeps to what GitHub code scanning accepts: rules with help, relative URIs with a base id, 1-based regions, ruleIndex, fingerprints', () => {
      const log = JSON.parse(lint(['--format', 'sarif'], dir).out) as Sarif.Log;
      assert.equal(log.runs.length, 1);
      const run = log.runs[0]!;
      const rules = run.tool.driver.rules!;
      assert.equal(run.tool.driver.name, 'packer-bake');
      for (const rule of rules.filter((x) => x.helpUri)) {
        assert.match(rule.helpUri!, new RegExp(`^https://github\\.com/packer-bake/packer-bake/blob/main/docs/rules/${rule.id}\\.md$`));
        assert.ok(rule.help?.text && rule.help.markdown, `${rule.id} has help text and markdown`);
        assert.ok(rule.help.markdown.startsWith(`# ${rule.id}`), `${rule.id}: the help is the rule's page`);
        assert.deepEqual([...rule.help.markdown.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]).filter((u) => !/^https:\/\//.test(u!)), [], `${rule.id}: every link in the help is absolute`);
        assert.ok((rule.properties?.tags as string[]).length <= 20, 'at most 20 tags');
      }
      assert.ok(run.results!.length <= 25_000);
      for (const result of run.results!) {
        assert.equal(rules[result.ruleIndex!]!.id, result.ruleId, 'ruleIndex points at the rule');
        assert.ok(['error', 'warning', 'note'].includes(result.level!));
        const loc = result.locations![0]!.physicalLocation!;
        assert.equal(loc.artifactLocation!.uriBaseId, '%SRCROOT%');
        assert.doesNotMatch(loc.artifactLocation!.uri!, /^[a-z]+:|^\//, 'relative URI');
        const reg = loc.region!;
        assert.ok(reg.startLine! >= 1 && reg.startColumn! >= 1 && reg.endLine! >= reg.startLine! && reg.endColumn! >= 1);
        assert.match(result.partialFingerprints!['packerBakeFinding/v1']!, /^[0-9a-f]{32}$/);
      }
      assert.equal(new Set(run.results!.map((x) => x.partialFingerprints!['packerBakeFinding/v1'])).size, run.results!.length, 'fingerprints differ');
      assert.ok(Buffer.byteLength(JSON.stringify(log)) < 10 * 1024 * 1024);
      const web = run.results!.find((x) => x.locations![0]!.physicalLocation!.artifactLocation!.uri === 'web/web.json')!;
      assert.deepEqual({ ...web, partialFingerprints: undefined }, {
        ruleId: 'control-path-missing',
        ruleIndex: rules.findIndex((x) => x.id === 'control-path-missing'),
        level: 'warning',
        message: { text: findings().find((f) => f.file === 'web/web.json')!.message },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'web/web.json', uriBaseId: '%SRCROOT%' }, region: { startLine: 12, startColumn: 15, endLine: 12, endColumn: 24 } } }],
        partialFingerprints: undefined,
      });
      assert.equal(run.results!.find((x) => x.locations![0]!.physicalLocation!.artifactLocation!.uri!.startsWith('web/odd'))!.locations![0]!.physicalLocation!.artifactLocation!.uri, 'web/odd%2C%20name%3A%20x.json');
      assert.deepEqual(run.originalUriBaseIds, { '%SRCROOT%': { uri: `file://${dir}/` } });
    });

    it('keeps a finding\'s fingerprint when lines above it move', () => {
      const fingerprint = (log: Sarif.Log) => log.runs[0]!.results!.map((x) => [x.locations![0]!.physicalLocation!.region!.startLine, x.partialFingerprints!['packerBakeFinding/v1']]);
      const before = fingerprint(JSON.parse(lint(['--format', 'sarif', 'web/web.json'], dir).out) as Sarif.Log);
      fs.writeFileSync(path.join(dir, 'web', 'web.json'), `\n\n${legacy()}`);
      const after = fingerprint(JSON.parse(lint(['--format', 'sarif', 'web/web.json'], dir).out) as Sarif.Log);
      assert.deepEqual(after, before.map(([line, fp]) => [(line as number) + 2, fp]));
    });

    it('makes paths relative to GITHUB_WORKSPACE when run in a folder of it', () => {
      const log = JSON.parse(lint(['--format', 'sarif', '.'], path.join(dir, 'web'), { GITHUB_WORKSPACE: dir }).out) as Sarif.Log;
      assert.deepEqual(log.runs[0]!.results!.map((x) => x.locations![0]!.physicalLocation!.artifactLocation!.uri).sort(), ['web/odd%2C%20name%3A%20x.json', 'web/web.json', 'web/web.pkr.hcl']);
    });
  });

  describe('github (workflow commands)', () => {
    /** What GitHub's own toolkit writes for the same annotations (`file` already relative to the repository root). */
    function actionsCoreOutput(fs_: JsonFinding[]): string {
      const written: string[] = [];
      const write = process.stdout.write;
      process.stdout.write = ((chunk: string) => (written.push(chunk), true)) as typeof process.stdout.write;
      try {
        for (const f of fs_) {
          const oneLine = f.range.start.line === f.range.end.line;
          const props: core.AnnotationProperties = {
            title: `packer-bake ${f.rule}`, file: f.file,
            startLine: f.range.start.line + 1, endLine: f.range.end.line + 1,
            ...(oneLine ? { startColumn: f.range.start.character + 1, endColumn: f.range.end.character } : {}),
          };
          const level = f.severity === 'error' ? core.error : f.severity === 'warning' ? core.warning : core.notice;
          level(f.message, props);
        }
      } finally {
        process.stdout.write = write;
      }
      return written.join('');
    }

    it('--format github writes the workflow commands @actions/core writes, escaped', () => {
      const r = lint(['--format', 'github'], dir);
      assert.equal(r.code, 1, r.err);
      assert.equal(`${r.out}`, actionsCoreOutput(findings()));
      assert.match(r.out, /file=web\/odd%2C name%3A x\.json,/, 'commas and colons in properties are escaped');
    });

    it('text in GitHub Actions: the report on stdout, annotations with repository paths on stderr', () => {
      const web = path.join(dir, 'web');
      const r = lint([], web, { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: dir });
      assert.equal(r.code, 1);
      assert.match(r.out, /^web\.json:12:15: warning control-path-missing: /m);
      const inWeb = findings(web).map((f) => ({ ...f, file: `web/${f.file}` }));
      assert.equal(r.err, actionsCoreOutput(inWeb));
    });

    it('machine formats get no annotations in GitHub Actions, and text gets none elsewhere', () => {
      for (const format of ['json', 'sarif', 'rdjson']) assert.equal(lint(['--format', format], dir, { GITHUB_ACTIONS: 'true' }).err, '', format);
      assert.equal(lint([], dir).err, '');
    });
  });

  describe('rdjson (reviewdog)', () => {
    it('is valid RDFormat; columns count UTF-8 bytes; the suggestions, applied as reviewdog does, give what --fix writes', async () => {
      const r = lint(['--format', 'rdjson'], dir);
      assert.equal(r.code, 1, r.err);
      const result = JSON.parse(r.out) as { diagnostics: { location: { path: string; range: RdRange }; code: { value: string }; suggestions?: { range: RdRange; text: string }[] }[] };
      const validation = await validateRdjson(result);
      assert.deepEqual(validation.errors, []);
      assert.equal(validation.valid, true);

      const hclText = fs.readFileSync(path.join(dir, 'web', 'web.pkr.hcl'), 'utf8');
      const lines = hclText.split('\n');
      const line = lines.findIndex((l) => l.includes('/tmp/a-%h'));
      const at = lines[line]!.indexOf('/tmp/a-%h');
      const bytes = Buffer.byteLength(lines[line]!.slice(0, at), 'utf8');
      assert.ok(bytes > at, 'the line has multi-byte characters before the finding');
      const d = result.diagnostics.find((x) => x.location.path === 'web/web.pkr.hcl')!;
      assert.deepEqual(d.location.range, { start: { line: line + 1, column: bytes + 1 }, end: { line: line + 1, column: bytes + 1 + '/tmp/a-%h'.length } });

      // reviewdog splices suggestions into the file by line and byte column.
      const applied: Record<string, string> = {};
      for (const diag of result.diagnostics) {
        const file = path.join(dir, diag.location.path);
        applied[file] = applySuggestions(applied[file] ?? fs.readFileSync(file, 'utf8'), diag.suggestions ?? []);
      }
      assert.equal(lint(['--fix'], dir).code, 0);
      for (const [file, text] of Object.entries(applied)) assert.equal(text, fs.readFileSync(file, 'utf8'), path.relative(dir, file));
    });
  });

  describe('text with reviewdog -efm', () => {
    let efmcheck: string;
    before(function () {
      this.timeout(120_000);
      requireTool(this, 'go', "builds a reader on reviewdog's errorformat library (Debian golang-github-reviewdog-errorformat-dev)");
      efmcheck = buildEfmCheck();
    });

    it('reviewdog\'s errorformat reads every finding: file, line, column, type and message', () => {
      // `%f:` cannot take a file name with ": " in it (README: use rdjson for such names).
      fs.rmSync(path.join(dir, 'web', ODD_NAME));
      const out = lint([], dir).out;
      const efm = ['%f:%l:%c: %trror %m', '%f:%l:%c: %tarning %m', '%f:%l:%c: %tnfo %m', '%f:%l:%c: hint %m'];
      const r = spawnSync(efmcheck, efm, { input: out, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const entries = (JSON.parse(r.stdout) as { file: string; line: number; col: number; type: string; text: string; valid: boolean }[]).filter((e) => e.valid);
      assert.deepEqual(entries.map(({ file, line, col, type, text }) => ({ file, line, col, type, text })), findings().map((f) => ({
        file: f.file, line: f.range.start.line + 1, col: f.range.start.character + 1, type: f.severity[0], text: `${f.rule}: ${f.message}`,
      })));
    });
  });
});

interface RdRange { start: { line: number; column: number }; end: { line: number; column: number } }

/** Applies rdjson suggestions (1-based lines, 1-based UTF-8 byte columns, exclusive ends) to a text, last first. */
function applySuggestions(text: string, suggestions: { range: RdRange; text: string }[]): string {
  const buf = Buffer.from(text, 'utf8');
  const lineStarts = [0];
  for (let i = 0; i < buf.length; i++) if (buf[i] === 0x0a) lineStarts.push(i + 1);
  const offset = (p: { line: number; column: number }) => lineStarts[p.line - 1]! + p.column - 1;
  let out = buf;
  for (const s of [...suggestions].sort((a, b) => offset(b.range.start) - offset(a.range.start))) {
    out = Buffer.concat([out.subarray(0, offset(s.range.start)), Buffer.from(s.text, 'utf8'), out.subarray(offset(s.range.end))]);
  }
  return out.toString('utf8');
}

/** A small Go program over reviewdog's errorformat (the library behind `reviewdog -efm`), built once per run. */
function buildEfmCheck(): string {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-bake-efm-'));
  process.once('exit', () => fs.rmSync(work, { recursive: true, force: true }));
  const src = path.join(work, 'src', 'efmcheck');
  fs.mkdirSync(src, { recursive: true });
  fs.writeFileSync(path.join(src, 'main.go'), `package main

import (
	"encoding/json"
	"os"

	"github.com/reviewdog/errorformat"
)

func main() {
	efm, err := errorformat.NewErrorformat(os.Args[1:])
	if err != nil {
		panic(err)
	}
	s := efm.NewScanner(os.Stdin)
	out := []map[string]interface{}{}
	for s.Scan() {
		e := s.Entry()
		out = append(out, map[string]interface{}{"file": e.Filename, "line": e.Lnum, "col": e.Col, "type": string(e.Type), "text": e.Text, "valid": e.Valid})
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
`);
  const bin = path.join(work, 'efmcheck');
  const r = spawnSync('go', ['build', '-o', bin, '.'], {
    cwd: src, encoding: 'utf8',
    // Debian's Go library packages live in a GOPATH; nothing is downloaded.
    env: { ...process.env, GO111MODULE: 'off', GOPATH: `${work}:/usr/share/gocode`, GOCACHE: path.join(work, 'cache'), GOFLAGS: '' },
  });
  assert.equal(r.status, 0, `go build: ${r.stderr}`);
  return bin;
}
