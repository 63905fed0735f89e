/** Small template builders for unit tests: state only what differs from a minimal build. */

export const JSON_FILE = '/ws/template.json';
export const HCL_FILE = '/ws/template.pkr.hcl';

/** A legacy JSON template with one ansible provisioner holding `attrs`. */
export function legacy(attrs: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify(
    {
      ...extra,
      builders: (extra.builders as unknown) ?? [{ type: 'null', communicator: 'ssh', ssh_host: '127.0.0.1', ssh_username: 'root' }],
      provisioners: [{ type: 'ansible', playbook_file: 'playbook.yml', ...attrs }],
    },
    null,
    2,
  )}\n`;
}

/** An HCL2 template with one ansible provisioner whose body lines are `body`. */
export function hcl(body = '', extra = ''): string {
  const lines = body.split('\n').filter((l) => l.trim() !== '').map((l) => `    ${l.trim()}`);
  return `${extra}source "null" "x" {
  communicator = "ssh"
  ssh_host     = "127.0.0.1"
  ssh_username = "root"
}

build {
  sources = ["source.null.x"]

  provisioner "ansible" {
    playbook_file = "playbook.yml"
${lines.map((l) => `${l}\n`).join('')}  }
}
`;
}
