/**
 * rpm-ostree's `install ./x.rpm` and `override replace ./x.rpm` over D-Bus: UpdateDeployment
 * with `install-local-packages` / `override-replace-local-packages` (type `ah`) holding handles
 * into the message's Unix file descriptors, from a client written from rpm-ostree's interface
 * (python3-gi, GUnixFDList), on a real system bus. The .deb ends up layered, the other replaces
 * a base package; a pipe, a write-only file, a handle past the list, more than 64 descriptors
 * and a file that is not a .deb are refused; the daemon keeps none of the descriptors.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Deployment } from '../src/api/types/deployment.js';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { layeringFixture, stopLayeringFixture, type LayeringFixture } from './support/layering-fixture.js';
import { buildLocalDeb } from './support/local-deb.js';
import { baseWithBasetool } from './support/basetool-base.js';
import { cliOn, deploymentRoot } from './support/capture-io.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';
import { until } from './support/processes.js';
import { REPO_ROOT } from './support/repo-root.js';
import { rpmOstreeXml } from './support/rpm-ostree-xml.js';
import { BUS_POLICY_TARGET, installFile, nameHasOwner, startSystemBus, type TestBus } from './support/system-bus.js';

const run = promisify(execFile);
const NAME = 'org.projectatomic.aptostree1';
const INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs';

/** The options rpm-ostree's `install` sends (rpmostree-pkg-builtins.cxx), all of them: two are not in its XML. */
const RPM_OSTREE_INSTALL_OPTIONS = {
  reboot: ['b', false],
  'cache-only': ['b', false],
  'download-only': ['b', false],
  'no-pull-base': ['b', true],
  'dry-run': ['b', false],
  'print-interactive': ['b', false],
  'allow-inactive': ['b', false],
  'no-layering': ['b', false],
  'idempotent-layering': ['b', false],
  'lock-finalization': ['b', false],
};

/** The options rpm-ostree's `override replace` sends (rpmostree-override-builtins.cxx). */
const RPM_OSTREE_OVERRIDE_OPTIONS = {
  reboot: ['b', false],
  'cache-only': ['b', false],
  'no-pull-base': ['b', true],
  'dry-run': ['b', false],
  'no-overrides': ['b', false],
  'lock-finalization': ['b', false],
};

interface CaseReport {
  error?: string;
  message?: string;
  address?: string;
  started?: boolean;
  finished?: [boolean, string] | null;
  /** The daemon's open descriptors before and after the case, its client still on the bus. */
  daemon_fds: [number, number];
}

/** The daemon's open descriptors: what each links to. */
function openFds(pid: number): string[] {
  return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
    } catch {
      return [];
    }
  });
}

describe("install-local-packages over D-Bus (rpm-ostree's client: handles into a GUnixFDList)", () => {
  const dir = tempSysrootDir();
  const work = mkdtempSync(join(tmpdir(), 'apt-ostreed-dbus-local-'));
  let bus: TestBus;
  let fixture: LayeringFixture;
  let daemon: DaemonHandle;
  let removePolicy = (): void => {};
  let report: Record<string, CaseReport>;
  let deb: string;
  let fdsBefore: string[];
  let fdsAfter: string[];
  let basetoolSha256: string;

  before(async () => {
    removePolicy = installFile(join(REPO_ROOT, 'interfaces', 'org.projectatomic.aptostree1.conf'), BUS_POLICY_TARGET);
    // The system bus passes 16 descriptors a message at most: raised, so that the daemon's own limit (64) is what refuses.
    bus = await startSystemBus(work, { max_message_unix_fds: 128, max_incoming_unix_fds: 1024, max_outgoing_unix_fds: 1024 });
    fixture = await layeringFixture(dir);
    daemon = await startDaemon({ sysroot: fixture.sysroot, env: { DBUS_SYSTEM_BUS_ADDRESS: bus.address } });
    await until(() => nameHasOwner(bus.address, NAME), 10_000, 'the daemon to own its bus name');
    deb = buildLocalDeb(join(work, 'debs'), { name: 'dbustool', version: '1.0', files: { '/usr/bin/dbustool': '#!/bin/sh\necho dbustool\n' } }).path;
    const text = join(work, 'notes.txt');
    writeFileSync(text, 'not a package\n');
    const pid = daemon.process.pid as number;
    writeFileSync(join(work, 'rpm-ostree.xml'), rpmOstreeXml());
    const client = async (plan: object[]): Promise<Record<string, CaseReport>> => {
      writeFileSync(join(work, 'plan.json'), JSON.stringify(plan));
      const { stdout } = await run(
        '/usr/bin/python3',
        [join(REPO_ROOT, 'test/support/rpm_ostree_local_client.py'), bus.address, join(work, 'rpm-ostree.xml'), join(work, 'plan.json')],
        { timeout: 300_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, DAEMON_PID: String(pid) } },
      );
      return JSON.parse(stdout) as Record<string, CaseReport>;
    };
    // First a transaction that starts what the daemon keeps between transactions (its worker).
    const first = await client([{ name: 'unused', files: [deb, text], handles: [], options: { 'dry-run': ['b', true] } }]);
    // A base with basetool 2.0, for the replacement by a local basetool 2.5.
    baseWithBasetool(fixture, '12.3', '2.0');
    const upgraded = await cliOn(() => daemon.socket)('upgrade');
    assert.equal(upgraded.code, 0, upgraded.err + upgraded.out);
    const replacement = buildLocalDeb(join(work, 'debs'), { name: 'basetool', version: '2.5', files: { '/usr/bin/basetool': 'basetool 2.5 (local)\n' } });
    basetoolSha256 = replacement.sha256;
    // The refusals first, on a quiet daemon: the same count for a second.
    for (let stable = 0, last = -1, deadline = Date.now() + 10_000; stable < 5 && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 200));
      const n = openFds(pid).length;
      stable = n === last ? stable + 1 : 0;
      last = n;
    }
    fdsBefore = openFds(pid);
    report = {
      ...first,
      ...(await client([
        { name: 'pipe', files: ['pipe'], handles: [0] },
        { name: 'write-only', files: [`write-only:${text}`], handles: [0] },
        { name: 'bad handle', files: [deb], handles: [1] },
        { name: 'too many', files: Array.from({ length: 65 }, () => deb), handles: [0] },
        { name: 'fileoverride', files: [deb], modifiers: { 'install-local-fileoverride-packages': ['ah', [0]] } },
        { name: 'both', files: [deb, replacement.path], handles: [0], modifiers: { 'override-replace-local-packages': ['ah', [1]] } },
        { name: 'not a deb', files: [text], handles: [0] },
        { name: 'layered', files: [text, deb], handles: [1], options: RPM_OSTREE_INSTALL_OPTIONS },
        {
          name: 'replaced',
          files: [replacement.path],
          modifiers: { 'override-replace-local-packages': ['ah', [0]] },
          options: RPM_OSTREE_OVERRIDE_OPTIONS,
        },
      ])),
    };
    // The transaction objects close once their client is gone.
    await until(() => openFds(pid).length <= fdsBefore.length, 10_000, 'the daemon to close what the calls brought').catch(() => {});
    fdsAfter = openFds(pid);
  });
  after(async () => {
    await daemon?.stop();
    if (fixture !== undefined) await stopLayeringFixture(fixture);
    await bus?.stop();
    removePolicy();
    rmSync(work, { recursive: true, force: true });
  });

  it('layers the .deb its handle names: Finished(true), LocalPackages in the new deployment', async () => {
    const r = report.layered;
    assert.equal(r.error, undefined, `${r.error}: ${r.message}`);
    assert.equal(r.started, true);
    assert.deepEqual(r.finished?.[0], true, JSON.stringify(r.finished));
    const sha256 = execFileSync('sha256sum', [deb], { encoding: 'utf8' }).split(' ')[0];
    const c = await JsonRpcClient.connect(daemon.socket);
    try {
      const d = (await c.call<{ deployments: Deployment[] }>('Sysroot.GetDeployments')).deployments[0];
      assert.deepEqual(d.localPackages, [`dbustool:${sha256}`]);
      assert.ok(d.layeredPackages.includes('dbustool'), JSON.stringify(d.layeredPackages));
    } finally {
      c.close();
    }
  });

  it('replaces a base package by the .deb override-replace-local-packages names (after the layering: both stay)', async () => {
    const r = report.replaced;
    assert.equal(r.error, undefined, `${r.error}: ${r.message}`);
    assert.deepEqual(r.finished?.[0], true, JSON.stringify(r.finished));
    const c = await JsonRpcClient.connect(daemon.socket);
    try {
      const d = (await c.call<{ deployments: Deployment[] }>('Sysroot.GetDeployments')).deployments[0];
      assert.deepEqual(d.requestedBaseLocalReplacements, [`basetool:${basetoolSha256}`]);
      assert.equal(d.localPackages.length, 1, JSON.stringify(d.localPackages));
      assert.equal(readFileSync(join(deploymentRoot(fixture.sysroot, d.id), 'usr/bin/basetool'), 'utf8'), 'basetool 2.5 (local)\n');
    } finally {
      c.close();
    }
  });

  it('refuses, at the call, descriptors that are no readable regular file, a handle past the list and more than 64 descriptors', () => {
    const refused = (name: string, error: string, text: RegExp): void => {
      const r = report[name];
      assert.equal(r.error, error, `${name}: ${JSON.stringify(r)}`);
      assert.match(r.message ?? '', text, name);
    };
    refused('pipe', INVALID_ARGS, /descriptor 0: not a regular file/);
    refused('write-only', INVALID_ARGS, /descriptor 0: not opened for reading/);
    refused('bad handle', INVALID_ARGS, /"install-local-packages": handle 1 is not one of the 1 descriptors/);
    refused('too many', INVALID_ARGS, /65 descriptors in one message, more than the 64 allowed/);
    refused('fileoverride', `${NAME}.Error.NotSupported`, /"install-local-fileoverride-packages"/);
    refused('both', `${NAME}.Error.NotImplemented`, /installLocalPackages together with overrides/);
    // Closed before the refusal was answered, the client still on the bus.
    for (const name of ['pipe', 'write-only', 'bad handle', 'too many', 'fileoverride', 'both']) {
      const [before, after] = report[name].daemon_fds;
      assert.equal(after, before, `${name}: the daemon's descriptors before and after`);
    }
  });

  it('a file that is not a .deb fails its transaction, saying so', () => {
    const r = report['not a deb'];
    const said = r.error !== undefined ? `${r.error} ${r.message}` : JSON.stringify(r.finished);
    assert.ok(r.error !== undefined || r.finished?.[0] === false, said);
    assert.match(said, /not a Debian binary package/);
  });

  it('descriptors no option names are simply closed: the call runs', () => {
    const r = report.unused;
    assert.equal(r.error, undefined, `${r.error}: ${r.message}`);
    assert.equal(r.finished?.[0], true, JSON.stringify(r.finished));
  });

  it('keeps none of the descriptors the calls brought', () => {
    const mine = fdsAfter.filter((l) => l.startsWith(work) || l === deb);
    assert.deepEqual(mine, [], 'the files the client opened');
    const pipes = (fds: string[]) => fds.filter((l) => l.startsWith('pipe:')).length;
    assert.ok(pipes(fdsAfter) <= pipes(fdsBefore), `pipes before ${pipes(fdsBefore)}, after ${pipes(fdsAfter)}`);
    assert.ok(fdsAfter.length <= fdsBefore.length, `before ${fdsBefore.length}: ${fdsBefore.join(' ')}\nafter ${fdsAfter.length}: ${fdsAfter.join(' ')}`);
  });
});
