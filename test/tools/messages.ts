// The real messages Packer 1.6.6, ansible-core 2.14.18 and OpenSSH 9.2p1 print
// for each failure the rules are about, recorded once from real runs (see
// docs/facts.md) and kept as patterns so the oracle tier notices if they change.
// Match them against `BuildResult.ui` (prefixes stripped, escapes decoded).

/** A phrase whose words may be wrapped onto new lines (Packer wraps HCL diagnostics at ~80 columns). */
export function phrase(words: string): RegExp {
  const esc = words.split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(esc.join('\\s+'));
}

/**
 * A single `%` token in ANSIBLE_SSH_CONTROL_PATH / control_path: Python %-formatting fails.
 * ansible-core 2.14 says `Unexpected failure during module execution: …`, 2.19 `Task failed: …`.
 */
export const UNSUPPORTED_FORMAT_214 =
  /Unexpected failure during module execution: unsupported format character '.' \(0x[0-9a-f]{2}\) at index \d+/;
export const UNSUPPORTED_FORMAT_219 = /Task failed: unsupported format character '.' \(0x[0-9a-f]{2}\) at index \d+/;
export const UNSUPPORTED_FORMAT = new RegExp(`${UNSUPPORTED_FORMAT_214.source}|${UNSUPPORTED_FORMAT_219.source}`);

/** Packer 1.6.6's proxy adapter offers only an ssh-rsa host key; OpenSSH >= 8.8 refuses it by default. */
export const HOST_KEY_REJECTED =
  /Unable to negotiate with 127\.0\.0\.1 port \d+: no matching host key type found\. Their offer: ssh-rsa/;

/** ssh (not the transfer) could not connect: the task is UNREACHABLE. */
export const UNREACHABLE = /fatal: \[default\]: UNREACHABLE! =>/;

/** Ansible's file transfer (scp/sftp) failed (ansible-core 2.19 prefixes "Task failed: "). */
export const TRANSFER_FAILED = /"msg": "(?:Task failed: )?failed to transfer file to \S+ \S+:/;

/** OpenSSH 9 scp runs the sftp subsystem unless given -O. */
export const SCP_USES_SFTP = /Executing: program \S+ host 127\.0\.0\.1, user \(unspecified\), command sftp/;
/**
 * ...and Packer 1.6.6's proxy serves that subsystem (it runs `sftp_command`, default `/usr/lib/sftp-server -e`,
 * on the target) and the file arrives, but the channel closes without an exit status: scp fails.
 * Multiplexed (Ansible's default) ssh says the first, a direct connection the second.
 */
export const SFTP_CHANNEL_NO_EXIT_STATUS = /Control master terminated unexpectedly|debug1: Exit status -1/;

/** ssh's client-side check: the ControlPath itself does not fit sun_path (108 bytes). Group 1: the expanded path. */
export const CONTROL_PATH_TOO_LONG = /ControlPath too long \('([^']+)' >= 108 bytes\)/;

/** The master's temporary socket `<path>.<16 random chars>` does not fit sun_path. Group 1: that temporary path. */
export const UNIX_LISTENER_TOO_LONG = /unix_listener: path \\?"([^"\\]+)\\?" too long for Unix domain socket/;

/** Legacy JSON: an ansible_env_vars entry that is an object (or the whole value a map). */
export const JSON_ENV_MAP_ENTRY =
  /'ansible_env_vars\[0\]' expected type 'string', got unconvertible type\s+'map\[interface \{\}\]interface \{\}'/;
/** Legacy JSON: an ansible_env_vars entry that is a list. */
export const JSON_ENV_LIST_ENTRY =
  /'ansible_env_vars\[0\]' expected type 'string', got unconvertible type\s+'\[\]interface \{\}'/;
/** Both legacy JSON messages start like this. */
export const JSON_PREPARE_FAILED = /Error: Failed to prepare build: "null"/;

/** HCL2: ansible_env_vars is not a list (a string, a map). */
export const HCL_ENV_NOT_LIST = phrase('Inappropriate value for attribute "ansible_env_vars": list of string required.');
/** HCL2: an element is an object or a list. */
export const HCL_ENV_ELEMENT_NOT_STRING = phrase('Inappropriate value for attribute "ansible_env_vars": element 0: string required.');

/** Ansible skips ./ansible.cfg when the current directory is world-writable. */
export const WORLD_WRITABLE_CWD =
  /Ansible is being run in a world writable directory[\s\S]*?ignoring it as an ansible\.cfg source/;

/**
 * The control socket's directory is on a file system that cannot hold Unix sockets (recorded on an sshfs
 * mount, a network home directory: sshfs creates only regular files): the master's bind of its temporary
 * socket fails, ssh gives up, the task is UNREACHABLE. Group 1: that temporary path (`<ControlPath>.<16 random>`).
 */
export const UNIX_LISTENER_BIND_NOT_PERMITTED = /unix_listener: cannot bind to path (\S+): Operation not permitted/;

/* ---- messages that differ between the toolchains (toolchainFacts.test.ts) ---- */

/** ssh got one word holding several options (quotes ansible-core 2.15+ keep): the first keyword's value has extra words. */
export const EXTRA_ARGUMENTS_AT_END = (keyword: string): RegExp => new RegExp(`command-line line 0: keyword ${keyword} extra arguments at end of line`);

/** Packer 1.6.6's run-together ansible_ssh_extra_args items: ssh checks the first value, `+ssh-rsa-o`, and refuses it (both toolchains). */
export const BAD_KEY_TYPES_RUN_TOGETHER = /command-line line 0: Bad key types '\+ssh-rsa-o'\./;

/** scp got one word holding several options. */
export const SCP_UNKNOWN_OPTION = /scp: unknown option -- /;

/** The master's temporary socket is in a directory that does not exist (quotes kept in the path). Group 1: that path. */
export const NO_SUCH_FILE_BIND = /unix_listener: cannot bind to path (.+?): No such file or directory/;

/** Packer checks playbook_file when it prepares the build (relative to its working directory). */
export const PLAYBOOK_FILE_INVALID = /playbook_file: play2\.yml is invalid: stat play2\.yml: no such file or directory/;

/**
 * An ansible.cfg Ansible cannot read (a UTF-8 BOM before the first section: Python's configparser says
 * "File contains no section headers"): Packer's own `ansible-playbook --version` exits 5 while it prepares the build.
 */
export const CFG_UNREADABLE_AT_PREPARE = /Error running "ansible-playbook --version": exit status 5/;

/**
 * Packer's documented connection_plugins/packer.py (an ssh subclass without option documentation of its own):
 * ansible-core 2.14 and 2.19 find no option definitions for the `packer` plugin and the task fails.
 */
export const PACKER_PLUGIN_NO_OPTIONS_214 =
  /Unexpected failure during module execution: 'Requested entry \(plugin_type: connection plugin: packer setting: host \) was not defined in configuration\.'/;
export const PACKER_PLUGIN_NO_OPTIONS_219 = /Task failed: : No config definition exists for 'ssh_args' for 'packer' connection plugin\./;

/**
 * ansible-core 2.17+ (`ssh_transfer_method` smart): sftp failed, then scp failed, and the file went
 * through ssh itself (`piped`), which gets --ssh-extra-args: the transfer succeeds after all.
 */
export const TRANSFER_FELL_BACK =
  /\[WARNING\]: sftp transfer mechanism failed on \[127\.0\.0\.1\][\s\S]*\[WARNING\]: scp transfer mechanism failed on \[127\.0\.0\.1\]/;
