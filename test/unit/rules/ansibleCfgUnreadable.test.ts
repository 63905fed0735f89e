import assert from 'node:assert/strict';
import { analyzer, ready } from '../../support/analysis';
import { findings } from '../../support/rules';
import { legacy, hcl, JSON_FILE, HCL_FILE } from '../../support/templates';

const RULE = 'ansible-cfg-unreadable';
const CFG = '/ws/ansible.cfg';
const SETS_NOTHING = '[ssh_connection]\npipelining = True\n';

describe(RULE, () => {
  before(ready);

  describe('fires, on the provisioner and on the file, and no socket rule speaks', () => {
    it('an ansible.cfg in the working directory starting with a UTF-8 byte-order mark', () => {
      const files = { [HCL_FILE]: hcl(), [CFG]: `\ufeff${SETS_NOTHING}` };
      assert.deepEqual(findings(files, HCL_FILE), [[RULE, '\ufeff[ssh_connection]'], [RULE, '"ansible"']]);
      const [inCfg, ...onTemplate] = analyzer(files).analyze(HCL_FILE, files[HCL_FILE]).findings;
      const f = [...onTemplate, inCfg];
      assert.equal(f[0].severity, 'error');
      assert.match(f[0].message, /Ansible cannot read \/ws\/ansible\.cfg, the ansible\.cfg this provisioner uses: it starts with a UTF-8 byte-order mark .*exit status 5.*Save it as UTF-8 without a byte-order mark\./);
      assert.equal(f[1].file, CFG);
      assert.deepEqual(f.flatMap((x) => x.fixes), []);
    });
    it('a setting before the first [section], as in a real repository\'s one-line ansible.cfg', () => {
      const files = { [JSON_FILE]: legacy(), [CFG]: '# comments and blank lines are fine\n\ndeprecation_warnings=False' };
      assert.deepEqual(findings(files, JSON_FILE), [[RULE, 'deprecation_warnings=False'], [RULE, '"ansible"']]);
      assert.match(analyzer(files).analyze(JSON_FILE, files[JSON_FILE]).findings[1].message, /Start it with a section header such as \[defaults\]\./);
    });
    it('the ansible.cfg named by ANSIBLE_CONFIG', () => {
      const files = { [HCL_FILE]: hcl('ansible_env_vars = ["ANSIBLE_CONFIG=cfg/prod.cfg"]'), '/ws/cfg/prod.cfg': `\ufeff${SETS_NOTHING}`, [CFG]: '[defaults]\n' };
      assert.deepEqual(findings(files, HCL_FILE), [[RULE, '\ufeff[ssh_connection]'], [RULE, '"ansible"']]);
    });
  });

  describe('stays silent', () => {
    const silent: [string, string][] = [
      ['comments and blank lines before the first section', '; a comment\n# another\n\n[ssh_connection]\ncontrol_path_dir = /tmp/cp\n'],
      ['CRLF line ends', '[ssh_connection]\r\ncontrol_path_dir = /tmp/cp\r\n'],
      ['an empty file', ''],
    ];
    for (const [what, cfg] of silent) {
      it(what, () => {
        assert.deepEqual(findings({ [HCL_FILE]: hcl(), [CFG]: cfg }, HCL_FILE, RULE), []);
      });
    }
    it('a byte-order mark in an ansible.cfg no build uses', () => {
      const files = { [HCL_FILE]: hcl('ansible_env_vars = ["ANSIBLE_CONFIG=other.cfg"]'), '/ws/other.cfg': SETS_NOTHING, [CFG]: `\ufeff${SETS_NOTHING}` };
      assert.deepEqual(findings(files, HCL_FILE, RULE), []);
    });
  });
});
