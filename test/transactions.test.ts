/**
 * The transaction engine through the real daemon: Upgrade, Deploy and Rollback against a real
 * sysroot whose remote is an archive repo served over HTTP on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Deployment } from '../src/api/types/deployment.js';
import { RemoteError } from '../src/client/jsonrpc-client.js';
import { addServerCommit, buildRemoteSysroot, type RemoteSysroot } from '../src/demo/remote-fixture.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { eventClient, typesOf } from './support/event-client.js';
import { ostreeAdminStatus, tempSysrootDir } from './support/ostree-admin-status.js';

function fsckClean(sysroot: string): void {
  execFileSync('ostree', ['fsck', `--repo=${join(sysroot, 'ostree', 'repo')}`], { stdio: 'pipe' });
}

describe('Upgrade, Deploy, Rollback through the daemon', () => {
  const dir = tempSysrootDir();
  let remote: RemoteSysroot;
  let daemon: DaemonHandle;
  const rebootMarker = join(dir, 'rebooted');

  before(async () => {
    remote = await buildRemoteSysroot(join(dir, 'remote'));
    daemon = await startDaemon({
      sysroot: remote.sysroot,
      config: `[Daemon]\nRebootCommand=/usr/bin/touch ${rebootMarker}\n`,
    });
  });
  after(async () => {
    await daemon?.stop();
    await remote?.stop();
  });

  const deployments = (): Deployment[] => {
    const out = execFileSync('socat', ['-t5', '-', `UNIX-CONNECT:${daemon.socket}`], {
      input: '{"jsonrpc":"2.0","id":1,"method":"Sysroot.GetDeployments"}\n',
      encoding: 'utf8',
    });
    return (JSON.parse(out) as { result: { deployments: Deployment[] } }).result.deployments;
  };

  it('reports "no upgrade available" as a normal result, with events ending in Finished before the response', async () => {
    const { client, events } = await eventClient(daemon.socket);
    const before = deployments();
    const result = await client.call<Record<string, unknown>>('OS.Upgrade', {});
    events.push({ method: 'response', params: {} });
    client.close();
    assert.equal(result.changed, false);
    assert.match(String(result.message), /No upgrade available/);
    assert.equal(typeof result.transaction, 'string');
    const types = typesOf(events);
    assert.equal(types[0], 'Started');
    assert.ok(types.includes('DownloadProgress'), types.join(' '));
    assert.deepEqual(types.slice(-2), ['Finished', 'response']);
    assert.deepEqual(deployments(), before);
  });

  it('upgrades to a new commit on the remote: new default, previous default becomes rollback', async () => {
    const before = deployments();
    const csum = addServerCommit(remote, { version: '12.3', files: { 'usr/share/upgrade-marker': 'v3\n' } });
    const { client, events } = await eventClient(daemon.socket);
    const result = await client.call<Record<string, unknown>>('OS.Upgrade', { reboot: true });
    client.close();
    assert.equal(result.changed, true);
    const after = deployments();
    assert.equal(after[0].checksum, csum);
    assert.equal(after[0].version, '12.3');
    assert.equal(result.deployment, after[0].id);
    assert.equal(after[1].checksum, before[0].checksum, 'the previous default is now the rollback');
    assert.deepEqual(
      after.map((d) => [d.checksum, d.serial]),
      ostreeAdminStatus(remote.sysroot).map((s) => [s.checksum, s.serial]),
    );
    const deployDir = join(remote.sysroot, 'ostree', 'deploy', 'debian', 'deploy', `${csum}.${after[0].serial}`);
    assert.equal(readFileSync(join(deployDir, 'usr/share/upgrade-marker'), 'utf8'), 'v3\n');
    const progress = events.filter((e) => e.method === 'Transaction.DownloadProgress');
    assert.ok(progress.length >= 1);
    const last = progress[progress.length - 1].params;
    assert.equal(last.objectsFetched, last.objectsRequested, 'the final DownloadProgress is complete');
    assert.ok(existsSync(rebootMarker), 'reboot: the configured command ran after success');
    fsckClean(remote.sysroot);
  });

  it('deploys an older commit by checksum, and by version', async () => {
    const byChecksum = await eventClient(daemon.socket);
    await byChecksum.client.call('OS.Deploy', { revision: remote.commits.v1 });
    byChecksum.client.close();
    assert.equal(deployments()[0].checksum, remote.commits.v1);
    const byVersion = await eventClient(daemon.socket);
    await byVersion.client.call('OS.Deploy', { revision: '12.2' });
    byVersion.client.close();
    assert.equal(deployments()[0].checksum, remote.commits.v2);
    fsckClean(remote.sysroot);
  });

  it('rolls back to the previous deployment, as ostree admin status sees it', async () => {
    const before = deployments();
    const { client } = await eventClient(daemon.socket);
    const result = await client.call<Record<string, unknown>>('OS.Rollback', {});
    client.close();
    const after = deployments();
    assert.equal(after[0].id, before[1].id);
    assert.equal(after[1].id, before[0].id);
    assert.equal(result.deployment, before[1].id);
    assert.equal(ostreeAdminStatus(remote.sysroot)[0].checksum, before[1].checksum);
  });

  it('detach answers at once; Transaction.Watch replays the events and answers at the end; history has it', async () => {
    const { client, events } = await eventClient(daemon.socket);
    const { transaction } = await client.call<{ transaction: string }>('OS.Rollback', { detach: true });
    const watched = await client.call<{ transaction: { id: string; state: string; method: string } }>('Transaction.Watch', {
      id: transaction,
    });
    client.close();
    assert.equal(watched.transaction.id, transaction);
    assert.equal(watched.transaction.state, 'succeeded');
    assert.equal(watched.transaction.method, 'OS.Rollback');
    const types = typesOf(events, transaction);
    assert.equal(types[0], 'Started');
    assert.equal(types[types.length - 1], 'Finished');
    const { client: c2 } = await eventClient(daemon.socket);
    const got = await c2.call<{ transaction: { id: string } }>('Transaction.Get', { id: transaction });
    assert.equal(got.transaction.id, transaction);
    const history = await c2.call<{ transactions: { id: string; state: string }[] }>('Transaction.History', { limit: 3 });
    assert.equal(history.transactions[0].id, transaction, 'newest first');
    await assert.rejects(c2.call('Transaction.Get', { id: '00000000-0000-4000-8000-000000000000' }), (e: RemoteError) => e.errorName === 'NoSuchTransaction');
    c2.close();
  });
});

describe('Rollback with nothing to roll back to', () => {
  const dir = tempSysrootDir();

  it('answers NothingToRollback before any transaction starts (a precheck) and changes nothing', async () => {
    const { buildTree, commitTree, createSysroot, deploy } = await import('../src/demo/sysroot-builder.js');
    const { sysroot, repo } = createSysroot(join(dir, 'single'), 'debian');
    const tree = join(dir, 'tree');
    buildTree(tree, { kernelVersion: '6.1.0-13-amd64', osRelease: { ID: 'debian', VERSION_ID: '12' } });
    commitTree(repo, 'debian/bookworm/x86_64', tree, { version: '12.1' });
    deploy(sysroot, 'debian', 'debian/bookworm/x86_64');
    const before = ostreeAdminStatus(sysroot);
    const daemon = await startDaemon({ sysroot });
    try {
      const { client, events } = await eventClient(daemon.socket);
      await assert.rejects(client.call('OS.Rollback', {}), (e: RemoteError) => {
        assert.equal(e.errorName, 'NothingToRollback');
        assert.equal(e.code, -32004);
        assert.equal(e.data?.transaction, undefined, 'no transaction was made');
        return true;
      });
      assert.equal(events.filter((e) => e.method.startsWith('Transaction.')).length, 0, 'no transaction events');
      const history = await client.call<{ transactions: unknown[] }>('Transaction.History', {});
      assert.deepEqual(history.transactions, []);
      client.close();
      assert.deepEqual(ostreeAdminStatus(sysroot), before);
    } finally {
      await daemon.stop();
    }
  });
});
