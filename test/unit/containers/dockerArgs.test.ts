import assert from 'node:assert/strict';
import { mountTarget, splitOptions, tmpMount, type RunArg } from '../../../server/src/analysis/containers/dockerArgs';

const args = (...values: string[]): RunArg[] => values.map((value, i) => ({ value, span: { start: i, end: i + 1 }, dynamic: value.includes('${') }));
const kind = (...values: string[]) => tmpMount(args(...values)).kind;

describe('docker run arguments: is /tmp a mount?', () => {
  const mounted: string[][] = [
    ['--tmpfs', '/tmp'], ['--tmpfs=/tmp:rw,exec,mode=1777'], ['--tmpfs', '//tmp/'],
    ['-v', '/tmp:/tmp'], ['-v', '/tmp'], ['-v', 'vol:/tmp:ro'], ['-v', '/tmp:ro'], ['-v=/x:/tmp'], ['-v/x:/tmp'], ['-itv', 'x:/tmp'],
    ['--volume', 'x:/tmp:z'], ['--volume=x:/tmp'],
    ['--mount', 'type=tmpfs,destination=/tmp'], ['--mount=type=bind,src=/tmp,target=/tmp'], ['--mount', 'type=volume,dst=/tmp,volume-driver=local'],
    ['--init', '--cap-add', 'SYS_ADMIN', '--tmpfs', '/tmp'],
  ];
  for (const a of mounted) it(`mounted: ${a.join(' ')}`, () => assert.equal(kind(...a), 'mounted'));

  const none: string[][] = [
    [], ['--init'], ['--tmpfs', '/tmp/cache'], ['--tmpfs', '/run'], ['-v', 'tmp:/data'], ['-v', '/tmp:/data'], ['--mount', 'type=bind,source=/tmp,target=/data'],
    ['-e', 'TMPDIR=/tmp'], ['--tmpfs'], ['-i', '-t'],
  ];
  for (const a of none) it(`not mounted: ${a.join(' ') || '(nothing)'}`, () => assert.equal(kind(...a), 'none'));

  it('lists the other mount targets', () => {
    assert.deepEqual(tmpMount(args('-v', '/var/run/docker.sock:/var/run/docker.sock', '--tmpfs', '/run/', '--mount', 'type=volume,target=/cache')), { kind: 'none', targets: ['/var/run/docker.sock', '/run', '/cache'] });
  });
  it('is unknown for --volumes-from, a whole argument from a variable, a target from a variable', () => {
    for (const a of [['--volumes-from', 'tools'], ['${localEnv:RUN_ARGS}'], ['-v', 'x:${localEnv:TARGET}']]) assert.equal(kind(...a), 'unknown', a.join(' '));
  });
  it('knows a target even when the source is a variable', () => {
    assert.equal(kind('-v', '${localEnv:HOME}/.cache:/tmp'), 'mounted');
    assert.equal(kind('-v', '${localEnv:HOME}/.aws:/root/.aws'), 'none');
  });
  it('finds a flag and its value written as one argument', () => {
    const a = args('--tmpfs /tmp:exec');
    assert.deepEqual(tmpMount(a), { kind: 'one-word', arg: a[0], flag: '--tmpfs', value: '/tmp:exec' });
    assert.equal(kind('-v /tmp:/tmp'), 'one-word');
    assert.equal(kind('--tmpfs /run'), 'none');
  });
  it('reads mount targets', () => {
    assert.equal(mountTarget('volume', 'C:/tmp'), '/tmp');
    assert.equal(mountTarget('volume', 'a:/b:/c'), '/b');
    assert.equal(mountTarget('mount', 'type=tmpfs,"target=/tmp"'), undefined);
    assert.equal(mountTarget('mount', 'type=tmpfs,Target="/tmp"'), '/tmp');
  });
  it('splits an options string like a shell, and refuses unbalanced quotes', () => {
    assert.deepEqual(splitOptions(`--user root -e 'A=b c' --tmpfs=/tmp`, { start: 0, end: 9 }, false)?.map((a) => a.value), ['--user', 'root', '-e', 'A=b c', '--tmpfs=/tmp']);
    assert.equal(splitOptions(`--tmpfs '/tmp`, { start: 0, end: 1 }, false), undefined);
  });
});
