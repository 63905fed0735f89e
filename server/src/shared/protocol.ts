/**
 * Custom requests between the packer-bake client and server, declared once
 * (the vscode-eslint pattern). Imports protocol types only.
 */
// The two message classes from the module that defines them: taking them from
// vscode-languageserver-protocol would pull that whole library into the
// extension's first-loaded bundle (client/src/extension.ts), which VS Code
// counts as activation time.
import { RequestType, NotificationType } from 'vscode-jsonrpc/lib/common/messages';
import type { Diagnostic } from 'vscode-languageserver-protocol';

/** A Packer template the server knows about. */
export interface TemplateSummary {
  /** Document URI (file: scheme for workspace files). */
  uri: string;
  /** `json` = legacy JSON template, `hcl` = HCL2 native syntax, `hcl-json` = HCL2 JSON syntax (`.pkr.json`). */
  format: 'json' | 'hcl' | 'hcl-json';
  /**
   * Names usable with `packer build -only=`: for legacy JSON the builders'
   * `name` (or `type`); for HCL2 `<source type>.<source name>` of the sources the builds use.
   */
  builds: string[];
  /** True for HCL2 templates with a `packer { required_plugins { ... } }` block (needs `packer init`). */
  requiresInit: boolean;
  /**
   * Absolute path of the directory Packer must be started in: Ansible reads
   * ansible.cfg from there and resolves relative paths (playbook_file,
   * ANSIBLE_CONFIG) against it. Inferred by the analysis, or configured.
   */
  workingDirectory: string;
  /** Why that directory, in a few words (shown to the user). */
  workingDirectoryReason: string;
}

export namespace ListTemplatesRequest {
  export const method = 'packerBake/listTemplates';
  export const type = new RequestType<Record<string, never>, TemplateSummary[], void>(method);
}

export interface TemplateInfoParams {
  uri: string;
}

export interface TemplateInfo extends TemplateSummary {
  /** The packer-bake findings for the template as LSP diagnostics (parse errors included). */
  diagnostics: Diagnostic[];
}

export namespace TemplateInfoRequest {
  export const method = 'packerBake/templateInfo';
  /** Returns null when the URI is not a Packer template. */
  export const type = new RequestType<TemplateInfoParams, TemplateInfo | null, void>(method);
}

export interface FixAllParams {
  /** Limit to one document; all known templates when absent. */
  uri?: string;
}

/**
 * A fix Fix All did not apply, and why: it would edit a file outside the
 * workspace folders or through a symbolic link leaving them, a read-only or
 * non-UTF-8 file, a file that changed while the fixes were computed, or the
 * editor refused the edit.
 */
export interface WithheldFix {
  /** The file the fix would have edited. */
  uri: string;
  rule: string;
  /** A phrase: "it is outside the workspace folders". */
  reason: string;
}

export interface FixAllResult {
  /** How many fixes were applied. */
  applied: number;
  /** Fixes not applied, with the reason; absent when none. */
  withheld?: WithheldFix[];
}

export namespace FixAllRequest {
  export const method = 'packerBake/fixAll';
  /** Applies the preferred fixes through workspace/applyEdit; returns how many fixes were applied, and which were withheld. */
  export const type = new RequestType<FixAllParams, FixAllResult, void>(method);
}

export namespace ServerReadyNotification {
  export const method = 'packerBake/ready';
  /** Sent once the initial workspace scan has finished. */
  export const type = new NotificationType<{ templates: number }>(method);
}

export interface ToolchainParams {
  /** Versions reported by the bake image (`packer version`, `packer plugins installed`, `ssh -V`). */
  toolchain: { packer?: string; ansiblePlugin?: string; ansible?: string; openssh?: string };
}

export namespace ToolchainNotification {
  export const method = 'packerBake/toolchain';
  /** From the client once it has asked the bake image; the server re-analyses with these versions. */
  export const type = new NotificationType<ToolchainParams>(method);
}

/**
 * `initializationOptions` of the `initialize` request. All optional: a client
 * that sends none (every editor but VS Code) gets the defaults.
 */
export interface InitializationOptions {
  /**
   * A command that opens a rule's documentation, given the rule id: the
   * diagnostics' `codeDescription.href` becomes `command:<this>?["<rule id>"]`
   * (VS Code opens the page shipped in the extension). Absent: https links to
   * the repository's docs.
   */
  ruleDocsCommand?: string;
}
