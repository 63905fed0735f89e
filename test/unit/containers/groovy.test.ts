import assert from 'node:assert/strict';
import { statements, tokenize, type Statement } from '../../../server/src/analysis/containers/groovy';

const strings = (text: string) => tokenize(text)!.filter((t) => t.kind === 'string').map((t) => [t.quote, t.value, !!t.dynamic]);
/** Statement heads as text, nested blocks in brackets. */
const shape = (list: Statement[]): unknown[] => list.map((s) => (s.block ? [s.head.map((t) => t.text).join(' '), shape(s.block.statements)] : s.head.map((t) => t.text).join(' ')));

describe('Groovy lexer and block scanner (Jenkinsfiles)', () => {
  it('reads every string form with its value', () => {
    assert.deepEqual(strings(`a 'it\\'s' "x\${y}" '''one 'two' '' ''' """q "" \\$z""" $/a/b/$ x = /c\\/d/`), [
      ["'", "it's", false], ['"', 'x${y}', true], ["'''", "one 'two' '' ", false], ['"""', 'q "" $z', false], ['$/', 'a/b', false], ['/', 'c/d', false],
    ]);
  });
  it('tells division from a slashy string', () => {
    assert.deepEqual(strings('def n = total / count / 2'), []);
    assert.deepEqual(strings('if (x =~ /pack{er}/) { }'), [['/', 'pack{er}', false]]);
  });
  it('skips comments and a shebang, and joins continued lines', () => {
    assert.deepEqual(tokenize('#!groovy\n// "x" {\n/* \'y\' } */ a \\\n b')!.filter((t) => t.kind !== 'newline').map((t) => t.text), ['a', 'b']);
  });
  it('refuses an unterminated string or comment', () => {
    for (const t of ["'abc\n'", '"""abc', '/* x', '$/ x']) assert.equal(tokenize(t), undefined, t);
  });
  it('nests blocks, one statement per line or semicolon, one-line blocks too', () => {
    const text = "pipeline {\n  agent { docker { image 'x'; args '-v a:b' } }\n  stages { stage('a') { steps { sh 'y' } } }\n}";
    assert.deepEqual(shape(statements(tokenize(text)!)!), [
      ['pipeline', [['agent', [['docker', ["image 'x'", "args '-v a:b'"]]]], ['stages', [["stage ( 'a' )", [['steps', ["sh 'y'"]]]]]]]],
    ]);
  });
  it('keeps a parenthesised multi-line argument list as one statement, with its closures', () => {
    const list = statements(tokenize("parallel(\n  a: { sh 'x' },\n  b: { sh 'y' }\n)")!)!;
    assert.equal(list.length, 1);
    assert.deepEqual(list[0].head.filter((t) => t.block).length, 2);
  });
  it('refuses unbalanced braces, brackets and parentheses', () => {
    for (const t of ['a {', 'a }', 'f(a', 'f(a]', '[1, 2']) assert.equal(statements(tokenize(t)!), undefined, t);
  });
});
