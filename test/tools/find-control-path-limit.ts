// Binary search, with real `packer build`s, for the longest ANSIBLE_SSH_CONTROL_PATH that works.
// Same user, same proxy port (local_port) for every build; only the directory name length changes.
//   npx tsx test/tools/find-control-path-limit.ts
// Prints one line per build and the result; the oracle tier (facts.test.ts) asserts both sides of it.
import fs from 'node:fs';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { ansibleProvisioner, buildTemplate, optionOf, stopSharedSshd } from './packer';
import { freePort } from './sshd';
import { CONTROL_PATH_TOO_LONG, UNIX_LISTENER_TOO_LONG } from './messages';

async function main(): Promise<void> {
  const port = await freePort();
  const base = `/tmp/pbt-${randomBytes(3).toString('hex')}-`;
  const tokens = '/c-%%h-%%p-%%r';
  const made: string[] = [];
  const attempt = async (dirLen: number) => {
    const dir = base + 'x'.repeat(dirLen - base.length);
    fs.mkdirSync(dir, { recursive: true });
    made.push(dir);
    const r = await buildTemplate({ provisioner: ansibleProvisioner({ local_port: port, ansible_env_vars: [`ANSIBLE_SSH_CONTROL_PATH=${dir}${tokens}`] }) });
    const argv = r.sshCommands[0];
    const exp = argv ? `${dir}/c-127.0.0.1-${optionOf(argv, 'Port')}-${optionOf(argv, 'User')}` : '?';
    const why = r.ok ? 'ok' : (r.ui.match(UNIX_LISTENER_TOO_LONG)?.[0] ?? r.ui.match(CONTROL_PATH_TOO_LONG)?.[0] ?? `failed: ${r.ui.slice(-300)}`);
    console.log(`dir ${dirLen} bytes, setting ${(dir + tokens).length} bytes, expanded ${exp.length} bytes: ${why}`);
    return { ok: r.ok, expandedLength: exp.length, settingLength: (dir + tokens).length };
  };
  let lo = base.length + 5;
  let hi = 120;
  const first = await attempt(lo);
  if (!first.ok) throw new Error('the shortest directory already fails');
  let good = first;
  let bad = await attempt(hi);
  if (bad.ok) throw new Error('the longest directory still works');
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const r = await attempt(mid);
    if (r.ok) { lo = mid; good = r; } else { hi = mid; bad = r; }
  }
  console.log(`user ${os.userInfo().username}, proxy port ${port}: longest working ANSIBLE_SSH_CONTROL_PATH is ${good.settingLength} bytes (expands to ${good.expandedLength}); shortest failing is ${bad.settingLength} bytes (expands to ${bad.expandedLength})`);
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
  await stopSharedSshd();
}

main().catch((e) => { console.error(e); process.exit(1); });
