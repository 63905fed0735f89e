// What the oracle test files share: builds declared up front and run a few at a
// time, and one `describe` per real toolchain (test/tools/toolchains.ts), so each
// fact and round trip says which toolchain it holds for.
import os from 'node:os';
import fs from 'node:fs';
import { inCI, requireThat, requireTool } from '../support/requireTool';
import { sshdPath } from './sshd';
import { buildTemplate, limiter, type BuildOptions, type BuildResult } from './packer';
import { TOOLCHAIN_NAMES, describeVersions, toolchain, toolchainProblem, type Toolchain, type ToolchainName } from './toolchains';

/** How many builds run side by side (they mostly wait on ssh and Python start-up). */
const JOBS = Number(process.env.PACKER_BAKE_TOOLS_JOBS) || Math.max(2, os.cpus().length + 1);

/**
 * Builds declared while the test file is loaded; `start` queues them (at most
 * JOBS at a time across every `Builds`), and each `it` awaits its own, so a tier
 * of many builds takes a fraction of running them one by one.
 */
export class Builds {
  private readonly all = new Map<string, { get: () => Promise<BuildResult>; group: string }>();

  /** Declares a build in `group` (a toolchain name); the returned function starts it if needed and awaits it. */
  add(group: string, name: string, opts: BuildOptions | (() => BuildOptions | Promise<BuildOptions>)): () => Promise<BuildResult> {
    const key = `${group}:${name}`;
    if (this.all.has(key)) throw new Error(`duplicate scenario ${key}`);
    let started: Promise<BuildResult> | undefined;
    const get = () => (started ??= jobs(async () => buildTemplate(typeof opts === 'function' ? await opts() : opts)));
    this.all.set(key, { get, group });
    return get;
  }

  /** Queues every build of `group` that `want` accepts; failures are reported by each build's own test. */
  start(group: string, want: (name: string) => boolean = () => true): void {
    // A local run of a few tests (mocha -g) can start only their builds: PACKER_BAKE_SCENARIOS=<regex of names>.
    // The others still run when their own test awaits them.
    const only = process.env.PACKER_BAKE_SCENARIOS ? new RegExp(process.env.PACKER_BAKE_SCENARIOS) : undefined;
    for (const [key, s] of this.all) {
      const name = key.slice(group.length + 1);
      if (s.group === group && want(name) && (!only || only.test(name))) void s.get().catch(() => { /* reported by its own test */ });
    }
  }
}

const jobs = limiter(JOBS);

/** The value for this toolchain, for outcomes that differ between them. */
export function per<T>(name: ToolchainName, values: Record<ToolchainName, T>): T {
  return values[name];
}

/**
 * Makes the toolchain ready (the trixie root is built on first use, a few minutes; cached after) or
 * skips the suite saying why (fails under CI=true). Prints the versions its tools report.
 */
export async function requireToolchain(ctx: Mocha.Context, name: ToolchainName): Promise<Toolchain> {
  const problem = toolchainProblem(name);
  requireThat(ctx, problem === undefined, `the ${name} toolchain cannot run here: ${problem}`);
  try {
    const tc = await toolchain(name);
    console.log(`    ${name}: ${describeVersions(tc.versions)}`);
    return tc;
  } catch (e) {
    if (inCI) throw e;
    requireThat(ctx, false, `the ${name} toolchain could not be set up: ${(e as Error).message}`);
    throw e; // not reached: requireThat skipped
  }
}

/** What each toolchain is, so a fact recorded for it is known to hold for these versions. */
export const EXPECTED_VERSIONS: Record<ToolchainName, { packer: RegExp; ansible: RegExp; openssh: RegExp }> = {
  bookworm: { packer: /^1\.6\.6$/, ansible: /^2\.14\./, openssh: /^9\.2p/ },
  trixie: { packer: /^1\.6\.6$/, ansible: /^2\.19\./, openssh: /^10\.0p/ },
};

/**
 * One `describe` per toolchain, `on bookworm` / `on trixie`, whose `before` makes
 * the toolchain ready, checks its versions, calls `ready` and starts the builds
 * `builds` holds for it (those `want` accepts); `body` declares the builds and
 * tests for that toolchain.
 */
export function onEachToolchain(
  builds: Builds, body: (name: ToolchainName) => void,
  opts: { want?: (name: string) => boolean; ready?: (tc: Toolchain) => void } = {},
): void {
  for (const name of TOOLCHAIN_NAMES) {
    describe(`on ${name} (${name === 'bookworm' ? 'Debian 12' : 'Debian 13'})`, function () {
      before(async function () {
        this.timeout(600_000); // a clean machine builds the trixie root here
        const tc = await requireToolchain(this, name);
        const want_ = EXPECTED_VERSIONS[name];
        if (!want_.packer.test(tc.versions.packer) || !want_.ansible.test(tc.versions.ansible) || !want_.openssh.test(tc.versions.openssh)) {
          throw new Error(`the ${name} toolchain is ${describeVersions(tc.versions)}, not the versions its facts were recorded with`);
        }
        opts.ready?.(tc);
        builds.start(name, opts.want);
      });
      body(name);
    });
  }
}

/** Skips (fails under CI) unless the host has what every oracle build needs: packer, Ansible, ssh and sshd. */
export function requireOracleTools(ctx: Mocha.Context): void {
  requireTool(ctx, 'packer', 'the oracle tier runs real builds');
  requireTool(ctx, 'ansible-playbook', 'the oracle tier runs real builds');
  requireTool(ctx, 'ssh', 'Ansible connects with it');
  requireThat(ctx, fs.existsSync(sshdPath()), 'sshd is not installed (openssh-server; see test/setup/apt.sh)');
}
