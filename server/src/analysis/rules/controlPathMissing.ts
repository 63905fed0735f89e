import { fix, planSpan, usable, type Rule } from './rule';
import { addEnvVar } from '../fixes/envVars';
import type { KnownPlan } from '../socketPlan';

/** The canonical fix: the socket on /tmp, `%%` because Ansible %-formats the value first. */
export const SAFE_CONTROL_PATH = '/tmp/ansible-ssh-%%h-%%p-%%r';
export const SAFE_CONTROL_PATH_DIR = '/tmp/ansible-cp';

export const controlPathMissing: Rule = {
  id: 'control-path-missing',
  defaultSeverity: 'warning',
  description: "An ansible provisioner's SSH control socket will be created in Ansible's default ~/.ansible/cp, which breaks in many containers.",
  check(ctx) {
    const out = [];
    for (const plan of ctx.plans) {
      if (!usable(plan)) continue;
      const ssh = plan.ssh.kind === 'socket' && plan.ssh.inDefaultDir;
      const transfer = plan.transfer.kind === 'socket' && plan.transfer.inDefaultDir;
      if (!ssh && !transfer) continue;
      const fixes = [
        ...fix('Put the control socket under /tmp (ANSIBLE_SSH_CONTROL_PATH)', true, addEnvVar(ctx.template, plan, `ANSIBLE_SSH_CONTROL_PATH=${SAFE_CONTROL_PATH}`)),
        ...fix('Put the control socket directory under /tmp (ANSIBLE_SSH_CONTROL_PATH_DIR)', false, addEnvVar(ctx.template, plan, `ANSIBLE_SSH_CONTROL_PATH_DIR=${SAFE_CONTROL_PATH_DIR}`)),
        // Adding ANSIBLE_SSH_ARGS would silently replace ssh_args the user already set.
        ...(plan.sshArgs ? [] : fix('Turn SSH multiplexing off (ANSIBLE_SSH_ARGS)', false, addEnvVar(ctx.template, plan, 'ANSIBLE_SSH_ARGS=-C -o ControlMaster=no'))),
      ];
      out.push({ file: ctx.template.file, span: planSpan(plan), message: message(plan, ssh, transfer), fixes });
    }
    return out;
  },
};

function message(plan: KnownPlan, ssh: boolean, transfer: boolean): string {
  const where = plan.override ? ` for builder "${plan.override.builder}"` : '';
  const base = `Ansible will create the SSH control socket${where} in ~/.ansible/cp, where Unix sockets can fail inside a container (on a network or host-mounted home: "unix_listener: cannot bind to path ...: Operation not permitted").`;
  const fixIt = ' Set ANSIBLE_SSH_CONTROL_PATH under /tmp in ansible_env_vars.';
  if (ssh && !transfer) {
    return `${base} The ControlPath given for ${plan.transferTool} does not reach ssh.${fixIt}`;
  }
  if (!ssh && transfer) {
    const extra = plan.sshExtraArgs ? `${plan.sshExtraArgs.label}${plan.sshExtraArgs.where === 'ansible.cfg' ? ' in ansible.cfg' : ''}` : '--ssh-extra-args';
    return `Ansible's file transfers (${plan.transferTool}) will create their SSH control socket${where} in ~/.ansible/cp: the ControlPath in ${extra} reaches only ssh, not ${plan.transferTool}. Unix sockets there can fail inside a container.${fixIt}`;
  }
  return base + fixIt;
}
