import assert from 'node:assert/strict';
import {
  ArtifactCollector, errorLocations, LineSplitter, parseAmiIds, parseMachineLine, phaseOf, renderEvent, unescapeField,
} from '../../client/src/bake/machineReadable';

// Lines recorded from Packer 1.6.6 (`packer build -machine-readable`).
const NULL_BUILD = [
  '1795548450,,ui,say,==> null.a: Running local shell script: /tmp/packer-shell3435336537',
  '1795548450,,ui,message,    null.a: hello%!(PACKER_COMMA) world',
  "1795548450,,ui,say,Build 'null.a' finished after 8 milliseconds 308 microseconds.",
  '1795548450,,ui,say,\\n==> Builds finished. The artifacts of successful builds are:',
  '1795548450,null.a,artifact-count,1',
  '1795548450,null.a,artifact,0,builder-id,fnoeding.null',
  '1795548450,null.a,artifact,0,id,Null',
  '1795548450,null.a,artifact,0,string,Did not export anything. This is the null builder',
  '1795548450,null.a,artifact,0,files-count,0',
  '1795548450,null.a,artifact,0,end',
  '1795548450,,ui,say,--> null.a: Did not export anything. This is the null builder',
];

// What amazon-ebs prints for an AMI copied to a second region, and a second build's artifact.
const AMI_BUILD = [
  '1700000000,amazon-ebs.east,artifact-count,1',
  '1700000000,amazon-ebs.east,artifact,0,builder-id,mitchellh.amazonebs',
  '1700000000,amazon-ebs.east,artifact,0,id,us-east-1:ami-0123456789abcdef0%!(PACKER_COMMA)eu-west-1:ami-0fedcba9876543210',
  '1700000000,amazon-ebs.east,artifact,0,string,AMIs were created:\\nus-east-1: ami-0123456789abcdef0\\neu-west-1: ami-0fedcba9876543210\\n',
  '1700000000,amazon-ebs.east,artifact,0,files-count,0',
  '1700000000,amazon-ebs.east,artifact,0,end',
  '1700000000,file.notes,artifact-count,1',
  '1700000000,file.notes,artifact,0,builder-id,packer.file',
  '1700000000,file.notes,artifact,0,id,File',
  '1700000000,file.notes,artifact,0,files-count,2',
  '1700000000,file.notes,artifact,0,file,0,out/a%!(PACKER_COMMA)b.txt',
  '1700000000,file.notes,artifact,0,file,1,out/c.txt',
  '1700000000,file.notes,artifact,0,end',
];

describe('bake machine-readable output', () => {
  it('unescapes commas and newlines', () => {
    assert.equal(unescapeField('a%!(PACKER_COMMA)b\\nc\\rd'), 'a,b\nc\rd');
  });

  it('parses ui, artifact, error and other lines', () => {
    assert.deepStrictEqual(parseMachineLine(NULL_BUILD[1]), { kind: 'ui', target: '', level: 'message', text: '    null.a: hello, world' });
    assert.deepStrictEqual(parseMachineLine(NULL_BUILD[6]), { kind: 'artifact', target: 'null.a', index: 0, key: 'id', values: ['Null'] });
    assert.deepStrictEqual(parseMachineLine('1795548454,null,error,Script exited with non-zero exit status: 3.Allowed exit codes are: [0]'),
      { kind: 'error', target: 'null', text: 'Script exited with non-zero exit status: 3.Allowed exit codes are: [0]' });
    assert.deepStrictEqual(parseMachineLine('1795548454,,error-count,1'), { kind: 'other', target: '', type: 'error-count', data: ['1'] });
    assert.deepStrictEqual(parseMachineLine('docker: Error response from daemon: No such image: x.'),
      { kind: 'raw', text: 'docker: Error response from daemon: No such image: x.' });
    assert.deepStrictEqual(parseMachineLine(''), { kind: 'raw', text: '' });
  });

  it('collects the null builder artifact', () => {
    const c = new ArtifactCollector();
    for (const l of NULL_BUILD) c.add(parseMachineLine(l));
    assert.deepStrictEqual(c.artifacts(), [{
      target: 'null.a', index: 0, builderId: 'fnoeding.null', id: 'Null',
      description: 'Did not export anything. This is the null builder', files: [], amis: [],
    }]);
  });

  it('collects several artifacts, multi-region AMI ids and files', () => {
    const c = new ArtifactCollector();
    for (const l of AMI_BUILD) c.add(parseMachineLine(l));
    assert.deepStrictEqual(c.artifacts(), [
      {
        target: 'amazon-ebs.east', index: 0, builderId: 'mitchellh.amazonebs',
        id: 'us-east-1:ami-0123456789abcdef0,eu-west-1:ami-0fedcba9876543210',
        description: 'AMIs were created:\nus-east-1: ami-0123456789abcdef0\neu-west-1: ami-0fedcba9876543210\n',
        files: [],
        amis: [{ region: 'us-east-1', ami: 'ami-0123456789abcdef0' }, { region: 'eu-west-1', ami: 'ami-0fedcba9876543210' }],
      },
      { target: 'file.notes', index: 0, builderId: 'packer.file', id: 'File', files: ['out/a,b.txt', 'out/c.txt'], amis: [] },
    ]);
  });

  it('reads AMI ids in every region form, ignoring what is not one', () => {
    assert.deepStrictEqual(parseAmiIds('us-gov-west-1:ami-1a2b,cn-north-1:ami-3c4d, ap-southeast-2:ami-5e6f'), [
      { region: 'us-gov-west-1', ami: 'ami-1a2b' }, { region: 'cn-north-1', ami: 'ami-3c4d' }, { region: 'ap-southeast-2', ami: 'ami-5e6f' },
    ]);
    assert.deepStrictEqual(parseAmiIds('Null'), []);
    assert.deepStrictEqual(parseAmiIds('us-east-1:snap-0123'), []);
  });

  it('finds template locations in HCL2 and JSON errors (recorded from Packer 1.6.6)', () => {
    const hcl = parseMachineLine('1795548453,,ui,error,Error: Unsupported argument\\n\\n  on bad.pkr.hcl line 3:\\n  (source code not available)\\n\\nAn argument named "bogus" is not expected here.\\n\\n');
    assert.equal(hcl.kind, 'ui');
    assert.deepStrictEqual(errorLocations((hcl as { text: string }).text, 'bad.pkr.hcl'), [{ file: 'bad.pkr.hcl', line: 3 }]);
    const json = parseMachineLine(`1795548453,,ui,error,Failed to parse template: Error parsing JSON: invalid character '}' looking for beginning of object key string\\nAt line 1%!(PACKER_COMMA) column 51 (offset 51):\\n    1: {"builders":[{"type":"null"%!(PACKER_COMMA)"communicator":"none"%!(PACKER_COMMA)}\\n                                                        ^\\n`);
    assert.deepStrictEqual(errorLocations((json as { text: string }).text, 'bad.json'), [{ file: 'bad.json', line: 1, column: 51 }]);
    // Newer Packer names the block, and other files.
    assert.deepStrictEqual(errorLocations('Error: x\n\n  on vars/net.pkr.hcl line 12, in variable "vpc":\n  12: x', 't.pkr.hcl'), [{ file: 'vars/net.pkr.hcl', line: 12 }]);
    assert.deepStrictEqual(errorLocations('Build \'null\' errored: Script exited with non-zero exit status: 3', 't.json'), []);
  });

  it('splits chunks into lines across chunk boundaries', () => {
    const s = new LineSplitter();
    assert.deepStrictEqual(s.push('17,,ui,say,a%!(PACKER_'), []);
    assert.deepStrictEqual(s.push('COMMA)b\r\n17,,ui,say,c\n17,'), ['17,,ui,say,a%!(PACKER_COMMA)b', '17,,ui,say,c']);
    assert.deepStrictEqual(s.flush(), ['17,']);
    assert.deepStrictEqual(s.flush(), []);
  });

  it('renders lines back to readable text', () => {
    const text = NULL_BUILD.map((l) => renderEvent(parseMachineLine(l), false) ?? '').join('');
    assert.equal(text, [
      '==> null.a: Running local shell script: /tmp/packer-shell3435336537',
      '    null.a: hello, world',
      "Build 'null.a' finished after 8 milliseconds 308 microseconds.",
      '',
      '==> Builds finished. The artifacts of successful builds are:',
      '--> null.a: Did not export anything. This is the null builder',
      '',
    ].join('\n'));
    assert.equal(renderEvent(parseMachineLine('1,,ui,error,Bad\\n'), true), '\u001b[31mBad\u001b[0m\n');
    assert.equal(renderEvent(parseMachineLine('1,,ui,say,==> x'), true), '\u001b[1m==> x\u001b[0m\n');
  });

  it('names the phase a step starts', () => {
    assert.equal(phaseOf('amazon-ebs.a: Provisioning with Ansible...'), 'provisioning');
    assert.equal(phaseOf('amazon-ebs.a: Terminating the source AWS instance...'), 'cleanup');
    assert.equal(phaseOf('amazon-ebs.a: Launching a source AWS instance...'), undefined);
  });
});
