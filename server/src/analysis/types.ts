/**
 * The format-neutral model of a Packer template, and the findings the rules
 * produce over it. Offsets are UTF-16 code-unit offsets into the document text
 * (what `TextDocument.positionAt` takes).
 */
import type { Range, TextEdit } from 'vscode-languageserver-types';

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

/** A value as Packer will see it, as far as it can be known without running Packer. */
export type Value =
  | { kind: 'string'; value: string; span: Span; source?: StringSource }
  | { kind: 'list'; items: Value[]; span: Span }
  | { kind: 'bool'; value: boolean; span: Span }
  | { kind: 'number'; value: number; span: Span }
  | { kind: 'null'; span: Span }
  | { kind: 'object'; attrs: Attribute[]; span: Span }
  /**
   * A string with template expressions (`{{user `x`}}` in legacy JSON, `${var.x}`
   * in HCL2), in the template language's own syntax; see `interpolation.ts`.
   */
  | { kind: 'template'; syntax: 'go' | 'hcl'; text: string; span: Span; source?: StringSource }
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

export interface Provisioner {
  type: string;
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
  communicator?: string;
}

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
  /** File the finding points into (the template, or an ansible.cfg). */
  file: string;
  range: Range;
  fixes: Fix[];
}
