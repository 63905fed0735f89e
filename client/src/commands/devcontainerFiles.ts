/**
 * The files "Packer: Create Dev Container for Packer" writes: a Dockerfile
 * with the toolchain of the bundled bake image (Packer from HashiCorp's image,
 * version in one ARG; ansible-core, the OpenSSH client and boto3 from Debian),
 * and a devcontainer.json that mounts a tmpfs on /tmp and points Ansible's
 * control socket there. Pure: no vscode, no fs.
 */

/** The Packer version when the bundled bake/Dockerfile does not name one (`ARG PACKER_VERSION=`). */
export const DEFAULT_PACKER_VERSION = '1.15.3';

/** The tmpfs the dev container gets: `exec`, because Packer runs the plugins it installs from its temporary directory. */
export const DEVCONTAINER_TMPFS = ['--tmpfs', '/tmp:rw,exec,mode=1777'] as const;

/** Where Ansible puts the control socket (`%%`: Ansible %-formats the path before ssh expands `%h`). */
export const CONTROL_PATH = '/tmp/ansible-ssh-%%h-%%p-%%r';

/** The Debian packages beside Packer, as in bake/Dockerfile (plus git, which a dev container wants). */
export const DEV_PACKAGES = 'ansible-core openssh-client python3-boto3 python3-botocore python3-cffi-backend ca-certificates git';

/** `ARG PACKER_VERSION=<v>` of a Dockerfile (the bundled bake/Dockerfile), if it has one. */
export function packerVersionOf(dockerfile: string): string | undefined {
  return /^ARG\s+PACKER_VERSION=["']?([0-9][0-9A-Za-z.+-]*)["']?\s*$/m.exec(dockerfile)?.[1];
}

export interface DevcontainerFiles {
  /** `.devcontainer/Dockerfile` */
  dockerfile: string;
  /** `.devcontainer/devcontainer.json` (JSONC, with comments) */
  devcontainerJson: string;
}

export function devcontainerFiles(packerVersion: string = DEFAULT_PACKER_VERSION): DevcontainerFiles {
  const dockerfile = `# A dev container for Packer + Ansible, written by "Packer: Create Dev Container
# for Packer" (Packer Bake). The same toolchain as the image Bake AMI runs in:
# Packer from HashiCorp's official image (the version is one ARG), and from
# Debian bookworm ansible-core for the ansible provisioner, the OpenSSH client
# Ansible connects with, boto3/botocore for Ansible's AWS modules, and git.
# The repository and base image are ARGs too, for mirrors (and for tests).
ARG PACKER_VERSION=${packerVersion}
ARG PACKER_REPOSITORY=hashicorp/packer
ARG BASE_IMAGE=debian:bookworm-slim

FROM \${PACKER_REPOSITORY}:\${PACKER_VERSION} AS packer

FROM \${BASE_IMAGE}
ARG DEV_PACKAGES="${DEV_PACKAGES}"
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $DEV_PACKAGES \\
 && rm -rf /var/lib/apt/lists/*
COPY --from=packer /bin/packer /usr/local/bin/packer
`;
  const devcontainerJson = `// A dev container for Packer + Ansible, written by "Packer: Create Dev Container
// for Packer" (Packer Bake). See https://containers.dev/implementors/json_reference/
{
	"name": "Packer",
	"build": {
		"dockerfile": "Dockerfile"
	},
	// A real mount on /tmp for Ansible's SSH control socket: on the container's
	// own filesystem ssh's control master is not dependable. exec: Packer runs
	// the plugins it installs from its temporary directory.
	"runArgs": [${DEVCONTAINER_TMPFS.map((a) => JSON.stringify(a)).join(', ')}],
	"containerEnv": {
		// %% because Ansible %-formats the path before ssh expands %h, %p and %r.
		"ANSIBLE_SSH_CONTROL_PATH": "${CONTROL_PATH}",
		// No update check from Packer.
		"CHECKPOINT_DISABLE": "1"
	},
	// AWS credentials, if your ~/.aws exists (a missing source fails the start):
	// "mounts": ["source=\${localEnv:HOME}/.aws,target=/root/.aws,type=bind,readonly"],
	"customizations": {
		"vscode": {
			"extensions": ["packer-bake.packer-bake"]
		}
	}
}
`;
  return { dockerfile, devcontainerJson };
}
