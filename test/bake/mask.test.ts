import assert from 'node:assert/strict';
import { knownSecrets, MASK, SecretMasker } from '../../client/src/bake/mask';

describe('bake secret masking', () => {
  it('masks known values in every form Packer prints them', () => {
    const m = new SecretMasker(['s3cr3t,with\nnewline', 'hunter22']);
    assert.equal(m.mask('pw=hunter22 and hunter22'), `pw=${MASK} and ${MASK}`);
    assert.equal(m.mask('raw s3cr3t,with\nnewline'), `raw ${MASK}`);
    assert.equal(m.mask('escaped s3cr3t%!(PACKER_COMMA)with\\nnewline'), `escaped ${MASK}`);
  });

  it('masks the longer of two overlapping secrets whole', () => {
    const m = new SecretMasker(['abcd', 'abcdefgh']);
    assert.equal(m.mask('x abcdefgh y abcd'), `x ${MASK} y ${MASK}`);
  });

  it('ignores values too short to mask safely', () => {
    const m = new SecretMasker(['a', '', 'xyz']);
    assert.equal(m.mask('a xyz banana'), 'a xyz banana');
  });

  it('masks secret-shaped text whose value is unknown', () => {
    const m = new SecretMasker();
    assert.equal(m.mask('key AKIAIOSFODNN7EXAMPLE used'), `key ${MASK} used`);
    assert.equal(m.mask('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG'), `aws_secret_access_key = ${MASK}`);
    assert.equal(m.mask('{"db_password": "p4ssw0rd!"}'), `{"db_password": "${MASK}"}`);
    assert.equal(m.mask('==> amazon-ebs: Launching a source AWS instance...'), '==> amazon-ebs: Launching a source AWS instance...');
    assert.equal(m.mask('ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r'), 'ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r');
  });

  it('knows the AWS credentials, secret PKR_VAR_ values and secret -var values', () => {
    assert.deepStrictEqual(knownSecrets({
      AWS_ACCESS_KEY_ID: 'AKIAABCDEFGHIJKLMNOP', AWS_SECRET_ACCESS_KEY: 'sek', AWS_SESSION_TOKEN: 'tok-123',
      AWS_REGION: 'us-east-1', PKR_VAR_db_password: 'pw-1', PKR_VAR_instance_type: 't3.micro',
    }, { api_token: 'tok-2', region: 'eu-west-1' }), ['AKIAABCDEFGHIJKLMNOP', 'sek', 'tok-123', 'pw-1', 'tok-2']);
  });
});
