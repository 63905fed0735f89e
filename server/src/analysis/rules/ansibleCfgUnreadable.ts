import { planSpan, type RawFinding, type Rule } from './rule';

/**
 * An ansible.cfg in use that Ansible cannot read (ansibleCfg.ts says why):
 * Packer runs `ansible-playbook --version` while preparing the build, which
 * exits 5, and the build stops there (measured on ansible-core 2.14 and 2.19,
 * docs/facts.md). The socket plan of such a provisioner is unknown, so no
 * other rule speaks about it. No automatic fix: the byte-order mark is not
 * part of the text an editor shows, so only saving without it removes it.
 */
export const ansibleCfgUnreadable: Rule = {
  id: 'ansible-cfg-unreadable',
  defaultSeverity: 'error',
  description: 'The ansible.cfg the build uses cannot be read by Ansible (a UTF-8 byte-order mark, or a setting before the first [section]): Packer stops while preparing the build.',
  check(ctx) {
    const out: RawFinding[] = [];
    const cfgsSeen = new Set<string>();
    for (const plan of ctx.plans) {
      if (plan.known || !plan.unreadableCfg?.unreadable) continue;
      const cfg = plan.unreadableCfg;
      const { kind, why, span } = cfg.unreadable!;
      const remedy = kind === 'bom' ? 'Save it as UTF-8 without a byte-order mark.' : 'Start it with a section header such as [defaults].';
      out.push({
        file: ctx.template.file,
        span: planSpan(plan),
        message: `Ansible cannot read ${cfg.file}, the ansible.cfg this provisioner uses: ${why}. Packer stops while preparing the build (Error running "ansible-playbook --version": exit status 5). ${remedy}`,
        fixes: [],
      });
      if (cfgsSeen.has(cfg.file)) continue;
      cfgsSeen.add(cfg.file);
      out.push({ file: cfg.file, span, message: `Ansible cannot read this file: ${why}. Packer builds that use it stop while preparing. ${remedy}`, fixes: [] });
    }
    return out;
  },
};
