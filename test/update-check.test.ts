/**
 * Update checks and package diffs against a real HTTP remote: `upgrade --check/--preview`
 * fetches the new commit's metadata and dpkg database only, the cached update survives a
 * restart and goes away once the update is deployed, and `db diff` / GetDeploymentsAptDiff /
 * GetCachedUpdateAptDiff compute exact diffs from the dpkg databases.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Static } from '../src/api/schema-builder.js';
import type { CachedUpdate } from '../src/api/types/cached-update.js';
import type { PackageDiffEntry } from '../src/api/types/package.js';
import { JsonRpcClient, type RemoteError } from '../src/client/jsonrpc-client.js';
import { addServerCommit, buildRemoteSysroot, type RemoteSysroot } from '../src/demo/remote-fixture.js';
import { cliOn } from './support/capture-io.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';

type DiffEntry = Static<typeof PackageDiffEntry>;

const line = (e: DiffEntry): string =>
  `${e.change} ${e.name} ${e.previous === null ? '-' : `${e.previous.version}:${e.previous.architecture}`} ${e.next === null ? '-' : `${e.next.version}:${e.next.architecture}`}`;

/** The update's dpkg database: base-files and libc6 upgraded, bash downgraded, dpkg removed, tzdata added. */
const UPDATE_PACKAGES = [
  { name: 'base-files', version: '12.4+deb12u9', arch: 'amd64' },
  { name: 'bash', version: '5.2.15-2', arch: 'amd64' },
  { name: 'libc6', version: '2.36-9+deb12u4', arch: 'amd64' },
  { name: 'tzdata', version: '2025b-0+deb12u1', arch: 'all' },
];
/** Against v2 (base-files 12.4+12.2, bash 5.2.15-2+b2, dpkg 1.21.22, libc6 2.36-9). */
const EXPECTED = [
  'added tzdata - 2025b-0+deb12u1:all',
  'removed dpkg 1.21.22:amd64 -',
  'upgraded base-files 12.4+12.2:amd64 12.4+deb12u9:amd64',
  'upgraded libc6 2.36-9:amd64 2.36-9+deb12u4:amd64',
  'downgraded bash 5.2.15-2+b2:amd64 5.2.15-2:amd64',
];

describe('update checks and package diffs', () => {
  const dir = tempSysrootDir();
  let remote: RemoteSysroot;
  let daemon: DaemonHandle;
  let client: JsonRpcClient;
  const stateDir = join(dir, 'state');
  const cli = cliOn(() => daemon.socket);
  const objectRequests = (): number => remote.server.requests.filter((r) => r.startsWith('/objects/')).length;
  const properties = () => client.call<{ cachedUpdate: CachedUpdate | null; hasCachedUpdateAptDiff: boolean }>('OS.GetProperties');
  const restart = async (config?: string): Promise<void> => {
    client.close();
    await daemon.stop();
    daemon = await startDaemon({ sysroot: remote.sysroot, stateDir, config });
    client = await JsonRpcClient.connect(daemon.socket);
  };

  before(async () => {
    remote = await buildRemoteSysroot(join(dir, 'remote'));
    daemon = await startDaemon({ sysroot: remote.sysroot, stateDir });
    client = await JsonRpcClient.connect(daemon.socket);
  });
  after(async () => {
    client?.close();
    await daemon?.stop();
    await remote?.stop();
  });

  it('with no update: "No upgrade available." and no cached update', async () => {
    const r = await cli('upgrade', '--check');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /No upgrade available\./);
    assert.equal((await properties()).cachedUpdate, null);
  });

  let update = '';
  let checkObjects = 0;
  it("upgrade --preview: the new commit's metadata and dpkg database only, the exact diff, cached", async () => {
    const files = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`usr/share/update-payload/file-${i}`, `payload ${i}\n`.repeat(50)]));
    update = addServerCommit(remote, { version: '12.3', dpkgPackages: UPDATE_PACKAGES, files });
    const deploymentsBefore = await client.call('Sysroot.GetDeployments');
    const n0 = objectRequests();
    const r = await cli('upgrade', '--preview');
    assert.equal(r.code, 0, r.err);
    checkObjects = objectRequests() - n0;
    assert.match(r.out, /Update available: 12\.3 \([0-9a-f]{10}\); 5 package changes\./);
    assert.match(r.out, /^Added:\n {2}tzdata 2025b-0\+deb12u1 \(all\)\n/m);
    assert.match(r.out, /^Upgraded:\n {2}base-files 12\.4\+12\.2 -> 12\.4\+deb12u9 \(amd64\)\n {2}libc6 2\.36-9 -> 2\.36-9\+deb12u4 \(amd64\)\n/m);
    assert.match(r.out, /^Downgraded:\n {2}bash 5\.2\.15-2\+b2 -> 5\.2\.15-2 \(amd64\)\n/m);
    assert.deepEqual(await client.call('Sysroot.GetDeployments'), deploymentsBefore, 'a check deploys nothing');

    const props = await properties();
    assert.ok(props.cachedUpdate !== null);
    assert.equal(props.cachedUpdate.checksum, update);
    assert.equal(props.cachedUpdate.version, '12.3');
    assert.equal(props.cachedUpdate.origin, remote.refspec);
    assert.deepEqual(props.cachedUpdate.packageDiff.map(line), EXPECTED);
    assert.equal(props.hasCachedUpdateAptDiff, true);
    const cached = await client.call<{ changes: DiffEntry[]; update: CachedUpdate }>('OS.GetCachedUpdateAptDiff', {});
    assert.deepEqual(cached.changes.map(line), EXPECTED);
    assert.equal(cached.update.checksum, update);

    const status = await cli('status');
    assert.match(status.out, /AvailableUpdate:\n\s+Version: 12\.3 \(/);
    assert.match(status.out, new RegExp(`Commit: ${update}\\n\\s+Diff: 1 added, 1 removed, 2 upgraded, 1 downgraded`));
  });

  it("GetCachedUpdateAptDiff {id} diffs another deployment's base against the update", async () => {
    const { deployments } = await client.call<{ deployments: { id: string; version: string }[] }>('Sysroot.GetDeployments');
    const v1 = deployments.find((d) => d.version === '12.1');
    assert.ok(v1 !== undefined);
    const { changes } = await client.call<{ changes: DiffEntry[] }>('OS.GetCachedUpdateAptDiff', { id: v1.id });
    assert.deepEqual(
      changes.map(line),
      EXPECTED.map((l) => l.replace('12.4+12.2', '12.4+12.1')),
    );
    await assert.rejects(
      client.call('OS.GetCachedUpdateAptDiff', { id: `debian-${'0'.repeat(64)}.0` }),
      (e: RemoteError) => e.errorName === 'NoSuchDeployment',
    );
  });

  it('the cached update survives a daemon restart', async () => {
    await restart();
    const props = await properties();
    assert.equal(props.cachedUpdate?.checksum, update);
    assert.deepEqual(props.cachedUpdate?.packageDiff.map(line), EXPECTED);
  });

  it('the full upgrade fetches far more; then the cached update is gone and db diff shows the same changes', async () => {
    const n0 = objectRequests();
    const r = await cli('upgrade');
    assert.equal(r.code, 0, r.err);
    const fullObjects = objectRequests() - n0;
    assert.ok(checkObjects * 10 < fullObjects, `the check fetched ${checkObjects} objects, the upgrade ${fullObjects}`);
    const props = await properties();
    assert.equal(props.cachedUpdate, null);
    assert.equal(props.hasCachedUpdateAptDiff, false);

    // Not booted: db diff defaults to rollback → default.
    const diff = await cli('db', 'diff', '--json');
    assert.equal(diff.code, 0, diff.err);
    const parsed = JSON.parse(diff.out) as { from: string; to: string; changes: DiffEntry[] };
    assert.deepEqual(parsed.changes.map(line), EXPECTED);
    assert.match(parsed.to, new RegExp(`-${update}\\.0$`));
    const human = await cli('db', 'diff', '1', '0');
    assert.equal(human.code, 0, human.err);
    assert.match(human.out, /^ostree diff commit from: debian-[0-9a-f]{64}\.\d+\nostree diff commit to: {3}debian-[0-9a-f]{64}\.\d+\nAdded:\n {2}tzdata/);
    const reverse = await cli('db', 'diff', '0', '1', '--json');
    const back = (JSON.parse(reverse.out) as { changes: DiffEntry[] }).changes.map(line);
    assert.deepEqual(back, [
      'added dpkg - 1.21.22:amd64',
      'removed tzdata 2025b-0+deb12u1:all -',
      'upgraded bash 5.2.15-2:amd64 5.2.15-2+b2:amd64',
      'downgraded base-files 12.4+deb12u9:amd64 12.4+12.2:amd64',
      'downgraded libc6 2.36-9+deb12u4:amd64 2.36-9:amd64',
    ]);
    const same = await cli('db', 'diff', '0', '0');
    assert.match(same.out, /No package changes\./);
    const unknown = await cli('db', 'diff', '7');
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /no deployment 7/);
    await assert.rejects(
      client.call('OS.GetDeploymentsAptDiff', { from: `debian-${'1'.repeat(64)}.0`, to: parsed.to }),
      (e: RemoteError) => e.errorName === 'NoSuchDeployment',
    );
  });

  it('the automatic update policy: none does nothing and says so, check caches the update, stage deploys it', async () => {
    const before = await client.call<{ deployments: { id: string }[] }>('Sysroot.GetDeployments');
    const none = await cli('upgrade', '--trigger-automatic-update-policy');
    assert.equal(none.code, 0, none.err);
    assert.match(none.out, /Automatic updates are off \(AutomaticUpdatePolicy=none\): nothing done\./);
    assert.deepEqual(await client.call('Sysroot.GetDeployments'), before);
    assert.match((await cli('status')).out, /^AutomaticUpdates: none; last run \d{4}-\d\d-\d\dT[\d:.]+Z \(none\)$/m);

    const next = addServerCommit(remote, { version: '12.4' });
    const check = await client.call<{ enabled: boolean; transaction: string; cachedUpdate: CachedUpdate }>('OS.AutomaticUpdateTrigger', { mode: 'check' });
    assert.equal(check.enabled, true);
    assert.match(check.transaction, /^[0-9a-f-]{36}$/);
    assert.equal(check.cachedUpdate.checksum, next);
    assert.equal((await properties()).cachedUpdate?.checksum, next);
    assert.deepEqual(await client.call('Sysroot.GetDeployments'), before, 'check deploys nothing');
    const { transaction } = await client.call<{ transaction: { title: string; state: string } }>('Transaction.Get', { id: check.transaction });
    assert.equal(transaction.title, 'automatic update (check)');

    await restart('[Daemon]\nAutomaticUpdatePolicy=stage\n');
    const stage = await cli('upgrade', '--trigger-automatic-update-policy');
    assert.equal(stage.code, 0, stage.err);
    const { deployments } = await client.call<{ deployments: { checksum: string }[] }>('Sysroot.GetDeployments');
    assert.equal(deployments[0].checksum, next, 'stage deployed the update (not booted: as the new default)');
    assert.equal((await properties()).cachedUpdate, null);
    const status = await cli('status');
    assert.match(status.out, /^AutomaticUpdates: stage; last run .* \(stage\)$/m);
    const props = await client.call<{ automaticUpdatePolicy: string; automaticUpdateLastRun: { mode: string; transaction: string } }>('Sysroot.GetProperties');
    assert.equal(props.automaticUpdatePolicy, 'stage');
    assert.equal(props.automaticUpdateLastRun.mode, 'stage');
  });
});
