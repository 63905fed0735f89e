import type { ContainerRule } from './rule';
import { devcontainerTmpNotMounted } from './devcontainerTmpNotMounted';
import { ciContainerTmpNotMounted } from './ciContainerTmpNotMounted';
import { envControlPathUnescapedPercent } from './envControlPathUnescapedPercent';

/** Every container rule, in the order their findings are listed. */
export const CONTAINER_RULES: readonly ContainerRule[] = [devcontainerTmpNotMounted, ciContainerTmpNotMounted, envControlPathUnescapedPercent];

export type { ContainerRule } from './rule';
