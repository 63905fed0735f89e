/** The message both `/tmp` rules give about a container without a mount on /tmp. */
import type { PackerContainer } from '../model';

export function notMountedMessage(c: PackerContainer, remedy: string): string {
  return `/tmp in ${c.label} is not a mount, so Ansible's SSH control socket (which packer-bake's fixes and bakes put in /tmp) lands on the container's own filesystem, where ssh's control master is not dependable; ${c.evidence}. ${remedy}`;
}
