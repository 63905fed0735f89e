import type { RawFinding } from '../../rules/rule';
import { GITHUB_TMPFS_OPTION } from '../githubWorkflow';
import { JENKINS_TMPFS_ARGS } from '../jenkinsfile';
import { socketOnOtherMount, type ContainerRule } from './rule';
import { notMountedMessage } from './tmpNotMounted';

export const ciContainerTmpNotMounted: ContainerRule = {
  id: 'ci-container-tmp-not-mounted',
  defaultSeverity: 'warning',
  description: 'A CI job runs packer build in a container with no mount on /tmp (a GitHub Actions container: without --tmpfs /tmp in options, a Jenkins docker agent without it in args).',
  check(model) {
    if (model.kind !== 'github-workflow' && model.kind !== 'jenkinsfile') return [];
    const out: RawFinding[] = [];
    for (const c of model.containers) {
      if (c.tmp.kind !== 'none' || socketOnOtherMount(c)) continue;
      const remedy = model.kind === 'github-workflow' ? `Add ${GITHUB_TMPFS_OPTION} to container.options.` : `Add ${JENKINS_TMPFS_ARGS} to its args.`;
      const fixes = c.fix ? [{ title: c.fix.title, isPreferred: true, edits: c.fix.edits.map((e) => ({ file: model.file, ...e })) }] : [];
      out.push({ file: model.file, span: c.span, message: notMountedMessage(c, remedy), fixes });
    }
    return out;
  },
};
