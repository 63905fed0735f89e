/**
 * What a user bakes: Packer configurations, not files. A legacy JSON template
 * is one configuration; the `*.pkr.hcl` and `*.pkr.json` files of one folder
 * are one HCL2 configuration (Packer loads the folder as a whole, so
 * `variables.pkr.hcl` is part of the template beside it, never a template of
 * its own). Pure: no `vscode` import; the caller turns URIs into paths.
 */
import path from 'node:path';
import type { TemplateSummary } from '../../../server/src/shared/protocol';
import type { TemplateFormat } from './argv';

/** A template the language server knows, with its URI already a file path. */
export interface TemplateFile extends Omit<TemplateSummary, 'uri'> {
  file: string;
  /** The summary's URI, unchanged. */
  uri: string;
}

export interface BakeConfiguration {
  /** What Packer builds: the legacy JSON template, or the HCL2 folder. Also the key choices are remembered under. */
  target: string;
  /** `json` for a legacy template; `hcl` for an HCL2 folder (whatever mix of `.pkr.hcl` and `.pkr.json`). */
  format: Extract<TemplateFormat, 'json' | 'hcl'>;
  /** The template files that make it up, sorted. */
  files: TemplateFile[];
  /** `-only` names across all its files, sorted, each once. */
  builds: string[];
  /** Some file has `required_plugins`: `packer init` first. */
  requiresInit: boolean;
  /** Where Packer runs (from the language server), and why. */
  workingDirectory: string;
  workingDirectoryReason: string;
}

/** The configuration key of a template file: the file for legacy JSON, its folder for HCL2. */
export function configurationTarget(file: string, format: TemplateFormat, hostPath: path.PlatformPath = path): string {
  return format === 'json' ? file : hostPath.dirname(file);
}

/**
 * Groups the server's templates into configurations. The working directory of
 * an HCL2 folder is the one a file of it reports other than the folder itself
 * (the analysis inferred it from a relative path there), else the folder.
 */
export function groupConfigurations(templates: readonly TemplateFile[], hostPath: path.PlatformPath = path): BakeConfiguration[] {
  const byTarget = new Map<string, BakeConfiguration>();
  for (const t of [...templates].sort((a, b) => a.file.localeCompare(b.file))) {
    const format = t.format === 'json' ? 'json' : 'hcl';
    const target = configurationTarget(t.file, t.format, hostPath);
    let c = byTarget.get(target);
    if (!c) {
      c = { target, format, files: [], builds: [], requiresInit: false, workingDirectory: '', workingDirectoryReason: '' };
      byTarget.set(target, c);
    }
    c.files.push(t);
    for (const b of t.builds) if (!c.builds.includes(b)) c.builds.push(b);
    c.requiresInit ||= t.requiresInit;
    const folder = format === 'json' ? hostPath.dirname(t.file) : target;
    if (t.workingDirectory && (!c.workingDirectory || (c.workingDirectory === folder && t.workingDirectory !== folder))) {
      c.workingDirectory = t.workingDirectory;
      c.workingDirectoryReason = t.workingDirectoryReason;
    }
  }
  for (const c of byTarget.values()) {
    c.builds.sort();
    if (!c.workingDirectory) {
      c.workingDirectory = c.format === 'json' ? hostPath.dirname(c.target) : c.target;
      c.workingDirectoryReason = c.format === 'json' ? 'the template\'s folder' : 'the configuration\'s folder';
    }
  }
  return [...byTarget.values()].sort((a, b) => a.target.localeCompare(b.target));
}

/** The configuration a file belongs to (an HCL2 file: its folder's), if the server knows it. */
export function configurationOf(configurations: readonly BakeConfiguration[], file: string, hostPath: path.PlatformPath = path): BakeConfiguration | undefined {
  return configurations.find((c) => c.target === file || c.files.some((f) => f.file === file))
    ?? configurations.find((c) => c.format === 'hcl' && c.target === hostPath.dirname(file));
}

/**
 * True when a bake of these builds launches machines in an AWS account (an
 * `amazon-*` builder; `amazon-chroot` too, which attaches volumes), which is
 * worth a confirmation. HCL2 build names carry the builder type
 * (`amazon-ebs.web`); legacy JSON names may not (`"name": "web"`), so the
 * templates' text is looked at too.
 */
export function launchesAwsInstances(configuration: Pick<BakeConfiguration, 'builds' | 'format'>, only: readonly string[], texts: readonly string[]): boolean {
  const builds = only.length > 0 ? only : configuration.builds;
  if (builds.some((b) => /^amazon-[a-z]/.test(b))) return true;
  if (configuration.format === 'hcl') return false;
  return texts.some((t) => /"type"\s*:\s*"amazon-[a-z]/.test(t));
}
