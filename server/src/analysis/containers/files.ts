/**
 * Which files the container analysis reads: dev container configurations and
 * the CI files whose containers run `packer build`. Decided by path alone.
 */
export type ContainerFileKind = 'devcontainer' | 'github-workflow' | 'jenkinsfile';

/**
 * Hidden folders that hold such files (the workspace scan skips other hidden
 * folders): `.devcontainer/` and `.github/` (for `.github/workflows/`).
 */
export const CONTAINER_DIRS: ReadonlySet<string> = new Set(['.devcontainer', '.github']);

/**
 * The kind of a container file, or undefined:
 * - `.devcontainer/devcontainer.json`, `.devcontainer/<name>/devcontainer.json`
 *   and `.devcontainer.json` (the places the Dev Containers spec looks);
 * - `.github/workflows/*.yml|yaml` (GitHub reads no subfolders there);
 * - `Jenkinsfile`, `Jenkinsfile.<x>`, `<x>.Jenkinsfile` (Jenkins' script path is
 *   configurable; these are the names teams use).
 */
export function containerFileKind(file: string): ContainerFileKind | undefined {
  const parts = file.split(/[\\/]/);
  const base = parts[parts.length - 1];
  const parent = parts[parts.length - 2];
  const grandparent = parts[parts.length - 3];
  if (base === '.devcontainer.json') return 'devcontainer';
  if (base === 'devcontainer.json' && (parent === '.devcontainer' || grandparent === '.devcontainer')) return 'devcontainer';
  if (parent === 'workflows' && grandparent === '.github' && /\.ya?ml$/i.test(base)) return 'github-workflow';
  if (/^Jenkinsfile(\.[^.]+)?$/.test(base) || /\.jenkinsfile$/i.test(base)) return 'jenkinsfile';
  return undefined;
}

