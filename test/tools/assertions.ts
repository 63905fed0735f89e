// What the oracle tests assert about a real build, shared by facts and round trips.
import assert from 'node:assert/strict';
import { optionOf, type BuildResult } from './packer';

export const explain = (r: BuildResult): string => `exit ${r.exitCode}, last output:\n${r.ui.split('\n').slice(-25).join('\n')}`;

/** The build succeeded and the one-task play ran. */
export function assertBuilt(r: BuildResult): void {
  assert.ok(r.ok, explain(r));
  assert.deepEqual(r.recap, { ok: 1, changed: 0, unreachable: 0, failed: 0 });
}

/** The build failed, with `pattern` in Packer's output. */
export function assertFailed(r: BuildResult, pattern: RegExp): void {
  assert.ok(!r.ok && r.exitCode !== 0, `expected the build to fail; ${explain(r)}`);
  assert.match(r.ui, pattern);
}

/** `<prefix>127.0.0.1-<port>[-<user>]`, with the port Ansible really connected to (Packer's proxy). */
export function expanded(r: BuildResult, prefix: string, withUser = true): string {
  const argv = r.sshCommands[0];
  assert.ok(argv, 'ansible ran no ssh command');
  return `${prefix}127.0.0.1-${optionOf(argv, 'Port')}${withUser ? `-${optionOf(argv, 'User')}` : ''}`;
}

export const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];

/** The file-transfer commands Ansible ran: scp (ansible-core 2.14 under Packer) or sftp (2.17 and later, and use_sftp). */
export const transferCommands = (r: BuildResult): string[][] => [...r.scpCommands, ...r.sftpCommands];
/** Their ControlPaths. */
export const transferControlPaths = (r: BuildResult): (string | undefined)[] => [...r.scpControlPaths, ...r.sftpControlPaths];
