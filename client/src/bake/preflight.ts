/**
 * Preflight: the template's diagnostics that mean Ansible's SSH connection
 * (its control socket, or the proxy's host key and file transfers) will not
 * work in the container. Pure: no `vscode` import.
 */
import type { Diagnostic } from 'vscode-languageserver-protocol';

/** Rule ids whose findings stop a bake until the user decides. */
export const CONTROL_SOCKET_RULES: readonly string[] = [
  'control-path-missing',
  'control-path-unescaped-percent',
  'control-path-too-long',
  'control-path-unsafe-dir',
  'ssh-args-doubled-percent',
  // Known once the bake image's versions are (see docs/bake.md).
  'proxy-host-key-rejected',
  'scp-sftp-mismatch',
];

export function controlSocketProblems(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.source === 'packer-bake' && typeof d.code === 'string' && CONTROL_SOCKET_RULES.includes(d.code));
}

/** The modal's text: how many problems, and the first few. */
export function preflightMessage(templateName: string, problems: readonly Diagnostic[]): { message: string; detail: string } {
  const n = problems.length;
  const lines = problems.slice(0, 5).map((d) => `• line ${d.range.start.line + 1}: ${d.message} (${String(d.code)})`);
  if (n > 5) lines.push(`• … and ${n - 5} more`);
  return {
    message: `${templateName} has ${n} Ansible SSH problem${n === 1 ? '' : 's'} that can break the build in a container.`,
    detail: lines.join('\n'),
  };
}
