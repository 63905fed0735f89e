/** The container analysis: dev container configurations and CI files, the other side of the control-socket problem. */
export { containerFileKind, CONTAINER_DIRS, type ContainerFileKind } from './files';
export { analyzeContainerFile, readContainerFile } from './analyze';
export { CONTAINER_RULES, type ContainerRule } from './rules';
export type { ContainerModel, PackerContainer, EnvSetting } from './model';
