/**
 * Generates the workspace of measure (d): `count` templates in mixed formats
 * (legacy JSON, HCL2, HCL2 JSON), sizes drawn log-uniformly from 1 KB to
 * 200 KB with a fixed seed, each derived from a real corpus template or an
 * example and padded to its size with realistic blocks (shell provisioners),
 * one template per folder, some folders with an ansible.cfg from the corpus.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { formatForName } from '../server/src/analysis';
import { corpusDir, corpusIndex, corpusAvailable } from '../test/support/corpus';
import { rng, root } from './lib';

export interface WorkspaceSpec {
  count: number;
  minBytes: number;
  maxBytes: number;
  seed: number;
}

export interface Workspace {
  dir: string;
  files: number;
  bytes: number;
  byFormat: Record<string, number>;
  medianBytes: number;
  cfgs: number;
}

interface Seed {
  format: 'json' | 'hcl';
  text: string;
}

function seeds(): Seed[] {
  const out: Seed[] = [];
  const add = (file: string) => {
    const kind = formatForName(file);
    if (kind !== 'hcl' && kind !== 'maybe-json') return;
    const text = fs.readFileSync(file, 'utf8');
    if (kind === 'maybe-json') {
      const v = parseJsonc(text) as { builders?: unknown } | undefined;
      if (!v || !Array.isArray(v.builders)) return;
    }
    out.push({ format: kind === 'hcl' ? 'hcl' : 'json', text });
  };
  const examples = path.join(root, 'examples');
  for (const d of fs.readdirSync(examples)) for (const f of ['template.json', 'template.pkr.hcl']) if (fs.existsSync(path.join(examples, d, f))) add(path.join(examples, d, f));
  if (corpusAvailable()) for (const e of corpusIndex()) if (e.kind !== 'support') add(path.join(corpusDir, e.file));
  return out;
}

const ENV_VARIANTS: string[][] = [
  [],
  ['ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%%h-%%p-%%r'],
  ['ANSIBLE_SSH_CONTROL_PATH=/tmp/ansible-ssh-%h-%p-%r'],
  ['ANSIBLE_HOST_KEY_CHECKING=False', 'ANSIBLE_SSH_ARGS=-o ControlMaster=auto -o ControlPersist=60s'],
  ['ANSIBLE_SSH_CONTROL_PATH_DIR=/home/builder/.ansible/cp'],
  ['ANSIBLE_NOCOLOR'],
];

function shellUnit(i: number, k: number): { type: string; inline: string[]; environment_vars: string[] } {
  return {
    type: 'shell',
    environment_vars: [`STEP=${k}`, 'DEBIAN_FRONTEND=noninteractive'],
    inline: [
      `echo 'template ${i}: hardening step ${k}'`,
      'sudo apt-get update -y && sudo apt-get install -y --no-install-recommends curl ca-certificates gnupg',
      `sudo install -d -m 0755 /etc/apt/keyrings /opt/step-${k}`,
      `sudo sysctl -w net.ipv4.ip_forward=1 && echo 'net.ipv4.ip_forward = 1' | sudo tee /etc/sysctl.d/99-step-${k}.conf`,
    ],
  };
}

function hclUnit(i: number, k: number): string {
  const u = shellUnit(i, k);
  return `
build {
  name    = "pad-${k}"
  sources = ["source.null.pad"]

  provisioner "shell" {
    environment_vars = ${JSON.stringify(u.environment_vars)}
    inline = [
${u.inline.map((l) => `      ${JSON.stringify(l)},`).join('\n')}
    ]
  }
}
`;
}

export function padJson(seed: string, i: number, target: number): string {
  const v = parseJsonc(seed) as { provisioners?: unknown[] };
  const original = Array.isArray(v.provisioners) ? v.provisioners : [];
  const render = (k: number) => {
    v.provisioners = [...original];
    for (let j = 0; j < k; j++) v.provisioners.push(shellUnit(i, j));
    return `${JSON.stringify(v, null, 2)}\n`;
  };
  const base = render(0).length;
  const unit = render(1).length - base;
  return render(Math.max(0, Math.ceil((target - base) / unit)));
}

export function padHcl(seed: string, i: number, target: number): string {
  let text = seed.endsWith('\n') ? seed : `${seed}\n`;
  const parts = [text];
  for (let k = 0; text.length < target; k++) {
    const u = hclUnit(i, k);
    parts.push(u);
    text += u;
  }
  return parts.join('');
}

function hclJson(i: number, target: number, env: string[]): string {
  const v = {
    source: { null: { x: { communicator: 'ssh', ssh_host: '127.0.0.1', ssh_username: 'root' } } },
    build: [{
      sources: ['source.null.x'],
      provisioner: [{ ansible: { playbook_file: 'playbook.yml', ...(env.length ? { ansible_env_vars: env } : {}) } }] as Record<string, unknown>[],
    }],
  };
  const list = v.build[0].provisioner;
  const base = JSON.stringify(v, null, 2).length;
  const { type: _t, ...first } = shellUnit(i, 0);
  const unit = JSON.stringify({ ...v, build: [{ ...v.build[0], provisioner: [...list, { shell: first }] }] }, null, 2).length - base;
  for (let k = 0; base + k * unit < target; k++) {
    const { type: _type, ...body } = shellUnit(i, k);
    list.push({ shell: body });
  }
  return `${JSON.stringify(v, null, 2)}\n`;
}

export function generateWorkspace(dir: string, spec: WorkspaceSpec): Workspace {
  const all = seeds();
  const cfgs = corpusAvailable() ? corpusIndex().filter((e) => e.kind === 'support' && e.file.endsWith('ansible.cfg')).map((e) => fs.readFileSync(path.join(corpusDir, e.file), 'utf8')) : [];
  const random = rng(spec.seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
  fs.rmSync(dir, { recursive: true, force: true });
  const sizes: number[] = [];
  const byFormat: Record<string, number> = {};
  let cfgCount = 0;
  for (let i = 0; i < spec.count; i++) {
    const target = Math.round(spec.minBytes * Math.exp(random() * Math.log(spec.maxBytes / spec.minBytes)));
    const folder = path.join(dir, `team-${String(i % 50).padStart(2, '0')}`, `image-${String(i).padStart(4, '0')}`);
    fs.mkdirSync(folder, { recursive: true });
    const roll = random();
    let name: string;
    let text: string;
    if (roll < 0.1) {
      name = 'image.pkr.json';
      text = hclJson(i, target, pick(ENV_VARIANTS));
    } else {
      const format = roll < 0.55 ? 'json' : 'hcl';
      const fitting = all.filter((s) => s.format === format && s.text.length <= target);
      const seed = pick(fitting.length ? fitting : all.filter((s) => s.format === format));
      name = format === 'json' ? 'template.json' : 'image.pkr.hcl';
      text = format === 'json' ? padJson(seed.text, i, target) : padHcl(seed.text, i, target);
    }
    fs.writeFileSync(path.join(folder, name), text);
    byFormat[name.replace(/^[a-z]+/, '')] = (byFormat[name.replace(/^[a-z]+/, '')] ?? 0) + 1;
    sizes.push(Buffer.byteLength(text));
    if (cfgs.length && random() < 0.1) {
      fs.writeFileSync(path.join(folder, 'ansible.cfg'), pick(cfgs));
      cfgCount++;
    }
  }
  sizes.sort((a, b) => a - b);
  return { dir, files: spec.count, bytes: sizes.reduce((a, b) => a + b, 0), byFormat, medianBytes: sizes[Math.floor(sizes.length / 2)], cfgs: cfgCount };
}
