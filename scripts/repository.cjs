// The project's repository URL, from the `repository` field of package.json:
// the one place the docs links (rule pages, SARIF helpUri) come from. The
// build injects it into every bundle (esbuild `define`, esbuildOptions.cjs);
// code run from sources (tests, benchmarks) calls this directly.
'use strict';
const fs = require('fs');
const path = require('path');

/**
 * https URL of a package.json `repository` value: an object with `url`, or a
 * string (`git+https://host/o/r.git`, `github:o/r`, `o/r`).
 */
function normalizeRepository(repository) {
  let url = typeof repository === 'string' ? repository : repository && typeof repository.url === 'string' ? repository.url : undefined;
  if (!url) throw new Error('package.json has no repository URL');
  const shorthand = /^(?:github:)?([\w.-]+\/[\w.-]+)$/.exec(url);
  if (shorthand) url = `https://github.com/${shorthand[1]}`;
  url = url.replace(/^git\+/, '').replace(/^git:\/\//, 'https://').replace(/^ssh:\/\/git@/, 'https://').replace(/\.git$/, '').replace(/\/+$/, '');
  if (!/^https:\/\//.test(url)) throw new Error(`package.json repository "${url}" is not an https URL`);
  return url;
}

/** The repository URL of the package.json at the project root. */
function repositoryUrl(root = path.join(__dirname, '..')) {
  return normalizeRepository(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).repository);
}

module.exports = { normalizeRepository, repositoryUrl };
