/**
 * What "Packer: Create Dev Container for Packer" and "Packer: Add CI Bake Job"
 * write, decided from what the workspace folder already holds: which files to
 * create, or (never overwriting) which snippet to offer instead and where it
 * belongs. Pure: no `vscode`, no `fs`; the caller says which files exist and
 * gives their text.
 */
import path from 'node:path';
import { gitlabCi, gitlabJobs, githubWorkflow, jenkinsfile, jenkinsStages, appendGitlabJobs, type BakeTarget, type CiOptions, type CiSystem } from './ciJobFiles';
import { devcontainerFiles } from './devcontainerFiles';

/** A file to create, relative to the workspace folder, with `/`. */
export interface NewFile {
  path: string;
  text: string;
}

/* ------------------------------------------------------------------ dev container */

/** Where a dev container configuration may already be, in the order the Dev Containers CLI looks. */
export const DEVCONTAINER_CONFIGS = ['.devcontainer/devcontainer.json', '.devcontainer.json'] as const;
export const DEVCONTAINER_DOCKERFILE = '.devcontainer/Dockerfile';
/** The Dockerfile's name when `.devcontainer/Dockerfile` belongs to something else already. */
export const DEVCONTAINER_DOCKERFILE_ALT = '.devcontainer/packer.Dockerfile';

export type DevcontainerPlan =
  | { kind: 'create'; files: NewFile[]; open: string }
  | { kind: 'exists'; existing: string };

/**
 * The files for a folder; `exists(rel)` says whether a path is taken. A folder
 * that has a dev container configuration gets none (the user is offered to
 * open it). A `.devcontainer/Dockerfile` without one is left alone: the new
 * devcontainer.json builds `packer.Dockerfile` instead.
 */
export function planDevcontainer(exists: (rel: string) => boolean, packerVersion?: string): DevcontainerPlan {
  const existing = DEVCONTAINER_CONFIGS.find(exists);
  if (existing) return { kind: 'exists', existing };
  const files = devcontainerFiles(packerVersion);
  let dockerfile = DEVCONTAINER_DOCKERFILE;
  let json = files.devcontainerJson;
  if (exists(DEVCONTAINER_DOCKERFILE)) {
    dockerfile = DEVCONTAINER_DOCKERFILE_ALT;
    if (exists(dockerfile)) return { kind: 'exists', existing: dockerfile };
    json = json.replace('"dockerfile": "Dockerfile"', `"dockerfile": "${path.posix.basename(dockerfile)}"`);
  }
  return { kind: 'create', files: [{ path: dockerfile, text: files.dockerfile }, { path: DEVCONTAINER_CONFIGS[0], text: json }], open: DEVCONTAINER_CONFIGS[0] };
}

/* ------------------------------------------------------------------ CI job */

export interface CiSystemInfo {
  id: CiSystem;
  label: string;
  /** The file the job goes to, relative to the workspace folder. */
  file: string;
  /** VS Code language id of that file. */
  language: string;
  detail: string;
}

/** The systems in the order the quick pick lists them. */
export const CI_SYSTEMS: readonly CiSystemInfo[] = [
  { id: 'jenkins', label: 'Jenkins', file: 'Jenkinsfile', language: 'groovy', detail: 'A declarative Jenkinsfile: a lint stage, then a bake stage on a Docker Pipeline agent with args \'--tmpfs /tmp:rw,exec\'' },
  { id: 'github', label: 'GitHub Actions', file: '.github/workflows/packer-bake.yml', language: 'yaml', detail: 'A workflow: lint with SARIF into code scanning, then bake in a container with options --tmpfs /tmp:exec' },
  { id: 'gitlab', label: 'GitLab CI', file: '.gitlab-ci.yml', language: 'yaml', detail: 'Two jobs: lint with SARIF as an artifact, then bake in the bake image (socket on /dev/shm)' },
];

export function ciSystem(id: CiSystem): CiSystemInfo {
  return CI_SYSTEMS.find((s) => s.id === id)!;
}

/** The part of a bake configuration (client/src/bake/configurations.ts) a CI job needs. */
export interface CiConfiguration {
  /** The legacy JSON template, or the HCL2 folder (absolute). */
  target: string;
  format: 'json' | 'hcl';
  /** Where Packer runs (absolute; empty: the template's folder). */
  workingDirectory: string;
  requiresInit: boolean;
}

/**
 * The bake target of a configuration, relative to the workspace folder
 * `root`: Packer runs in the configuration's working directory, as in Bake
 * AMI, unless that lies outside the folder (then in the template's folder).
 * Undefined when the configuration itself is outside the folder.
 */
export function bakeTargetFor(root: string, c: CiConfiguration, only: string[] = [], hostPath: path.PlatformPath = path): BakeTarget | undefined {
  const inside = (p: string) => { const r = hostPath.relative(root, p); return r === '' || (!r.startsWith('..') && !hostPath.isAbsolute(r)); };
  const posix = (p: string) => p.split(hostPath.sep).join('/');
  if (!inside(c.target)) return undefined;
  const folder = c.format === 'json' ? hostPath.dirname(c.target) : c.target;
  const cwd = c.workingDirectory && inside(c.workingDirectory) ? c.workingDirectory : folder;
  const dir = posix(hostPath.relative(root, cwd)) || '.';
  const target = posix(hostPath.relative(cwd, c.target)) || '.';
  return { dir, target, only, varFiles: [], init: c.requiresInit };
}

export type CiPlan =
  | { kind: 'create'; file: NewFile }
  /** The file exists: `snippet` is what to paste, `where` says where, in a sentence. */
  | { kind: 'snippet'; file: string; language: string; snippet: string; where: string };

/**
 * The job for `system`; `existing` is the text of the file it would go to, if
 * that file exists. An existing file is never changed: the caller shows the
 * snippet in a new untitled document with `where`.
 */
export function planCiJob(system: CiSystem, o: CiOptions, existing: string | undefined): CiPlan {
  const info = ciSystem(system);
  if (existing === undefined) {
    const text = system === 'github' ? githubWorkflow(o) : system === 'jenkins' ? jenkinsfile(o) : gitlabCi(o);
    return { kind: 'create', file: { path: info.file, text } };
  }
  switch (system) {
    case 'jenkins':
      return {
        kind: 'snippet', file: info.file, language: info.language,
        snippet: `${jenkinsStages(o, '    ')}\n`,
        where: `${info.file} exists: paste these two stages inside its pipeline's stages { ... } block, after the last stage (a declarative pipeline; the Docker Pipeline plugin runs the bake stage's agent).`,
      };
    case 'gitlab': {
      const appended = appendGitlabJobs(existing, o);
      const snippet = 'newText' in appended ? appended.newText.replace(/^(\r?\n)+/, '') : gitlabJobs(o);
      const stage = 'newText' in appended ? /^packer-bake:\n {2}stage: (.*)$/m.exec(snippet.replace(/\r\n/g, '\n'))?.[1] : undefined;
      const note = stage ? ` (the bake job runs in its stage "${stage}")` : 'reason' in appended ? `; check them first: ${appended.reason}` : '';
      return {
        kind: 'snippet', file: info.file, language: info.language, snippet,
        where: `${info.file} exists: paste these two jobs at the end of it, as top-level keys${note}.`,
      };
    }
    case 'github':
      return {
        kind: 'snippet', file: info.file, language: info.language, snippet: githubWorkflow(o),
        where: `${info.file} exists: save this workflow under another name in .github/workflows/, or merge its lint and bake jobs into the existing one.`,
      };
  }
}

/** A default for the image the CI job bakes in: the setting's, else a placeholder that names what to push. */
export function defaultCiImage(settingImage: string, version: string): string {
  return settingImage.trim() || `ghcr.io/OWNER/packer-bake:${version}`;
}

/** Why an image reference cannot go into a job file, or undefined when it can. */
export function checkImage(image: string): string | undefined {
  if (image.trim() === '') return 'Enter the image the CI job pulls (bake/Dockerfile of Packer Bake, pushed to your registry).';
  const ref = image.trim();
  if (!/^[a-z0-9][a-z0-9._\-/:@]*$/i.test(ref)) return 'An image reference has no spaces, quotes or other special characters: registry/name:tag.';
  // The repository path (after the registry host, before :tag or @digest) is lowercase in every engine.
  const name = ref.replace(/@.*$/, '').replace(/:[^:/]*$/, '');
  const host = name.includes('/') ? name.split('/')[0]! : '';
  const repository = /[.:]/.test(host) || host === 'localhost' ? name.slice(host.length + 1) : name;
  if (repository !== repository.toLowerCase()) return `The repository part of an image reference is lowercase: replace ${JSON.stringify(repository)} with yours.`;
  return undefined;
}
