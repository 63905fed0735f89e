/**
 * The project's repository URL (package.json's `repository`), for links to
 * the rule pages and the SARIF tool URL. The build puts it into each bundle
 * with esbuild `define` (scripts/esbuildOptions.cjs), which also drops the
 * fallback below; code run from sources (tests under tsx) reads package.json.
 */
declare const PACKER_BAKE_REPOSITORY: string | undefined;

export const REPOSITORY_URL: string =
  typeof PACKER_BAKE_REPOSITORY === 'string'
    ? PACKER_BAKE_REPOSITORY
    : (require('../../../scripts/repository.cjs') as { repositoryUrl(): string }).repositoryUrl();

/** Where the rule pages live in the repository (a rule's page is `<this><id>.md`). */
export const RULE_DOCS_BASE = `${REPOSITORY_URL}/blob/main/docs/rules/`;
