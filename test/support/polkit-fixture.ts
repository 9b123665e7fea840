/**
 * What the attack tests on authorization share: a private system bus with the daemon's bus
 * policy, a real polkitd with the generated actions, test users, optional polkit rules, and a
 * daemon on a standard sysroot using that bus. The policy files get names of their own (the
 * buses and polkitd read every file of their directories), so that other suites installing
 * and removing the shared names meanwhile do not change what this one sees. Everything is
 * removed by `stop()`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStandardSysroot } from '../../src/demo/sysroot-builder.js';
import { startDaemon, type DaemonHandle, type StartOptions } from './daemon-process.js';
import { until } from './processes.js';
import { REPO_ROOT } from './repo-root.js';
import { createTestUser, installFile, nameHasOwner, startPolkitd, startSystemBus, type Polkitd, type TestBus } from './system-bus.js';

export const BUS_NAME = 'org.projectatomic.aptostree1';

export interface PolkitFixture {
  bus: TestBus;
  daemon: DaemonHandle;
  sysroot: string;
  /** uid of each test user, by name. */
  uids: Record<string, number>;
  /** Installs a polkit rules file (removed by stop()); `name` makes its file name unique. */
  addRules(name: string, text: string): void;
  /** polkitd's pid (e.g. to stop it with SIGSTOP). */
  polkitdPid(): number;
  /**
   * Stops the bus (then polkitd), and starts both again at the same address (the daemon keeps
   * running; its D-Bus shim does not come back).
   */
  restartBus(): Promise<void>;
  stop(): Promise<void>;
}

export interface PolkitFixtureOptions {
  /** Test users to create; each gets a group of the same name. */
  users: string[];
  /** A tag unique to the suite, for the names of the files it installs. */
  tag: string;
  /** Where the sysroot is built: a tempSysrootDir() made at suite level (it removes it after the suite). */
  dir: string;
  /** Extra daemon environment (the bus address is added). */
  env?: NodeJS.ProcessEnv;
  daemonOptions?: Partial<StartOptions>;
}

export async function startPolkitFixture(options: PolkitFixtureOptions): Promise<PolkitFixture> {
  const cleanups: (() => void)[] = [];
  const busDir = mkdtempSync(join(tmpdir(), `${options.tag}-bus-`));
  cleanups.push(() => rmSync(busDir, { recursive: true, force: true }));
  const dir = options.dir;
  let bus: TestBus | undefined;
  let polkitd: Polkitd | null = null;
  let daemon: DaemonHandle | undefined;
  const stop = async (): Promise<void> => {
    await daemon?.stop();
    // A test may have left it stopped (SIGSTOP): it would never see SIGTERM.
    try {
      if (polkitd !== null) process.kill(polkitd.pid, 'SIGCONT');
    } catch {
      // polkitd is gone already (ESRCH): the rest is still stopped and removed.
    }
    await polkitd?.stop();
    await bus?.stop();
    for (const cleanup of cleanups.reverse()) cleanup();
    cleanups.length = 0;
  };
  try {
    // Installed before the bus starts: a bus reloads its policy asynchronously.
    cleanups.push(installFile(join(REPO_ROOT, 'interfaces', 'org.projectatomic.aptostree1.conf'), `/usr/share/dbus-1/system.d/${options.tag}-aptostree1.conf`));
    bus = await startSystemBus(busDir);
    cleanups.push(
      installFile(
        join(REPO_ROOT, 'polkit', 'org.projectatomic.aptostree.policy'),
        `/usr/share/polkit-1/actions/${options.tag}.org.projectatomic.aptostree.policy`,
      ),
    );
    const uids: Record<string, number> = {};
    for (const user of options.users) {
      cleanups.push(createTestUser(user, user));
      uids[user] = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    }
    polkitd = await startPolkitd(bus.address);
    const sysroot = buildStandardSysroot(join(dir, 'sysroot')).sysroot;
    daemon = await startDaemon({ ...options.daemonOptions, sysroot, env: { ...options.env, DBUS_SYSTEM_BUS_ADDRESS: bus.address } });
    const address = bus.address;
    await until(() => nameHasOwner(address, BUS_NAME), 15_000, 'the daemon to own its bus name');
    const fixture: PolkitFixture = {
      bus,
      daemon,
      sysroot,
      uids,
      addRules: (name, text) => {
        cleanups.push(installFile({ text }, `/etc/polkit-1/rules.d/49-${options.tag}-${name}.rules`));
      },
      polkitdPid: () => polkitd?.pid ?? -1,
      restartBus: async () => {
        // The bus first: polkitd leaving first would make the bus answer its pending calls (NoReply).
        await fixture.bus.stop();
        try {
          if (polkitd !== null) process.kill(polkitd.pid, 'SIGCONT');
        } catch {
          // polkitd is gone already (ESRCH): the rest is still stopped and removed.
        }
        await polkitd?.stop();
        polkitd = null;
        fixture.bus = bus = await startSystemBus(busDir);
        polkitd = await startPolkitd(bus.address);
      },
      stop,
    };
    return fixture;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Runs `argv` as `user` (runuser); its exit status, stdout and stderr. */
export function runAs(user: string, argv: string[], timeoutMs = 60_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('runuser', ['-u', user, '--', ...argv], { encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** socket_callers.py: hostile and ordinary callers of the daemon's socket. */
export const SOCKET_CALLERS = join(REPO_ROOT, 'test', 'support', 'socket_callers.py');

/** One request (no params) over the socket as `user`: 'result', or the error's D-Bus-style name. */
export function socketCallAs(user: string, socket: string, method: string): string {
  const r = runAs(user, ['/usr/bin/python3', SOCKET_CALLERS, 'loop', socket, '0', method]);
  const { answered } = JSON.parse(r.stdout || '{"answered": []}') as { answered: string[] };
  return answered[0] ?? `unanswered: ${r.stderr}`;
}

/** A polkit rule granting every action in `actions` (short names) to members of `group`. */
export function grantRule(group: string, actions: string[]): string {
  const ids = JSON.stringify(actions.map((a) => `org.projectatomic.aptostree.${a}`));
  return `polkit.addRule(function(action, subject) {
  if (${ids}.indexOf(action.id) >= 0 && subject.isInGroup("${group}")) {
    return polkit.Result.YES;
  }
});
`;
}
