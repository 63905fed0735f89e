import { fix, planSpan, usable, valueFix, type RawFinding, type Rule } from './rule';
import { addBoolAttribute, addListItems } from '../fixes/envVars';
import { replaceValue } from '../settings';
import { splitArgs } from '../sshArgs';
import { atLeast, OPENSSH_SCP_USES_SFTP } from '../toolchain';

export const scpSftpMismatch: Rule = {
  id: 'scp-sftp-mismatch',
  defaultSeverity: 'warning',
  toolchain: ['ansible', 'openssh'],
  description: 'File transfers will fail ("failed to transfer file"): OpenSSH 9 scp speaks SFTP through Packer\'s proxy, which does not complete it; pass -O or set use_sftp.',
  check(ctx) {
    const out: RawFinding[] = [];
    if (atLeast(ctx.toolchain.openssh, OPENSSH_SCP_USES_SFTP) !== true) return out;
    for (const plan of ctx.plans) {
      if (!usable(plan) || !plan.useProxy || plan.argv.ssh.length === 0 || plan.transferTool !== 'scp') continue;
      const extra = plan.transferExtraArgs;
      if (extra && (splitArgs(extra.value) ?? []).includes('-O')) continue;
      const fixes = [
        ...(extra
          ? valueFix(ctx, "Use scp's legacy protocol (-O in --scp-extra-args)", true, replaceValue(extra, `${extra.value} -O`.trim()))
          : fix("Use scp's legacy protocol (--scp-extra-args '-O')", true, addListItems(ctx.template, plan, 'extra_arguments', '--scp-extra-args', "'-O'"))),
        ...fix('Transfer files with sftp (use_sftp)', false, addBoolAttribute(ctx.template, plan, 'use_sftp', true)),
      ];
      out.push({
        file: ctx.template.file,
        span: planSpan(plan),
        message: `Ansible's file transfers will fail ("failed to transfer file"): OpenSSH ${ctx.toolchain.openssh} scp speaks SFTP, and Packer's SSH proxy ends that session without an exit status. Pass "--scp-extra-args", "'-O'" (scp's legacy protocol) or set use_sftp.`,
        fixes,
      });
    }
    return out;
  },
};
