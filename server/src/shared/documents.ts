/**
 * Which files the server wants to see, declared once for the server (its file
 * watchers) and the VS Code client (its document selector). By name, never by
 * language id: other Packer extensions give `*.pkr.hcl` the language `packer`
 * (4ops.packer, Packer Powertools) or `hcl` (HashiCorp HCL), and a user's
 * `files.associations` may give it any other. Imports nothing.
 */

/** Glob patterns of templates and the files templates depend on (var files, ansible.cfg). */
export const TEMPLATE_FILE_PATTERNS = ['**/*.json', '**/*.pkr.hcl', '**/*.pkr.json', '**/*.pkrvars.hcl', '**/ansible.cfg'] as const;

/**
 * The containers Packer runs in: CI files with their own findings
 * (devcontainer.json is among the JSON files above).
 */
export const CONTAINER_FILE_PATTERNS = ['**/.github/workflows/*.{yml,yaml}', '**/{Jenkinsfile,Jenkinsfile.*,*.jenkinsfile,*.Jenkinsfile}'] as const;

/** The container files and what they read (compose files, Dockerfiles, the rest of .devcontainer/), for the watchers. */
export const CONTAINER_WATCH_PATTERNS = ['**/*.{yml,yaml}', '**/{Jenkinsfile,Jenkinsfile.*,*.jenkinsfile,*.Jenkinsfile}', '**/.devcontainer/**', '**/{Dockerfile,*.Dockerfile,Containerfile}'] as const;

/**
 * Language ids of unsaved (untitled) documents that can be templates: they have
 * no file name, so their language is all there is to go by.
 */
export const UNTITLED_TEMPLATE_LANGUAGES = ['json', 'jsonc', 'packer-hcl', 'packer', 'hcl'] as const;
