/**
 * Whether a container is used for Packer/Ansible, from what its definition
 * says about itself. The container rules stay silent without such evidence:
 * a dev container for, say, Python in a repository that bakes AMIs elsewhere
 * is none of their business.
 */

/** `packer` or `ansible` as a word (`packer-asdf`, `ansible-core` and `hashicorp/packer` count; `packers` does not). */
const TOOL_WORD = /(?<![A-Za-z0-9_])(packer|ansible)(?![A-Za-z0-9_])/i;

/** The tool a text mentions, lower-cased, or undefined. */
export function mentionsTool(text: string): string | undefined {
  return TOOL_WORD.exec(text)?.[1].toLowerCase();
}

/**
 * The first instruction of a Dockerfile that mentions Packer or Ansible, as
 * `line N (text)`; comment lines and parser directives do not count.
 * Continuation lines (`\` at the end) belong to their instruction.
 */
export function dockerfileMention(text: string): string | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    if (mentionsTool(line)) return `line ${i + 1} (${clip(line)})`;
  }
  return undefined;
}

/** A value shortened for a message. */
export function clip(s: string, max = 60): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
