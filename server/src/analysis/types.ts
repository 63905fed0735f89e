/**
 * The format-neutral model of a Packer template, and the findings the rules
 * produce over it. Offsets are UTF-16 code-unit offsets into the document text
 * (what `TextDocument.positionAt` takes).
 */
import type { Range, TextEdit } from 'vscode-languageserver-types';
import type { Expr } from './expr';

/** `json` = legacy JSON template; `hcl` = HCL2 native syntax; `hcl-json` = HCL2 JSON syntax (`.pkr.json`). */
export type TemplateFormat = 'json' | 'hcl' | 'hcl-json';

/** A half-open offset range `[start, end)` in one document. */
export interface Span {
  start: number;
  end: number;
}

/** Where a string value's characters are written in the source, when that is known exactly. */
export interface StringSource {
  /** File path (or URI for unsaved documents) holding the literal. */
  file: string;
  /** The whole literal including quotes. */
  span: Span;
  /**
   * Source offset of each value character, plus one final entry for the end
   * (so `offsets.length === value.length + 1`). Present only for literals
   * without interpolation.
   */
  offsets?: number[];
  /** The literal's syntax, to encode replacement text. */
  syntax: 'json' | 'hcl';
}

/**
 * A run of a string value's characters that is written literally in a file:
 * `value[at + i]` is written at `offsets[i]` (`offsets` has one more entry,
 * the end). Strings computed from several literals (an interpolation, a
 * variable default, `join`) carry one piece per literal run, so a fix can
 * edit the run that holds the text it changes.
 */
export interface Piece {
  at: number;
  file: string;
  offsets: number[];
  /** How the run's text is encoded in its file. */
  syntax: 'json' | 'hcl' | 'cfg';
  /** The variable or local (`var.x`, `local.y`, `user x`) the run was reached through, when it is not written where it is used. */
  via?: string;
}

/** A value as Packer will see it, as far as it can be known without running Packer. */
export type Value =
  | {
      kind: 'string';
      value: string;
      span: Span;
      source?: StringSource;
      /** Where the characters are written, for strings computed from expressions (see `piecesOf`). */
      pieces?: Piece[];
    }
  | { kind: 'list'; items: Value[]; span: Span }
  | { kind: 'bool'; value: boolean; span: Span }
  | { kind: 'number'; value: number; span: Span }
  | { kind: 'null'; span: Span }
  | { kind: 'object'; attrs: Attribute[]; span: Span }
  /**
   * A string with template expressions in a JSON file (`{{user `x`}}` in legacy
   * JSON, `${var.x}` in `.pkr.json`), in the template language's own syntax;
   * see `evaluate.ts`.
   */
  | { kind: 'template'; syntax: 'go' | 'hcl'; text: string; span: Span; source?: StringSource }
  /** An HCL2 native expression (references, function calls, templates...), evaluated on demand; see `expr.ts`. */
  | { kind: 'expr'; expr: Expr; span: Span }
  /** Depends on something only known at build time (a variable without default, `env`, a function call...). */
  | { kind: 'unknown'; span: Span; why: string };

export interface Attribute {
  name: string;
  nameSpan: Span;
  value: Value;
  /** The whole `name = value` / `"name": value` text. */
  span: Span;
}

/** Where and how to edit a provisioner's body (format-specific, used by the fixes). */
export interface BodyAnchor {
  syntax: 'json' | 'hcl';
  /** Offset just after the body's `{`. */
  open: number;
  /** Offset of the body's `}`. */
  close: number;
}

/** An HCL2 `build` block: the sources its provisioners apply to. */
export interface Build {
  /** Each source the build runs: the source block it uses (`type.name`) and the name `-only` knows it by. */
  sources: { source: string; name: string }[];
  /** Source references that could not be read (a build applying to them is not fully known). */
  unknownSources: boolean;
}

export interface Provisioner {
  type: string;
  /** HCL2: the `build` block holding it. Legacy JSON: undefined (every builder). */
  build?: Build;
  /** The text naming the type (`"ansible"` value or the block label). */
  typeSpan: Span;
  span: Span;
  attrs: Map<string, Attribute>;
  /** Legacy JSON `override` blocks: builder name → attributes replacing the provisioner's own. */
  overrides: { builder: string; nameSpan: Span; attrs: Map<string, Attribute>; anchor: BodyAnchor }[];
  anchor: BodyAnchor;
}

export interface Builder {
  /** `-only` name: legacy `name` or `type`; HCL2 `type.name`. */
  name: string;
  type: string;
  /** The attributes that decide how Ansible reaches the machine (`communicator`, `ssh_host`, `ssh_interface`, `ssh_username`, ...), unevaluated. */
  attrs: Map<string, Attribute>;
  /** Where the builder is defined (its file), for HCL2 folders. */
  file: string;
}

/**
 * Provisioner attributes naming files on the machine running Packer, kept for
 * every provisioner type: relative ones are read from the directory Packer
 * runs in, so they tell which directory that is.
 */
export const PATH_ATTRS = new Set(['playbook_file', 'playbook_dir', 'galaxy_file', 'inventory_file', 'inventory_directory', 'roles_path', 'collections_path', 'script', 'scripts', 'source', 'command']);

/** Builder attributes the analysis reads (the rest of a builder is not kept: it can be large). */
export const BUILDER_ATTRS = new Set(['communicator', 'ssh_host', 'ssh_interface', 'ssh_port', 'ssh_username', 'winrm_host', 'ssh_bastion_host']);

export interface RequiredPlugin {
  name: string;
  source?: string;
  /** The version constraint as written, e.g. `>= 1.1.0`. */
  version?: string;
  /** The constraint's string literal (for the fix that raises it). */
  versionValue?: Value;
}

export interface ParseProblem {
  message: string;
  span: Span;
}

export interface Template {
  /** Path (or URI for unsaved documents). */
  file: string;
  format: TemplateFormat;
  text: string;
  builders: Builder[];
  /** HCL2 `build` blocks (legacy JSON: none; its provisioners apply to every builder). */
  builds: Build[];
  provisioners: Provisioner[];
  /** Variable defaults and locals visible to the template, as values. */
  variables: Map<string, Value>;
  locals: Map<string, Value>;
  /** HCL2 `packer { required_plugins {...} }` present. */
  requiresInit: boolean;
  /** HCL2 `required_plugins` entries (name → version constraint), for the toolchain rules. */
  requiredPlugins: RequiredPlugin[];
  /** Syntax errors, reported once each; the model holds what could be read. */
  problems: ParseProblem[];
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** One fix: edits per file (LSP `WorkspaceEdit.changes` shape, keyed by file). */
export interface Fix {
  title: string;
  isPreferred: boolean;
  edits: { file: string; edits: TextEdit[] }[];
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  /** The tool versions the finding holds for, when not all (e.g. `ansible-core 2.15 and later`). */
  holdsFor?: string;
  /**
   * For rules whose outcome depends on tool versions: the versions the analysis
   * was given of those the rule reads (a version absent here was unknown). Bake
   * AMI compares them with its image's before it stops on such a finding.
   */
  assumes?: Partial<Record<'packer' | 'ansiblePlugin' | 'ansible' | 'openssh', string>>;
  /** File the finding points into (the template, or an ansible.cfg). */
  file: string;
  range: Range;
  fixes: Fix[];
}
