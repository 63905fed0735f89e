import { Analyzer } from '../../server/src/analysis';
import { memoryHost, ready as analysisReady } from '../support/analysis';
import type { BuildResult } from './packer';

/**
 * The rule ids the analysis reports for the files of a build, told the versions the toolchain's
 * tools reported and the directory Packer ran in: what the extension would say about this build.
 */
export async function analysedRules(r: BuildResult): Promise<string[]> {
  await analysisReady();
  const { packer, ansible, openssh } = r.toolchain.versions;
  const analyzer = new Analyzer(memoryHost(r.files), { toolchain: { packer, ansible, openssh }, workingDirectory: r.cwd });
  return [...new Set(analyzer.analyze(r.template, r.files[r.template]!).findings.map((f) => f.ruleId))].sort();
}

