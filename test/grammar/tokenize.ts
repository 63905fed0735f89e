// Tokenizes text with the extension's TextMate grammars through vscode-textmate
// and vscode-oniguruma, the same engine VS Code uses, wired the way VS Code
// wires them from package.json (contributes.grammars, injectTo).
import fs from 'node:fs';
import path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

const root = path.join(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  contributes: { grammars: { scopeName: string; path: string; injectTo?: string[] }[] };
};

/** Grammars by scope name: the extension's own, plus VS Code's JSON grammar as a fixture. */
const grammarFiles = new Map<string, string>([
  ['source.json', path.join(__dirname, 'fixtures', 'JSON.tmLanguage.json')],
  ...manifest.contributes.grammars.map((g): [string, string] => [g.scopeName, path.join(root, g.path)]),
]);

function injectionsFor(scopeName: string): string[] {
  return manifest.contributes.grammars.filter((g) => g.injectTo?.includes(scopeName)).map((g) => g.scopeName);
}

let registry: vsctm.Registry | undefined;

function getRegistry(): vsctm.Registry {
  if (registry) return registry;
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  const onigLib = oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength)).then(() => ({
    createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
    createOnigString: (s: string) => new oniguruma.OnigString(s),
  }));
  registry = new vsctm.Registry({
    onigLib,
    loadGrammar: async (scopeName) => {
      const file = grammarFiles.get(scopeName);
      if (!file) return null;
      return vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
    getInjections: injectionsFor,
  });
  return registry;
}

/** One token: its text and its full scope list, outermost first. */
export interface Token {
  text: string;
  scopes: string[];
}

/** Tokenizes every line of `text` with the grammar `scopeName`. */
export async function tokenize(scopeName: string, text: string): Promise<Token[][]> {
  const grammar = await getRegistry().loadGrammar(scopeName);
  if (!grammar) throw new Error(`no grammar for ${scopeName}`);
  let state = vsctm.INITIAL;
  return text.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
}

/**
 * The scopes of the `nth` token (0-based) whose text is exactly `text`, with
 * the grammar's root scope left off, or, given `from`, starting at the first
 * scope that begins with `from`. Throws with all tokens when there is none.
 */
export function scopesOf(lines: Token[][], text: string, opts: { nth?: number; from?: string } = {}): string[] {
  const token = lines.flat().filter((t) => t.text === text)[opts.nth ?? 0];
  if (!token) {
    const dump = lines.map((l) => l.map((t) => JSON.stringify(t.text)).join(' ')).join('\n');
    throw new Error(`no token ${JSON.stringify(text)} (#${opts.nth ?? 0}) in:\n${dump}`);
  }
  if (opts.from === undefined) return token.scopes.slice(1);
  const i = token.scopes.findIndex((s) => s.startsWith(opts.from!));
  return i < 0 ? token.scopes : token.scopes.slice(i);
}
