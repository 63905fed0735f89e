/**
 * Words for a finished bake: the notification, the output channel's record,
 * and progress text. Pure: no `vscode` import.
 */
import type { AmiId } from './machineReadable';
import type { BakeProgress, BakeResult } from './runner';

const PHASE_LABEL: Record<BakeProgress['phase'], string> = {
  engine: 'Container engine',
  image: 'Image',
  init: 'packer init',
  build: 'Building',
  provisioning: 'Provisioning',
  cleanup: 'Cleaning up',
};

export function progressText(p: BakeProgress): string {
  return `${PHASE_LABEL[p.phase]}: ${p.message}`;
}

export function amisOf(result: BakeResult): AmiId[] {
  return result.artifacts.flatMap((a) => a.amis);
}

/** The notification for a finished bake. */
export function resultMessage(result: BakeResult, templateName: string): { severity: 'info' | 'warning' | 'error'; text: string } {
  if (result.status === 'cancelled') {
    return { severity: 'warning', text: `Bake of ${templateName} cancelled${result.cancelMessage ? `: ${result.cancelMessage}` : '.'}` };
  }
  if (result.status === 'failed') return { severity: 'error', text: `Bake of ${templateName} failed: ${result.failure ?? 'see the terminal'}` };
  const amis = amisOf(result);
  if (amis.length > 0) return { severity: 'info', text: `Baked ${amis.map((a) => `${a.ami} in ${a.region}`).join(', ')}` };
  const n = result.artifacts.length;
  return { severity: 'info', text: `Bake of ${templateName} finished: ${n} artifact${n === 1 ? '' : 's'}` };
}

/** A bake's record for the output channel (already masked by the runner). */
export function resultRecord(result: BakeResult, template: string, when: Date): string {
  const lines = [`[${when.toISOString()}] ${template}: ${result.status}${result.exitCode !== null ? ` (exit code ${result.exitCode})` : ''}`];
  if (result.engine) lines.push(`  engine: ${result.engine.kind} ${result.engine.version} (${result.engine.path})`);
  if (result.image) lines.push(`  image: ${result.image}`);
  if (result.command) lines.push(`  command: ${result.command}`);
  for (const a of result.artifacts) {
    lines.push(`  artifact ${a.target}: ${a.id ?? a.description ?? ''}`);
    for (const ami of a.amis) lines.push(`    ${ami.region}: ${ami.ami}`);
  }
  for (const e of result.errors) {
    lines.push(`  error: ${e.message.split('\n').filter((l) => l.trim()).join(' / ')}`);
    for (const l of e.locations) lines.push(`    at ${l.file}:${l.line}${l.column ? `:${l.column}` : ''}`);
  }
  if (result.failure) lines.push(`  failure: ${result.failure}`);
  if (result.cancelMessage) lines.push(`  packer: ${result.cancelMessage}`);
  return lines.join('\n');
}
