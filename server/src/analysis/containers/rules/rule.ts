/**
 * A container rule: a query over what a dev container configuration or CI
 * file says about the containers Packer runs in. Same contract as the
 * template rules (`../../rules/rule.ts`): a stable id, a default severity,
 * one line of description, and raw findings with their fixes.
 */
import type { Severity } from '../../types';
import type { RawFinding } from '../../rules/rule';
import type { ContainerModel, PackerContainer } from '../model';
import { underMount } from '../dockerArgs';

export interface ContainerRule {
  id: string;
  defaultSeverity: Severity;
  description: string;
  check(model: ContainerModel): RawFinding[];
}

/**
 * True when the container's environment puts the control socket in a
 * directory that is a mount (or /dev/shm) other than /tmp: then /tmp does not
 * matter. `ANSIBLE_SSH_CONTROL_PATH_DIR` counts for a control path that starts
 * with `%(directory)s` or when no control path is set.
 */
export function socketOnOtherMount(c: PackerContainer): boolean {
  if (c.tmp.kind !== 'none') return false;
  const targets = c.tmp.targets;
  const path = c.env.find((e) => e.name === 'ANSIBLE_SSH_CONTROL_PATH')?.value;
  const dir = c.env.find((e) => e.name === 'ANSIBLE_SSH_CONTROL_PATH_DIR')?.value;
  if (path !== undefined && !path.startsWith('%(directory)s')) {
    const slash = path.lastIndexOf('/');
    return slash > 0 && underMount(path.slice(0, slash), targets);
  }
  return dir !== undefined && underMount(dir, targets);
}
