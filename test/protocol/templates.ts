/** Templates the protocol tests write into their workspaces. */

/** Legacy JSON: an ssh communicator and an ansible provisioner with no control path (fires control-path-missing). */
export const LEGACY_MISSING = JSON.stringify(
  {
    builders: [{ type: 'null', communicator: 'ssh', ssh_host: '127.0.0.1', ssh_username: 'root' }],
    provisioners: [{ type: 'ansible', playbook_file: 'p.yml' }],
  },
  null,
  2,
) + '\n';

/** Legacy JSON with a single % in ANSIBLE_SSH_CONTROL_PATH (fires control-path-unescaped-percent). */
export const LEGACY_UNESCAPED = JSON.stringify(
  {
    builders: [{ type: 'null', communicator: 'ssh', ssh_host: '127.0.0.1', ssh_username: 'root' }],
    provisioners: [{ type: 'ansible', playbook_file: 'p.yml', ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%h-%p-%r'] }],
  },
  null,
  2,
) + '\n';

/** Legacy JSON without findings. */
export const LEGACY_CLEAN = JSON.stringify(
  {
    builders: [{ type: 'null', communicator: 'ssh', ssh_host: '127.0.0.1', ssh_username: 'root' }],
    provisioners: [{ type: 'ansible', playbook_file: 'p.yml', ansible_env_vars: ['ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r'] }],
  },
  null,
  2,
) + '\n';

/** HCL2: fires control-path-missing on the provisioner label. */
export const HCL_MISSING = `source "null" "x" {
  communicator = "ssh"
  ssh_host     = "127.0.0.1"
  ssh_username = "root"
}

build {
  sources = ["source.null.x"]

  provisioner "ansible" {
    playbook_file = "p.yml"
  }
}
`;

export const NOT_A_TEMPLATE = JSON.stringify({ name: 'not-packer', version: '1.0.0' }, null, 2) + '\n';

/** An ansible.cfg moving the socket under /tmp with Ansible's %-escaping (clean). */
export const CFG_CLEAN = '[ssh_connection]\ncontrol_path = /tmp/ansible-ssh-%%h-%%p-%%r\n';
/** The same with single % signs (fires control-path-unescaped-percent in the cfg). */
export const CFG_UNESCAPED = '[ssh_connection]\ncontrol_path = /tmp/ansible-ssh-%h-%p-%r\n';
