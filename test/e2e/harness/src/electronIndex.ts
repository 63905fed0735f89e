/**
 * The extensionTestsPath module for @vscode/test-electron (Runner 1): same
 * suite, same events file; the config comes through an environment variable.
 */
import fs from 'node:fs';
import { runSuite, type SuiteConfig } from './runSuite';

export async function run(): Promise<void> {
  const file = process.env.PACKER_BAKE_E2E_CONFIG;
  if (!file) throw new Error('PACKER_BAKE_E2E_CONFIG is not set');
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as SuiteConfig;
  const { failed } = await runSuite(config);
  if (failed > 0) throw new Error(`${failed} end-to-end test(s) failed`);
}
