// The documentation shipped inside the extension (dist/docs/): the rule pages
// a diagnostic's link opens in VS Code, offline, and docs/facts.md they cite.
// Relative links to files that are not shipped (examples/, tests) become
// links into the repository (package.json's `repository`).
'use strict';
const fs = require('fs');
const path = require('path');
const { repositoryUrl } = require('./repository.cjs');

/** Repository paths (relative to the root, POSIX) of the shipped pages. */
function shippedPages(root) {
  const rules = fs.readdirSync(path.join(root, 'docs', 'rules')).filter((f) => f.endsWith('.md')).sort();
  return ['docs/facts.md', ...rules.map((f) => `docs/rules/${f}`)];
}

/**
 * `text` (the page at repository path `page`) with every relative link whose
 * target is not in `shipped` pointing at the repository instead.
 */
function rewriteLinks(text, page, shipped, repo) {
  return text.replace(/\]\(([^)\s]+)\)/g, (whole, target) => {
    if (/^([a-z][a-z0-9+.-]*:|#|\/)/i.test(target)) return whole;
    const [file, anchor] = target.split('#', 2);
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(page), file));
    if (resolved.startsWith('..')) return whole;
    if (shipped.includes(resolved)) return whole;
    const kind = file.endsWith('/') ? 'tree' : 'blob';
    return `](${repo}/${kind}/main/${resolved.replace(/\/$/, '')}${file.endsWith('/') ? '/' : ''}${anchor ? `#${anchor}` : ''})`;
  });
}

/** Writes the shipped pages into `<out>/docs/`, links rewritten. Returns their repository paths. */
function copyDocs(root, out) {
  const repo = repositoryUrl(root);
  const shipped = shippedPages(root);
  for (const page of shipped) {
    const target = path.join(out, page);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, rewriteLinks(fs.readFileSync(path.join(root, page), 'utf8'), page, shipped, repo));
  }
  return shipped;
}

module.exports = { copyDocs, rewriteLinks, shippedPages };
