import type { Rule } from './rule';
import { controlPathMissing } from './controlPathMissing';
import { controlPathUnescapedPercent } from './controlPathUnescapedPercent';
import { controlPathTooLong } from './controlPathTooLong';
import { controlPathUnsafeDir } from './controlPathUnsafeDir';
import { ansibleEnvVarsInvalid } from './ansibleEnvVarsInvalid';
import { sshArgsDoubledPercent } from './sshArgsDoubledPercent';
import { proxyHostKeyRejected } from './proxyHostKeyRejected';
import { scpSftpMismatch } from './scpSftpMismatch';
import { quotedSetting } from './quotedSetting';
import { ansibleCfgUnreadable } from './ansibleCfgUnreadable';

/** Every rule, in the order their findings are listed. */
export const RULES: readonly Rule[] = [
  controlPathMissing,
  controlPathUnescapedPercent,
  controlPathTooLong,
  controlPathUnsafeDir,
  ansibleEnvVarsInvalid,
  sshArgsDoubledPercent,
  proxyHostKeyRejected,
  scpSftpMismatch,
  quotedSetting,
  ansibleCfgUnreadable,
];

export type { Rule } from './rule';
export { DOCS_BASE } from './rule';
