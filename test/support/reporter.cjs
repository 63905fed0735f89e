// Mocha reporter: the usual spec output, plus a per-tier result file that
// test/summary.mjs adds up into the one closing line CI reads.
'use strict';
const fs = require('fs');
const path = require('path');
const Mocha = require('mocha');
const { EVENT_RUN_END } = Mocha.Runner.constants;

class Reporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const tierArg = process.argv.indexOf('--tier');
    const tier = process.env.PACKER_BAKE_TIER || (tierArg > 0 ? process.argv[tierArg + 1] : 'tests');
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats || {};
      const dir = path.join(__dirname, '..', '..', '.test-results');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${tier}.json`), JSON.stringify({
        tier, passed: s.passes || 0, failed: s.failures || 0, skipped: s.pending || 0,
      }));
    });
  }
}
module.exports = Reporter;
