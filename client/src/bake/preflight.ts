/**
 * Preflight: the configuration's diagnostics that mean Ansible's SSH
 * connection will not work in the container, before a bake starts. Pure: no
 * `vscode` import.
 *
 * Two kinds. The control-socket rules are about the template alone. The
 * toolchain rules depend on the versions of Packer, the ansible plugin,
 * ansible-core and OpenSSH that run the build: each such finding says which
 * versions it assumes (`data.toolchain`, from the analysis' `assumes`). Such a
 * finding stops a bake only when it holds for the container that will run it:
 * not when it assumed other versions than that container's (probed at its
 * last bake), and not once the same configuration (same text) has really
 * baked with those versions (the real build answered it).
 */
import { createHash } from 'node:crypto';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import type { BakeSettings } from './settings';
import type { ToolchainVersions } from './toolchain';

/** Rules about where the control socket goes: a problem whatever the toolchain. */
export const CONTROL_SOCKET_RULES: readonly string[] = [
  'control-path-missing',
  'control-path-unescaped-percent',
  'control-path-too-long',
  'control-path-unsafe-dir',
  'ssh-args-doubled-percent',
];

/** Rules that depend on the tool versions (known once a bake image was asked, or from packerBake.toolchain). */
export const TOOLCHAIN_RULES: readonly string[] = [
  'proxy-host-key-rejected',
  'scp-sftp-mismatch',
];

const ours = (d: Diagnostic, rules: readonly string[]) => d.source === 'packer-bake' && typeof d.code === 'string' && rules.includes(d.code);

/** The control-socket findings among a configuration's diagnostics. */
export function controlSocketProblems(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => ours(d, CONTROL_SOCKET_RULES));
}

/** The toolchain findings among a configuration's diagnostics. */
export function toolchainProblems(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => ours(d, TOOLCHAIN_RULES));
}

/** The versions a toolchain finding assumed: its `data.toolchain` when the server sends it, else the versions the client knows. */
export function assumedToolchain(d: Diagnostic, known: ToolchainVersions | undefined): ToolchainVersions | undefined {
  const data = d.data as { toolchain?: ToolchainVersions } | undefined;
  return data && typeof data === 'object' && data.toolchain && typeof data.toolchain === 'object' ? data.toolchain : known;
}

/** The versions in `assumed` that `actual` knows otherwise (`[key, assumed, actual]`); empty when they agree. */
export function toolchainConflicts(assumed: ToolchainVersions | undefined, actual: ToolchainVersions | undefined): Array<[keyof ToolchainVersions, string, string]> {
  if (!assumed || !actual) return [];
  const out: Array<[keyof ToolchainVersions, string, string]> = [];
  for (const [k, v] of Object.entries(assumed) as Array<[keyof ToolchainVersions, string | undefined]>) {
    const a = actual[k];
    if (v !== undefined && a !== undefined && a !== v) out.push([k, v, a]);
  }
  return out;
}

/**
 * Which container setup a bake runs in, as a key for the versions last found
 * in it: the settings that choose the container, and the extension version
 * (the bundled image is built per version).
 */
export function bakeSetupKey(settings: Pick<BakeSettings, 'container' | 'image' | 'containerEngine' | 'enginePath'>, extensionVersion: string): string {
  return JSON.stringify([settings.container, settings.image, settings.containerEngine, settings.enginePath, extensionVersion]);
}

/** `Packer 1.6.6, ansible plugin 1.1.1, OpenSSH 9.2p1` */
export function toolchainLabel(t: ToolchainVersions | undefined): string {
  if (!t) return 'unknown versions';
  const parts = [
    t.packer && `Packer ${t.packer}`,
    t.ansiblePlugin && `ansible plugin ${t.ansiblePlugin}`,
    t.ansible && `ansible-core ${t.ansible}`,
    t.openssh && `OpenSSH ${t.openssh}`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'unknown versions';
}

/**
 * A record that a configuration baked successfully: the hash of its files'
 * text and of the toolchain. Either changing makes it no proof any more.
 */
export function bakeProof(texts: readonly string[], toolchain: ToolchainVersions | undefined): string {
  const h = createHash('sha256');
  for (const t of texts) h.update(`${t.length}:${t}`);
  const sorted = Object.entries(toolchain ?? {}).sort(([a], [b]) => a.localeCompare(b));
  h.update(JSON.stringify(sorted));
  return h.digest('hex');
}

export interface PreflightProblems {
  /** Findings that stop the bake until the user decides. */
  problems: Diagnostic[];
  /** Toolchain findings a successful bake with the same versions already proved wrong. */
  answeredByBake: Diagnostic[];
  /** Toolchain findings that assumed other versions than those of the container that will run the bake. */
  otherToolchain: Diagnostic[];
}

/**
 * The findings the preflight stops on. `willRun` is the toolchain of the
 * container the bake will run in, when known (probed at its last bake). A
 * toolchain finding that assumed other versions is about another toolchain
 * and does not stop the bake; one whose versions already baked this
 * configuration (`proven(versions)`: a `bakeProof(texts, versions)` of a
 * successful bake was recorded) is answered and does not either.
 */
export function preflightProblems(diagnostics: readonly Diagnostic[], willRun: ToolchainVersions | undefined,
  proven: (toolchain: ToolchainVersions | undefined) => boolean): PreflightProblems {
  const problems = controlSocketProblems(diagnostics);
  const answeredByBake: Diagnostic[] = [];
  const otherToolchain: Diagnostic[] = [];
  for (const d of toolchainProblems(diagnostics)) {
    const assumed = assumedToolchain(d, willRun);
    if (toolchainConflicts(assumed, willRun).length > 0) otherToolchain.push(d);
    // The proof records the whole toolchain of the bake; a finding assumes only the versions its rule reads.
    else if (proven(willRun ?? assumed)) answeredByBake.push(d);
    else problems.push(d);
  }
  return { problems, answeredByBake, otherToolchain };
}

/**
 * The modal's text: how many problems, the first few (toolchain findings with
 * the versions they assume), and the rules the preflight stops on (the same
 * lists as docs/bake.md).
 */
export function preflightMessage(name: string, problems: readonly Diagnostic[], known?: ToolchainVersions): { message: string; detail: string } {
  const n = problems.length;
  const lines = problems.slice(0, 5).map((d) => {
    const assumes = ours(d, TOOLCHAIN_RULES) ? `; assumes ${toolchainLabel(assumedToolchain(d, known))}` : '';
    return `• line ${d.range.start.line + 1}: ${d.message} (${String(d.code)}${assumes})`;
  });
  if (n > 5) lines.push(`• … and ${n - 5} more`);
  lines.push('', `Bake AMI checks for ${CONTROL_SOCKET_RULES.join(', ')}, and, for the versions that will run the build, ${TOOLCHAIN_RULES.join(', ')}.`);
  return {
    message: `${name} has ${n} Ansible SSH problem${n === 1 ? '' : 's'} that can break the build in a container.`,
    detail: lines.join('\n'),
  };
}
