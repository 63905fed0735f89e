/**
 * `packer-bake-language-server`: the language server as a command for editors
 * other than VS Code (Neovim, Helix, Zed, ...), which start it as
 * `packer-bake-language-server --stdio`. Nothing VS Code-specific is needed:
 * without `workspace/configuration` (or with null answers) every setting has
 * its default, and without client file watchers the server reads dependencies
 * (ansible.cfg, var files) from disk again for each analysis.
 */
import * as path from 'path';

/** package.json's version, put in by the build (scripts/esbuildOptions.cjs). */
declare const PACKER_BAKE_VERSION: string | undefined;

const USAGE = `Usage: packer-bake-language-server [--stdio | --node-ipc | --socket=<port> | --pipe=<name>]

The packer-bake language server (Language Server Protocol): diagnostics and
quick fixes for the Ansible SSH control-socket problems in Packer templates.
Talks over stdin/stdout by default (--stdio).

Options:
  -h, --help      show this help
  -v, --version   show the version`;

const TRANSPORTS = /^--(stdio|node-ipc|socket=|pipe=)/;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
} else if (args.includes('--version') || args.includes('-v')) {
  process.stdout.write(`${typeof PACKER_BAKE_VERSION === 'string' ? PACKER_BAKE_VERSION : '0.0.0'}\n`);
} else {
  // vscode-languageserver reads the transport from the command line and throws without one.
  if (!args.some((a) => TRANSPORTS.test(a))) process.argv.push('--stdio');
  // The server bundle beside this file (dist/server.js, the one VS Code runs too), not a second copy of it.
  require(path.join(__dirname, 'server.js'));
}
