import { planSpan, valueFix, type RawFinding, type Rule } from './rule';
import { replaceValue } from '../settings';

/**
 * A setting ssh cannot use under some ansible-core versions: a value wrapped
 * in quotes (`ANSIBLE_SSH_ARGS='-o A -o B'`, as Packer's docs show) that
 * ansible-core 2.15 and later keep (they unquote only ansible.cfg values,
 * ansible/ansible#82387), so ssh gets one word holding several options; or
 * the items of `ansible_ssh_extra_args` quoted one by one by newer
 * packer-plugin-ansible releases, which ansible-core 2.14 splits wrongly.
 * The versions a finding holds for are added by the analysis.
 */
export const quotedSetting: Rule = {
  id: 'quoted-setting',
  defaultSeverity: 'error',
  toolchain: ['packer', 'ansiblePlugin', 'ansible'],
  description: 'A setting in ansible_env_vars or extra_arguments is quoted so that ssh gets several options as one argument on some ansible-core versions, and fails ("extra arguments at end of line").',
  check(ctx) {
    const out: RawFinding[] = [];
    for (const plan of ctx.plans) {
      if (!plan.known) continue;
      for (const { setting, why } of plan.broken) {
        const raw = setting.value.trim();
        const quoted = raw.length > 1 && raw[0] === raw[raw.length - 1] && (raw[0] === '"' || raw[0] === "'");
        const bare = quoted ? raw.slice(1, -1) : undefined;
        const what = setting.label === 'ansible_ssh_extra_args'
          ? 'Packer passes ansible_ssh_extra_args to Ansible quoted'
          : `${setting.label} is wrapped in quotes that ansible-core keeps`;
        const glued = why.startsWith('Packer 1.6');
        const fixes = bare !== undefined && setting.label !== 'ansible_ssh_extra_args'
          ? valueFix(ctx, `Remove the quotes: ${bare}`, true, replaceValue(setting, setting.value.replace(raw, bare)))
          : [];
        out.push({
          file: setting.file,
          span: setting.label === 'ansible_ssh_extra_args' ? planSpan(plan) : setting.span,
          message: `${glued ? why : `${what}, so ${why}`}. ${setting.label === 'ansible_ssh_extra_args' ? 'Pass the options through --ssh-extra-args in extra_arguments instead, one string.' : 'Write the value without quotes: it then works on every ansible-core version.'}`,
          fixes,
        });
      }
    }
    return out;
  },
};
