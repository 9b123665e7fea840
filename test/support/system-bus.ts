/**
 * A private D-Bus system bus and a real polkitd on it, for authorization tests. Everything
 * installed on the machine (the policy, a rules file, a user and a group) is removed again.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exited } from './daemon-process.js';
import { until } from './processes.js';

/** Where the daemon's bus policy goes (the test buses read /usr/share/dbus-1/system.d). */
export const BUS_POLICY_TARGET = '/usr/share/dbus-1/system.d/org.projectatomic.aptostree1.conf';

export interface TestBus {
  address: string;
  stop(): Promise<void>;
}

/**
 * Starts dbus-daemon with Debian's system bus configuration, listening in `dir`; `limits`
 * (e.g. `max_message_unix_fds`) are set in it.
 */
export async function startSystemBus(dir: string, limits: Record<string, number> = {}): Promise<TestBus> {
  const socket = join(dir, 'system_bus_socket');
  const config = readFileSync('/usr/share/dbus-1/system.conf', 'utf8')
    .replace(/<listen>[^<]*<\/listen>/, `<listen>unix:path=${socket}</listen>`)
    .replace(/<pidfile>[^<]*<\/pidfile>/, '')
    // No bus activation: polkitd is started by the test, not by systemd.
    .replace(/<standard_system_servicedirs\/>/, '')
    .replace('<includedir>system.d</includedir>', '<includedir>/usr/share/dbus-1/system.d</includedir>')
    .replace(
      '</busconfig>',
      `${Object.entries(limits)
        .map(([name, value]) => `<limit name="${name}">${value}</limit>`)
        .join('')}</busconfig>`,
    );
  const configFile = join(dir, 'system.conf');
  writeFileSync(configFile, config);
  chmodSync(dir, 0o755);
  const child = spawn('dbus-daemon', [`--config-file=${configFile}`, '--nofork', '--print-address=1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let address = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (address += d));
  await until(() => address.includes('\n'), 10_000, 'dbus-daemon address');
  return { address: address.trim(), stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited(child);
}

/** True when `name` has an owner on the bus at `address`. */
export function nameHasOwner(address: string, name: string): boolean {
  const r = spawnSync(
    'dbus-send',
    [`--bus=${address}`, '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', `string:${name}`],
    { encoding: 'utf8' },
  );
  return r.status === 0 && /boolean true/.test(r.stdout);
}

export interface Polkitd {
  pid: number;
  stop(): Promise<void>;
}

/** Starts polkitd on the test bus; resolves once it owns org.freedesktop.PolicyKit1. */
export async function startPolkitd(address: string): Promise<Polkitd> {
  const child = spawn('/usr/lib/polkit-1/polkitd', ['--no-debug'], {
    stdio: 'ignore',
    env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: address },
  });
  await until(() => nameHasOwner(address, 'org.freedesktop.PolicyKit1'), 15_000, 'polkitd on the bus');
  return { pid: child.pid as number, stop: () => stopChild(child) };
}

/** Installs a file atomically (temp name, mode, rename) so polkitd never reads half of it. */
export function installFile(source: string | { text: string }, target: string): () => void {
  const tmp = `${target}.tmp-${process.pid}`;
  if (typeof source === 'string') copyFileSync(source, tmp);
  else writeFileSync(tmp, source.text);
  chmodSync(tmp, 0o644);
  renameSync(tmp, target);
  return () => rmSync(target, { force: true });
}

/** Creates a system user in a new group; returns its removal. */
export function createTestUser(user: string, group: string): () => void {
  spawnSync('userdel', [user], { stdio: 'ignore' });
  spawnSync('groupdel', [group], { stdio: 'ignore' });
  execFileSync('groupadd', [group]);
  execFileSync('useradd', ['--no-create-home', '--no-user-group', '--gid', group, '--shell', '/usr/sbin/nologin', user]);
  return () => {
    spawnSync('userdel', [user], { stdio: 'ignore' });
    spawnSync('groupdel', [group], { stdio: 'ignore' });
  };
}

/** Counts CheckAuthorization calls on the bus (dbus-monitor as root). */
export async function monitorCheckAuthorization(address: string): Promise<{ count(): number; text(): string; stop(): Promise<void> }> {
  const child = spawn(
    'dbus-monitor',
    [`--address`, address, "type='method_call',interface='org.freedesktop.PolicyKit1.Authority',member='CheckAuthorization'"],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let text = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (text += d));
  // dbus-monitor prints a NameAcquired/NameLost signal once it is monitoring.
  await until(() => text.length > 0, 10_000, 'dbus-monitor ready');
  return {
    count: () => (text.match(/member=CheckAuthorization/g) ?? []).length,
    /** What dbus-monitor printed so far (the calls with their arguments). */
    text: () => text,
    stop: () => stopChild(child),
  };
}
