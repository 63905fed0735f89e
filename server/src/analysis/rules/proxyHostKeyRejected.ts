import { fix, planSpan, usable, valueFix, type RawFinding, type Rule, type RuleContext } from './rule';
import { addListItems } from '../fixes/envVars';
import { replaceValue } from '../settings';
import { resolveValue } from '../evaluate';
import { firstOption, sshOptions } from '../sshArgs';
import { atLeast, OPENSSH_REFUSES_SSH_RSA, proxyOffersOnlyRsa } from '../toolchain';
import { argsOf, type ArgPart, type KnownPlan } from '../socketPlan';

export const ALLOW_SSH_RSA = '-o HostKeyAlgorithms=+ssh-rsa -o PubkeyAcceptedKeyTypes=+ssh-rsa';

/** Whether the first HostKeyAlgorithms option of these arguments admits ssh-rsa. */
export function allowsSshRsa(parts: ArgPart[]): boolean {
  const v = firstOption(sshOptions(argsOf(parts)), 'hostkeyalgorithms');
  return v !== undefined && !v.startsWith('-') && v.split(',').some((a) => a.replace(/^[+^]/, '') === 'ssh-rsa');
}

export const proxyHostKeyRejected: Rule = {
  id: 'proxy-host-key-rejected',
  defaultSeverity: 'warning',
  toolchain: ['packer', 'ansiblePlugin', 'ansible', 'openssh'],
  description: "Packer's SSH proxy will offer an ssh-rsa host key that the OpenSSH client refuses (\"no matching host key type found. Their offer: ssh-rsa\").",
  check(ctx) {
    const out: RawFinding[] = [];
    if (atLeast(ctx.toolchain.openssh, OPENSSH_REFUSES_SSH_RSA) !== true) return out;
    for (const plan of ctx.plans) {
      if (!usable(plan) || !plan.useProxy || plan.argv.ssh.length === 0) continue;
      const keyType = plan.provisioner.attrs.get('ansible_proxy_key_type');
      const kt = keyType && resolveValue(keyType.value, ctx.scope);
      if (kt && kt.kind !== 'string') continue;
      if (proxyOffersOnlyRsa(ctx.toolchain, ctx.requiredPlugins, kt?.value) !== true) continue;
      const ssh = allowsSshRsa(plan.argv.ssh);
      const transfer = allowsSshRsa(plan.argv.transfer);
      // Allowed for ssh only: a transfer that fails on the host key falls back to ssh itself on
      // ansible-core 2.17+ (piped), and the build succeeds (measured on 2.19, docs/facts.md). A
      // transfer that goes through ssh's multiplexed master never negotiates a host key: every task
      // runs ssh before it transfers, so the master is up (measured: the baseline and use_sftp build).
      if (ssh && (transfer || plan.transferFallsBack || reusesSshMaster(plan))) continue;
      const why = `Packer's SSH proxy for this provisioner offers only an ssh-rsa host key, and OpenSSH ${ctx.toolchain.openssh} refuses it ("no matching host key type found. Their offer: ssh-rsa").`;
      const message = ssh
        ? `${why} ssh-rsa is allowed only in --ssh-extra-args, which reaches ssh but not ${plan.transferTool}, and ${plan.transferTool} does not go through ssh's multiplexed connection (${apart(plan)}): file transfers fail on the host key (up to ansible-core 2.16; 2.17 and later fall back to sending files through ssh). Allow it through --ssh-common-args or ANSIBLE_SSH_ARGS.`
        : `${why} Allow it with ${ALLOW_SSH_RSA} through --ssh-common-args, or use packer-plugin-ansible 1.1.0 or later (ECDSA proxy keys).`;
      out.push({ file: ctx.template.file, span: planSpan(plan), message, fixes: [...allowFix(ctx, plan), ...raiseConstraintFix(ctx)] });
    }
    return out;
  },
};

/**
 * Whether the file transfer connects through the master socket ssh opened: both use the same
 * ControlPath and ssh creates the master. Then the transfer negotiates no host key of its own.
 */
export function reusesSshMaster(plan: KnownPlan): boolean {
  const { ssh, transfer } = plan;
  return ssh.kind === 'socket' && transfer.kind === 'socket' && ssh.path !== undefined && ssh.path === transfer.path;
}

/** Why the transfer does not reuse ssh's master, for the message. */
function apart(plan: KnownPlan): string {
  const { ssh, transfer } = plan;
  if (ssh.kind === 'none') return `ssh opens no master: ${ssh.why}`;
  if (transfer.kind === 'none') return `${plan.transferTool} uses no master: ${transfer.why}`;
  return `ssh's ControlPath is ${ssh.path ?? 'not formatted'}, ${plan.transferTool}'s ${transfer.path ?? 'not formatted'}`;
}

function allowFix(ctx: RuleContext, plan: KnownPlan) {
  const title = `Allow ssh-rsa through --ssh-common-args (${ALLOW_SSH_RSA})`;
  const common = plan.sshCommonArgs;
  if (common) return valueFix(ctx, title, true, replaceValue(common, `${common.value} ${ALLOW_SSH_RSA}`.trim()));
  return fix(title, true, addListItems(ctx.template, plan, 'extra_arguments', '--ssh-common-args', ALLOW_SSH_RSA));
}

function raiseConstraintFix(ctx: RuleContext) {
  const required = ctx.requiredPlugins.find((p) => p.name === 'ansible');
  const v = required?.versionValue;
  if (v?.kind !== 'string' || !v.source?.offsets) return [];
  const offsets = v.source.offsets;
  const encode = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return fix('Require packer-plugin-ansible 1.1.0 or later (ECDSA proxy keys)', false, {
    file: v.source.file, start: offsets[0], end: offsets[offsets.length - 1], newText: encode('>= 1.1.0'),
  });
}
