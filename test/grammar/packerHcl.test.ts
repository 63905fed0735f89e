import assert from 'node:assert/strict';
import { scopesOf, tokenize } from './tokenize';

const HCL = 'source.packer-hcl';
const block = 'meta.block.packer-hcl';
const str = 'string.quoted.double.packer-hcl';
const interp = 'meta.interpolation.packer-hcl';
const embedded = 'meta.embedded.line.packer-hcl';
const directive = 'meta.directive.packer-hcl';
const heredoc = 'string.unquoted.heredoc.packer-hcl';

describe('grammar: Packer HCL (source.packer-hcl)', () => {
  it('scopes Packer block types and their quoted labels', async () => {
    const t = await tokenize(HCL, 'source "amazon-ebs" "ubuntu" {\n}');
    assert.deepEqual(scopesOf(t, 'source'), [block, 'storage.type.block.packer-hcl']);
    assert.deepEqual(scopesOf(t, 'amazon-ebs'), [block, str, 'entity.name.label.packer-hcl']);
    assert.deepEqual(scopesOf(t, 'ubuntu'), [block, str, 'entity.name.label.packer-hcl']);
    assert.deepEqual(scopesOf(t, '{'), [block, 'punctuation.section.block.begin.packer-hcl']);
    assert.deepEqual(scopesOf(t, '}'), [block, 'punctuation.section.block.end.packer-hcl']);
  });

  it('knows every Packer block name, nested or not, and leaves other block names as types', async () => {
    const names = ['source', 'build', 'provisioner', 'post-processor', 'post-processors', 'variable', 'variables',
      'locals', 'local', 'packer', 'required_plugins', 'data', 'dynamic', 'hcp_packer_registry', 'error-cleanup-provisioner'];
    for (const name of names) {
      const t = await tokenize(HCL, `build {\n  ${name} {\n  }\n}`);
      assert.deepEqual(scopesOf(t, name, { nth: name === 'build' ? 1 : 0 }), [block, block, 'storage.type.block.packer-hcl'], name);
    }
    const t = await tokenize(HCL, 'source "amazon-ebs" "x" {\n  launch_block_device_mappings {\n  }\n}');
    assert.deepEqual(scopesOf(t, 'launch_block_device_mappings'), [block, block, 'entity.name.type.block.packer-hcl']);
  });

  it('scopes bare labels and one-line blocks', async () => {
    const t = await tokenize(HCL, 'dynamic setting { content = 1 }');
    assert.deepEqual(scopesOf(t, 'dynamic'), [block, 'storage.type.block.packer-hcl']);
    assert.deepEqual(scopesOf(t, 'setting'), [block, 'entity.name.label.packer-hcl']);
    assert.deepEqual(scopesOf(t, 'content'), [block, 'variable.other.property.packer-hcl']);
    assert.deepEqual(scopesOf(t, '1'), [block, 'constant.numeric.packer-hcl']);
  });

  it('scopes attributes at the top level (.pkrvars.hcl) and inside blocks', async () => {
    const t = await tokenize(HCL, 'region = "us-east-1"\nvariable "size" {\n  default = 2\n}');
    assert.deepEqual(scopesOf(t, 'region'), ['variable.other.property.packer-hcl']);
    assert.deepEqual(scopesOf(t, '='), ['keyword.operator.assignment.packer-hcl']);
    assert.deepEqual(scopesOf(t, 'us-east-1'), [str]);
    assert.deepEqual(scopesOf(t, 'default'), [block, 'variable.other.property.packer-hcl']);
  });

  it('scopes ${...} interpolation with references inside a string', async () => {
    const t = await tokenize(HCL, 'ami_name = "web-${var.region}-${local.ts}"');
    assert.deepEqual(scopesOf(t, 'web-'), [str]);
    assert.deepEqual(scopesOf(t, '${'), [str, interp, 'punctuation.section.interpolation.begin.packer-hcl']);
    assert.deepEqual(scopesOf(t, 'var'), [str, interp, embedded, 'variable.language.packer-hcl']);
    assert.deepEqual(scopesOf(t, '.'), [str, interp, embedded, 'punctuation.accessor.packer-hcl']);
    assert.deepEqual(scopesOf(t, 'region'), [str, interp, embedded, 'variable.other.member.packer-hcl']);
    assert.deepEqual(scopesOf(t, '}'), [str, interp, 'punctuation.section.interpolation.end.packer-hcl']);
    assert.deepEqual(scopesOf(t, 'local'), [str, interp, embedded, 'variable.language.packer-hcl']);
  });

  it('scopes %{...} directives, strip markers and escapes', async () => {
    const t = await tokenize(HCL, 'x = "%{~ if var.a ~}yes%{ else }no%{ endif } $${lit} %%{lit} \\n"');
    assert.deepEqual(scopesOf(t, '%{~'), [str, directive, 'punctuation.section.directive.begin.packer-hcl']);
    assert.deepEqual(scopesOf(t, 'if'), [str, directive, 'keyword.control.directive.packer-hcl']);
    assert.deepEqual(scopesOf(t, '~}'), [str, directive, 'punctuation.section.directive.end.packer-hcl']);
    assert.deepEqual(scopesOf(t, 'yes'), [str]);
    assert.deepEqual(scopesOf(t, 'else'), [str, directive, 'keyword.control.directive.packer-hcl']);
    assert.deepEqual(scopesOf(t, 'endif'), [str, directive, 'keyword.control.directive.packer-hcl']);
    assert.deepEqual(scopesOf(t, '$${'), [str, 'constant.character.escape.packer-hcl']);
    assert.deepEqual(scopesOf(t, '%%{'), [str, 'constant.character.escape.packer-hcl']);
    assert.deepEqual(scopesOf(t, '\\n'), [str, 'constant.character.escape.packer-hcl']);
  });

  it('scopes <<EOF and <<-EOF heredocs with interpolation, and ends them at the marker', async () => {
    for (const op of ['<<', '<<-']) {
      const t = await tokenize(HCL, `inline = ${op}EOF\n  echo \${var.region} "quoted"\n  EOF\nafter = true`);
      assert.deepEqual(scopesOf(t, op), [heredoc, 'keyword.operator.heredoc.packer-hcl'], op);
      assert.deepEqual(scopesOf(t, 'EOF'), [heredoc, 'keyword.control.heredoc-token.packer-hcl'], op);
      assert.deepEqual(scopesOf(t, '  echo '), [heredoc], op);
      assert.deepEqual(scopesOf(t, 'region'), [heredoc, interp, embedded, 'variable.other.member.packer-hcl'], op);
      assert.deepEqual(scopesOf(t, ' "quoted"'), [heredoc], op);
      assert.deepEqual(scopesOf(t, 'EOF', { nth: 1 }), [heredoc, 'keyword.control.heredoc-token.packer-hcl'], op);
      assert.deepEqual(scopesOf(t, 'after'), ['variable.other.property.packer-hcl'], op);
      assert.deepEqual(scopesOf(t, 'true'), ['constant.language.boolean.packer-hcl'], op);
    }
  });

  it('does not end a heredoc at a line that only starts with the marker', async () => {
    const t = await tokenize(HCL, 'x = <<EOF\nEOFX\nEOF');
    assert.deepEqual(scopesOf(t, 'EOFX'), [heredoc]);
  });

  it('scopes #, // and /* */ comments', async () => {
    const t = await tokenize(HCL, '# hash\n// slashes\n/* block\n still */ a = 1');
    assert.deepEqual(scopesOf(t, ' hash'), ['comment.line.number-sign.packer-hcl']);
    assert.deepEqual(scopesOf(t, '#'), ['comment.line.number-sign.packer-hcl', 'punctuation.definition.comment.packer-hcl']);
    assert.deepEqual(scopesOf(t, ' slashes'), ['comment.line.double-slash.packer-hcl']);
    assert.deepEqual(scopesOf(t, ' still '), ['comment.block.packer-hcl']);
    assert.deepEqual(scopesOf(t, '*/'), ['comment.block.packer-hcl', 'punctuation.definition.comment.end.packer-hcl']);
    assert.deepEqual(scopesOf(t, '1'), ['constant.numeric.packer-hcl']);
  });

  it('keeps # and // inside strings as string text', async () => {
    const t = await tokenize(HCL, 'url = "http://x/#frag"');
    assert.deepEqual(scopesOf(t, 'http://x/#frag'), [str]);
  });

  it('scopes numbers, booleans and null', async () => {
    const t = await tokenize(HCL, 'a = [1, 2.5, 3e10, true, false, null]');
    for (const n of ['1', '2.5', '3e10']) assert.deepEqual(scopesOf(t, n), ['meta.brackets.packer-hcl', 'constant.numeric.packer-hcl'], n);
    for (const b of ['true', 'false']) assert.deepEqual(scopesOf(t, b), ['meta.brackets.packer-hcl', 'constant.language.boolean.packer-hcl'], b);
    assert.deepEqual(scopesOf(t, 'null'), ['meta.brackets.packer-hcl', 'constant.language.null.packer-hcl']);
  });

  it('scopes function calls, including nested calls and namespaced functions', async () => {
    const t = await tokenize(HCL, 'ts = formatdate("YYYY", timestamp())\nv = provider::aws::arn_parse(x)');
    const call = 'meta.function-call.packer-hcl';
    assert.deepEqual(scopesOf(t, 'formatdate'), [call, 'support.function.packer-hcl']);
    assert.deepEqual(scopesOf(t, '('), [call, 'punctuation.section.parens.begin.packer-hcl']);
    assert.deepEqual(scopesOf(t, 'timestamp'), [call, call, 'support.function.packer-hcl']);
    assert.deepEqual(scopesOf(t, 'provider::aws::arn_parse'), [call, 'support.function.packer-hcl']);
  });

  it('scopes object keys (bare and quoted) and for-expressions', async () => {
    const t = await tokenize(HCL, 'tags = { Name = "web", "Env" = "prod" }\nids = [for s in var.subnets : s.id if s != ""]');
    const braces = 'meta.braces.packer-hcl';
    const brackets = 'meta.brackets.packer-hcl';
    assert.deepEqual(scopesOf(t, 'Name'), [braces, 'variable.other.property.packer-hcl']);
    assert.deepEqual(scopesOf(t, 'Env'), [braces, str, 'variable.other.property.packer-hcl']);
    assert.deepEqual(scopesOf(t, 'prod'), [braces, str]);
    assert.deepEqual(scopesOf(t, 'for'), [brackets, 'keyword.control.packer-hcl']);
    assert.deepEqual(scopesOf(t, 'in'), [brackets, 'keyword.control.packer-hcl']);
    assert.deepEqual(scopesOf(t, 'if'), [brackets, 'keyword.control.packer-hcl']);
    assert.deepEqual(scopesOf(t, ':'), [brackets, 'keyword.operator.conditional.packer-hcl']);
    assert.deepEqual(scopesOf(t, '!='), [brackets, 'keyword.operator.comparison.packer-hcl']);
    assert.deepEqual(scopesOf(t, 's'), [brackets, 'variable.other.readwrite.packer-hcl']);
  });

  it('tokenizes a realistic template to the end with every block closed', async () => {
    const text = [
      'packer {',
      '  required_plugins {',
      '    ansible = { version = ">= 1.1.0", source = "github.com/hashicorp/ansible" }',
      '  }',
      '}',
      'build {',
      '  sources = ["source.docker.ubuntu"]',
      '  provisioner "ansible" {',
      '    playbook_file   = "./site.yml"',
      '    ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r"]',
      '    extra_arguments = ["--scp-extra-args", "\'-O\'"]',
      '  }',
      '}',
      'last = 1',
    ].join('\n');
    const t = await tokenize(HCL, text);
    assert.deepEqual(scopesOf(t, 'ansible', { nth: 1 }), [block, block, str, 'entity.name.label.packer-hcl']);
    assert.deepEqual(scopesOf(t, 'ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r'), [block, block, 'meta.brackets.packer-hcl', str]);
    assert.deepEqual(scopesOf(t, 'last'), ['variable.other.property.packer-hcl']);
  });
});
