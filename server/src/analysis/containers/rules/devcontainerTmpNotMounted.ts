import * as path from 'path';
import type { RawFinding } from '../../rules/rule';
import { TMPFS_RUN_ARGS } from '../devcontainer';
import { socketOnOtherMount, type ContainerRule } from './rule';
import { notMountedMessage } from './tmpNotMounted';

export const devcontainerTmpNotMounted: ContainerRule = {
  id: 'devcontainer-tmp-not-mounted',
  defaultSeverity: 'warning',
  description: 'A dev container that runs Packer or Ansible has no mount on /tmp (no --tmpfs /tmp in runArgs, no mounts entry, no tmpfs in its compose service), where the SSH control socket goes.',
  check(model) {
    if (model.kind !== 'devcontainer') return [];
    const out: RawFinding[] = [];
    for (const c of model.containers) {
      const fixes = c.fix ? [{ title: c.fix.title, isPreferred: true, edits: c.fix.edits.map((e) => ({ file: model.file, ...e })) }] : [];
      if (c.tmp.kind === 'one-word') {
        const { arg, flag, value } = c.tmp;
        out.push({
          file: model.file,
          span: arg.span,
          severity: 'error',
          message: `"${arg.value}" is one argument: ${flag.startsWith('--') ? `docker and podman reject it as "unknown flag: ${arg.value}"` : `the engine reads the volume as "${arg.value.slice(flag.length)}", space included, and rejects it`}, so the container does not start. Write the flag and its value as two items: "${flag}", "${value}".`,
          fixes,
        });
        continue;
      }
      if (c.tmp.kind !== 'none' || socketOnOtherMount(c)) continue;
      const remedy = c.compose
        ? `runArgs do not apply to a docker-compose dev container: add "tmpfs: [/tmp]" to service "${c.compose.service}" in ${c.compose.files.map((f) => path.basename(f)).join(' or ')}.`
        : `Add "${TMPFS_RUN_ARGS[0]}", "${TMPFS_RUN_ARGS[1]}" to runArgs.`;
      out.push({ file: model.file, span: c.span, message: notMountedMessage(c, remedy), fixes });
    }
    return out;
  },
};
