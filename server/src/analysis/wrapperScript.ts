/**
 * `command` in an ansible provisioner can name a wrapper script. The common
 * kind only prepares the environment (activates a virtualenv, sets colour
 * variables) and hands every argument to ansible-playbook; it changes nothing
 * about SSH. Such a script is recognised here from its text; anything else
 * (another program, arguments added, SSH settings exported) is not.
 */
import { split } from 'shlex';

export type WrapperVerdict = { plain: true } | { plain: false; why: string };

/** Environment variables a wrapper may set without changing where the control socket goes. */
const RELEVANT = /^ANSIBLE_(SSH_ARGS|SSH_COMMON_ARGS|SSH_EXTRA_ARGS|SCP_EXTRA_ARGS|SFTP_EXTRA_ARGS|SSH_CONTROL_PATH|SSH_CONTROL_PATH_DIR|CONFIG|TRANSPORT)$/;

/**
 * Whether a shell script only runs `ansible-playbook "$@"` once (any path to
 * it, `exec` or not) besides commands that cannot move the control socket:
 * it must not change directory (ansible.cfg is read from there), source
 * anything but a virtualenv's `activate`, `eval`, or set an SSH-related
 * ANSIBLE_* variable or ANSIBLE_CONFIG.
 */
export function classifyWrapper(text: string): WrapperVerdict {
  const shebang = text.startsWith('#!') ? text.split('\n', 1)[0] : '';
  if (text.includes('\0') || (shebang && !/\b(ba|da|z|k)?sh\b/.test(shebang))) return { plain: false, why: 'the command is not a shell script' };
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const commands = lines.flatMap((l) => l.split(/\s*(?:&&|\|\||;)\s*/)).filter((c) => c !== '');
  let runs = 0;
  for (const c of commands) {
    let words: string[];
    try {
      words = split(c.replace(/\$\([^)]*\)/g, 'X'));
    } catch {
      return { plain: false, why: 'the command script could not be read' };
    }
    if (words.length === 0) continue;
    if (['cd', 'pushd', 'popd', 'eval'].includes(words[0])) {
      return { plain: false, why: `the command script runs ${words[0]}` };
    }
    if (words[0] === 'source' || words[0] === '.') {
      if (words.length === 2 && /\/activate$/.test(words[1])) continue;
      return { plain: false, why: `the command script sources ${words[1] ?? 'a file'}` };
    }
    // Leading NAME=value assignments (or `export NAME=value`).
    let i = words[0] === 'export' ? 1 : 0;
    for (; i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]); i++) {
      const name = words[i].slice(0, words[i].indexOf('='));
      if (RELEVANT.test(name)) return { plain: false, why: `the command script sets ${name}` };
    }
    if (i >= words.length) continue;
    if (words[i] === 'exec') i++;
    const program = words[i]?.split('/').pop();
    if (program === 'ansible-playbook') {
      if (words.length !== i + 2 || words[i + 1] !== '$@') return { plain: false, why: 'the command script passes ansible-playbook arguments of its own' };
      runs++;
    }
  }
  return runs === 1 ? { plain: true } : { plain: false, why: 'the command script does not run ansible-playbook "$@" once' };
}
