/**
 * The D-Bus shim on a real system bus (dbus-daemon with the generated bus policy installed):
 * introspection equal to the generated XML, properties and read methods through busctl, gdbus
 * and dbus-send, bad arguments, and an rpm-ostree-style client in Python (python3-gi) running
 * an Upgrade against a real remote: the transaction address, Start(), the signals, a second
 * client's Start() joining, PropertiesChanged, the new deployment.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import dbus from 'dbus-next';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { addServerCommit, buildRemoteSysroot, type RemoteSysroot } from '../src/demo/remote-fixture.js';
import type { Deployment } from '../src/api/types/deployment.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { until } from './support/processes.js';
import { REPO_ROOT } from './support/repo-root.js';
import { BUS_POLICY_TARGET, installFile, nameHasOwner, startSystemBus, type TestBus } from './support/system-bus.js';

const run = promisify(execFile);
const NAME = 'org.projectatomic.aptostree1';
const SYSROOT = '/org/projectatomic/aptostree1/Sysroot';
const OS_PATH = '/org/projectatomic/aptostree1/debian';

/** `method name(in types) -> (out types)` and `property name type` lines of one interface in introspection XML. */
function members(xml: string, iface: string): string[] {
  const block = new RegExp(`<interface name="${iface.replace(/\./g, '\\.')}">([\\s\\S]*?)</interface>`).exec(xml)?.[1] ?? '';
  const out: string[] = [];
  for (const m of block.matchAll(/<method name="(\w+)"(?:\/>|>([\s\S]*?)<\/method>)/g)) {
    const args = [...(m[2] ?? '').matchAll(/<arg [^>]*>/g)].map((a) => a[0]);
    const sig = (dir: string) =>
      args
        .filter((a) => a.includes(`direction="${dir}"`))
        .map((a) => /type="([^"]+)"/.exec(a)?.[1])
        .join('');
    out.push(`method ${m[1]}(${sig('in')}) -> (${sig('out')})`);
  }
  for (const p of block.matchAll(/<property ([^>]*)\/>/g)) {
    const attr = (n: string) => new RegExp(`${n}="([^"]+)"`).exec(p[1])?.[1];
    out.push(`property ${attr('name')} ${attr('type')} ${attr('access')}`);
  }
  for (const s of block.matchAll(/<signal name="(\w+)"(?:\/>|>([\s\S]*?)<\/signal>)/g)) {
    out.push(`signal ${s[1]}(${[...(s[2] ?? '').matchAll(/type="([^"]+)"/g)].map((a) => a[1]).join('')})`);
  }
  return out.sort();
}

describe('the D-Bus shim', () => {
  const dir = tempSysrootDir();
  const busDir = mkdtempSync(join(tmpdir(), 'apt-ostreed-bus-'));
  let bus: TestBus;
  let remote: RemoteSysroot;
  let daemon: DaemonHandle;
  let address: string;
  let removePolicy = (): void => {};
  const busctl = (...args: string[]) => run('busctl', [`--address=${address}`, ...args]);
  const deployments = async (): Promise<Deployment[]> => {
    const c = await JsonRpcClient.connect(daemon.socket);
    try {
      return (await c.call<{ deployments: Deployment[] }>('Sysroot.GetDeployments')).deployments;
    } finally {
      c.close();
    }
  };

  before(async () => {
    // Installed before the bus starts: a bus reloads its policy asynchronously.
    removePolicy = installFile(join(REPO_ROOT, 'interfaces', 'org.projectatomic.aptostree1.conf'), BUS_POLICY_TARGET);
    bus = await startSystemBus(busDir);
    address = bus.address;
    remote = await buildRemoteSysroot(join(dir, 'remote'));
    daemon = await startDaemon({ sysroot: remote.sysroot, env: { DBUS_SYSTEM_BUS_ADDRESS: address } });
    await until(() => nameHasOwner(address, NAME), 10_000, 'the daemon to own its bus name');
  });
  after(async () => {
    // Every transaction ended and its clients left: its peer-to-peer socket went with it.
    if (daemon !== undefined) {
      await until(() => readdirSync(dirname(daemon.socket)).every((f) => !f.startsWith('apt-ostreed-transaction-')), 5_000, 'the transaction sockets to go');
    }
    await daemon?.stop();
    await remote?.stop();
    await bus?.stop();
    removePolicy();
    rmSync(busDir, { recursive: true, force: true });
  });

  it('introspects exactly the generated interfaces', async () => {
    const generated = readFileSync(join(REPO_ROOT, 'interfaces', 'org.projectatomic.aptostree1.xml'), 'utf8');
    const sysroot = (await busctl('--xml-interface', 'introspect', NAME, SYSROOT)).stdout;
    const os = (await busctl('--xml-interface', 'introspect', NAME, OS_PATH)).stdout;
    assert.deepEqual(members(sysroot, `${NAME}.Sysroot`), members(generated, `${NAME}.Sysroot`));
    assert.deepEqual(members(os, `${NAME}.OS`), members(generated, `${NAME}.OS`));
    assert.ok(members(generated, `${NAME}.OS`).includes('method Upgrade(a{sv}) -> (s)'));
  });

  it('properties and read methods through busctl, gdbus and dbus-send; bad arguments are refused', async () => {
    const path = JSON.parse((await busctl('--json=short', 'get-property', NAME, SYSROOT, `${NAME}.Sysroot`, 'Path')).stdout) as { data: string };
    assert.equal(path.data, remote.sysroot);
    const ds = JSON.parse((await busctl('--json=short', 'get-property', NAME, SYSROOT, `${NAME}.Sysroot`, 'Deployments')).stdout) as {
      data: Record<string, { data: unknown }>[];
    };
    const expected = await deployments();
    assert.deepEqual(
      ds.data.map((d) => d.id.data),
      expected.map((d) => d.id),
    );
    assert.deepEqual(
      ds.data.map((d) => d.version.data),
      expected.map((d) => d.version),
    );
    const booted = JSON.parse((await busctl('--json=short', 'get-property', NAME, SYSROOT, `${NAME}.Sysroot`, 'Booted')).stdout) as { data: string };
    assert.equal(booted.data, '/', 'not booted into this sysroot');
    const name = JSON.parse((await busctl('--json=short', 'get-property', NAME, OS_PATH, `${NAME}.OS`, 'Name')).stdout) as { data: string };
    assert.equal(name.data, 'debian');

    const getOs = await run('gdbus', ['call', '--address', address, '-d', NAME, '-o', SYSROOT, '-m', `${NAME}.Sysroot.GetOS`, '']);
    assert.equal(getOs.stdout.trim(), `(objectpath '${OS_PATH}',)`);
    const [a, b] = expected;
    const diff = await run('dbus-send', [
      `--bus=${address}`,
      '--print-reply',
      `--dest=${NAME}`,
      OS_PATH,
      `${NAME}.OS.GetDeploymentsAptDiff`,
      `string:${b.id}`,
      `string:${a.id}`,
    ]);
    assert.match(diff.stdout, /string "base-files"\s+uint32 2/);

    await assert.rejects(
      run('gdbus', ['call', '--address', address, '-d', NAME, '-o', OS_PATH, '-m', `${NAME}.OS.GetDeploymentsAptDiff`, 'bad', 'x']),
      (e: { stderr: string }) => /org\.freedesktop\.DBus\.Error\.InvalidArgs/.test(e.stderr) && /must match pattern/.test(e.stderr),
    );
    await assert.rejects(
      run('dbus-send', [`--bus=${address}`, '--print-reply', `--dest=${NAME}`, OS_PATH, `${NAME}.OS.GetDeploymentsAptDiff`, 'int32:5']),
      // dbus-next matches methods by signature: a wrong one is an unknown method, named as such.
      (e: { stderr: string }) => /org\.freedesktop\.DBus\.Error\.(UnknownMethod|InvalidArgs)/.test(e.stderr),
    );
  });

  it('ObjectManager at /org/projectatomic/aptostree1 lists the Sysroot and OS objects with their properties', async () => {
    const client = dbus.sessionBus({ busAddress: address });
    try {
      const manager = (await client.getProxyObject(NAME, '/org/projectatomic/aptostree1')).getInterface('org.freedesktop.DBus.ObjectManager');
      const objects = (await manager.GetManagedObjects()) as Record<string, Record<string, Record<string, dbus.Variant>>>;
      assert.deepEqual(Object.keys(objects).sort(), [OS_PATH, SYSROOT].sort());
      assert.equal(objects[SYSROOT][`${NAME}.Sysroot`].Path.value, remote.sysroot);
      assert.equal(objects[OS_PATH][`${NAME}.OS`].Name.value, 'debian');
      assert.ok(`${NAME}.OSExperimental` in objects[OS_PATH]);
    } finally {
      client.disconnect();
    }
  });

  it('an rpm-ostree-style client: Upgrade → address, signals, Start() (a second one joins), Finished, the new deployment', async () => {
    const csum = addServerCommit(remote, { version: '12.3' });
    const { stdout } = await run('/usr/bin/python3', [join(REPO_ROOT, 'test', 'support', 'dbus_transaction_client.py'), address, 'Upgrade'], {
      timeout: 150_000,
    });
    const r = JSON.parse(stdout) as {
      address: string;
      title: string;
      started: boolean;
      second: boolean;
      events: [string, ...unknown[]][];
      late: [boolean, [string, unknown][]];
    };
    // A peer-to-peer address next to the daemon's socket, its name not guessable.
    assert.match(r.address, /^unix:path=\/.*\/apt-ostreed-transaction-[0-9a-f]{32}\.sock$/);
    assert.equal(r.title, 'upgrade');
    assert.equal(r.started, true);
    assert.equal(r.second, false, 'the second Start() joins');
    const names = r.events.map((e) => e[0]);
    for (const n of ['TaskBegin', 'TaskEnd', 'DownloadProgress', 'ProgressEnd', 'Finished']) assert.ok(names.includes(n), names.join(' '));
    assert.deepEqual(
      r.events.find((e) => e[0] === 'Finished'),
      ['Finished', [true, '']],
    );
    // rpm-ostree's 6-tuple: time, outstanding, metadata, delta (no static delta: zeros), content, transfer.
    const download = r.events.find((e) => e[0] === 'DownloadProgress') as [string, number[][]];
    assert.equal(download[1].length, 6);
    assert.deepEqual(download[1][3], [0, 0, 0, 0]);
    assert.equal(download[1][4].length, 2);
    const changed = r.events.filter((e) => e[0] === 'PropertiesChanged' && e[1] === SYSROOT).map((e) => e[3] as string[]);
    assert.ok(
      changed.some((keys) => keys.includes('Deployments')),
      JSON.stringify(changed),
    );
    assert.equal((await deployments())[0].checksum, csum);
    assert.deepEqual(r.late, [false, [['Finished', [true, '']]]], 'Start() after the end: false, and Finished again');
  });

  it('RegisterClient/UnregisterClient over the bus; Cancel() before Start(): Finished(false), nothing runs, Start() answers false', async () => {
    const client = dbus.sessionBus({ busAddress: address });
    try {
      const sysroot = (await client.getProxyObject(NAME, SYSROOT)).getInterface(`${NAME}.Sysroot`);
      await sysroot.RegisterClient({});
      await sysroot.UnregisterClient({});
    } finally {
      client.disconnect();
    }
    const before = await deployments();
    const { stdout } = await run(
      '/usr/bin/python3',
      [join(REPO_ROOT, 'test', 'support', 'dbus_transaction_client.py'), address, 'cancel-before-start', 'Rollback'],
      {
        timeout: 60_000,
      },
    );
    const r = JSON.parse(stdout) as { address: string; finished: [boolean, string][]; started: boolean };
    assert.deepEqual(r.finished, [[false, 'Cancelled before it started']]);
    assert.equal(r.started, false);
    assert.deepEqual(await deployments(), before);
  });
});

describe('the D-Bus shim without a bus', () => {
  it('logs once and the socket serves', async () => {
    const daemon = await startDaemon({ sysroot: '/nonexistent', env: { DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/nonexistent/bus' } });
    try {
      const c = await JsonRpcClient.connect(daemon.socket);
      await assert.rejects(c.call('Sysroot.GetDeployments'), (e: { errorName: string }) => e.errorName === 'InvalidSysroot');
      c.close();
      await until(() => /D-Bus shim not started: no system bus at \/nonexistent\/bus/.test(daemon.stderr()), 5000, 'the log line');
      assert.equal(daemon.stderr().match(/D-Bus shim not started/g)?.length, 1);
    } finally {
      await daemon.stop();
    }
  });
});
