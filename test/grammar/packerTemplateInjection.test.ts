import assert from 'node:assert/strict';
import { scopesOf, tokenize } from './tokenize';

const JSON_SCOPE = 'source.json';
const str = 'string.quoted.double.json';
const tpl = 'meta.embedded.go-template.packer';
const from = { from: str };

describe('grammar: Go-template expressions injected into JSON strings (packer-template.injection)', () => {
  it('scopes {{user `name`}} and {{env `X`}}', async () => {
    const t = await tokenize(JSON_SCOPE, '{"ami_name": "web {{user `name`}}", "r": "{{env `AWS_REGION`}}"}');
    assert.deepEqual(scopesOf(t, 'web ', from), [str]);
    assert.deepEqual(scopesOf(t, '{{', from), [str, tpl, 'punctuation.section.embedded.begin.go-template.packer']);
    assert.deepEqual(scopesOf(t, 'user', from), [str, tpl, 'support.function.go-template.packer']);
    assert.deepEqual(scopesOf(t, '`', from), [str, tpl, 'string.quoted.raw.go-template.packer', 'punctuation.definition.string.begin.go-template.packer']);
    assert.deepEqual(scopesOf(t, 'name', from), [str, tpl, 'string.quoted.raw.go-template.packer']);
    assert.deepEqual(scopesOf(t, '}}', from), [str, tpl, 'punctuation.section.embedded.end.go-template.packer']);
    assert.deepEqual(scopesOf(t, 'env', from), [str, tpl, 'support.function.go-template.packer']);
    assert.deepEqual(scopesOf(t, 'AWS_REGION', from), [str, tpl, 'string.quoted.raw.go-template.packer']);
  });

  it('scopes {{ .Host }}, {{timestamp}} and pipelines', async () => {
    const t = await tokenize(JSON_SCOPE, '["host={{ .Host }}", "{{timestamp}}", "{{ build_name | upper }}"]');
    assert.deepEqual(scopesOf(t, '.', from), [str, tpl, 'punctuation.accessor.go-template.packer']);
    assert.deepEqual(scopesOf(t, 'Host', from), [str, tpl, 'variable.other.member.go-template.packer']);
    assert.deepEqual(scopesOf(t, 'timestamp', from), [str, tpl, 'support.function.go-template.packer']);
    assert.deepEqual(scopesOf(t, '|', from), [str, tpl, 'keyword.operator.pipe.go-template.packer']);
    assert.deepEqual(scopesOf(t, 'upper', from), [str, tpl, 'support.function.go-template.packer']);
  });

  it('scopes escaped Go strings inside the JSON string', async () => {
    const t = await tokenize(JSON_SCOPE, '["{{ replace \\"a\\" \\"b\\" -1 .X }}"]');
    assert.deepEqual(scopesOf(t, 'a', from), [str, tpl, 'string.quoted.double.go-template.packer']);
    assert.deepEqual(scopesOf(t, 'replace', from), [str, tpl, 'support.function.go-template.packer']);
  });

  it('leaves plain strings and property names alone', async () => {
    const t = await tokenize(JSON_SCOPE, '{"{{key}}": "no template here"}');
    assert.deepEqual(scopesOf(t, '{{key}}', { from: 'string' }), ['string.json', 'support.type.property-name.json']);
    assert.deepEqual(scopesOf(t, 'no template here', from), [str]);
  });

  it('ends an unterminated expression at the closing quote, so the JSON after it is intact', async () => {
    const t = await tokenize(JSON_SCOPE, '{"a": "{{broken", "b": true}');
    assert.deepEqual(scopesOf(t, 'broken', from), [str, tpl]);
    assert.deepEqual(scopesOf(t, 'true', { from: 'constant' }), ['constant.language.json']);
  });
});
