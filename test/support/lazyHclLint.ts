/**
 * Runs `packer-bake lint --format json <args>` in this process (started by
 * test/unit/analysis/lazyHcl.test.ts, one fresh process per run) and prints
 * the exit code, the findings and how many HCL parser instances were created.
 */
import { hclInstances, lazyHcl } from '../../server/src/analysis/hclParser';
import { hclRuntime } from '../../server/src/wasmPaths';
import { main } from '../../server/src/cli';
import { wasmPaths } from './analysis';

async function run(): Promise<void> {
  // Registered before the CLI's own (which names the files beside the bundle): the first registration wins.
  lazyHcl(() => hclRuntime(wasmPaths));
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['lint', '--format', 'json', ...process.argv.slice(2)], { cwd: process.cwd(), out: (s) => out.push(s), err: (s) => err.push(s) });
  process.stdout.write(JSON.stringify({ code, instances: hclInstances(), findings: JSON.parse(out.join('\n') || '[]'), err: err.join('\n') }));
}

void run();
