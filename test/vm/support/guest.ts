/**
 * The booted-machine suites' view of a test machine: start it before the suite (a fresh copy of
 * the cached image), stop it after, and run commands in it — as root, or as a user in a real
 * login session — with assertions that print what the guest said.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Deployment } from '../../../src/api/types/deployment.js';
import { crash, exec, reboot, start, stop, type ExecResult, type UpReport } from '../../../src/vm/vm-client.js';
import { vmToolsMissing } from '../../../src/vm/test-image.js';

/** Why the VM suites cannot run here (QEMU or a tool missing), or null. */
export function vmSkipReason(): string | null {
  const missing = vmToolsMissing();
  return missing.length > 0 ? `cannot run a virtual machine here: ${missing.join(', ')} missing (scripts/setup.sh installs them as root)` : null;
}

export interface Guest {
  name: string;
  /** The boots so far (the first is the suite's start). */
  boots: UpReport[];
  run(argv: string[], o?: { user?: string; stdin?: string }): Promise<ExecResult>;
  /** Runs and asserts exit code 0; returns stdout. */
  ok(argv: string[], o?: { user?: string; stdin?: string }): Promise<string>;
  /** `apt-ostree ARGS` as root (or `user`). */
  cli(args: string[], o?: { user?: string }): Promise<ExecResult>;
  deployments(): Promise<Deployment[]>;
  reboot(): Promise<UpReport>;
  crash(): Promise<UpReport>;
  /** Writes a file in the guest (as root). */
  write(path: string, content: string): Promise<void>;
}

export function describeResult(argv: string[], r: ExecResult): string {
  return `${argv.join(' ')} => ${r.error ?? `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}`}\nstdout: ${r.stdout.slice(-3000)}\nstderr: ${r.stderr.slice(-3000)}`;
}

/** A machine for the enclosing describe(): booted in before(), stopped in after(). */
export function guestSuite(name: string): Guest {
  const boots: UpReport[] = [];
  const check = (up: UpReport): UpReport => {
    boots.push(up);
    process.stderr.write(`# ${name}: up in ${up.seconds.toFixed(1)} s (${up.accel}, ${up.state}) ${up.entry}\n`);
    assert.ok(up.state === 'running' || up.state === 'degraded', `systemd: ${up.state}`);
    assert.equal(up.failed, '', `failed units after boot:\n${up.failed}`);
    return up;
  };
  const g: Guest = {
    name,
    boots,
    run: (argv, o = {}) => exec(name, argv, o),
    async ok(argv, o = {}) {
      const r = await exec(name, argv, o);
      assert.equal(r.code, 0, describeResult(argv, r));
      return r.stdout;
    },
    cli: (args, o = {}) => exec(name, ['apt-ostree', ...args], o),
    async deployments() {
      // status --json has rpm-ostree's kebab-case keys; the suites compare with the API's objects.
      const out = await g.ok(['apt-ostree', 'status', '--json']);
      const camel = (k: string): string => (k === 'packages' ? 'layeredPackages' : k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()));
      return (JSON.parse(out) as { deployments: Record<string, unknown>[] }).deployments.map(
        (d) => Object.fromEntries(Object.entries(d).map(([k, v]) => [camel(k), v])) as unknown as Deployment,
      );
    },
    reboot: async () => check(await reboot(name)),
    crash: async () => check(await crash(name)),
    async write(path, content) {
      await g.ok(['sh', '-c', 'cat > "$1"', 'sh', path], { stdin: content });
    },
  };
  before(async () => {
    await stop(name);
    check(await start(name, (line) => process.stderr.write(`# ${line}\n`)));
  });
  after(async () => {
    await stop(name);
  });
  return g;
}
