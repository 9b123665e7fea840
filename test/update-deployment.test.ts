/** OS.UpdateDeployment: its modifiers reach the same operations as Upgrade, Deploy and Rebase. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Deployment } from '../src/backends/ostree/sysroot-reader.js';
import { JsonRpcClient, RemoteError } from '../src/client/jsonrpc-client.js';
import { addServerCommit, buildRemoteSysroot, type RemoteSysroot } from '../src/demo/remote-fixture.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';

describe('OS.UpdateDeployment', () => {
  const dir = tempSysrootDir();
  let remote: RemoteSysroot;
  let daemon: DaemonHandle;
  let client: JsonRpcClient;

  before(async () => {
    remote = await buildRemoteSysroot(join(dir, 'remote'));
    daemon = await startDaemon({ sysroot: remote.sysroot });
    client = await JsonRpcClient.connect(daemon.socket);
  });
  after(async () => {
    client?.close();
    await daemon?.stop();
    await remote?.stop();
  });

  const deployments = async () => (await client.call<{ deployments: Deployment[] }>('Sysroot.GetDeployments')).deployments;

  it('without modifiers upgrades; dryRun only checks', async () => {
    const none = await client.call<{ changed: boolean; message: string }>('OS.UpdateDeployment', { modifiers: {}, options: {} });
    assert.equal(none.changed, false);
    const csum = addServerCommit(remote, { version: '12.5' });
    const before = await deployments();
    await client.call('OS.UpdateDeployment', { modifiers: {}, options: { dryRun: true } });
    assert.deepEqual((await deployments()).map((d) => d.id), before.map((d) => d.id), 'a dry run deploys nothing');
    const result = await client.call<{ changed: boolean; deployment: string }>('OS.UpdateDeployment', { modifiers: {}, options: {} });
    assert.equal(result.changed, true);
    assert.equal((await deployments())[0].checksum, csum);
  });

  it('setRevision deploys that commit; package modifiers and cacheOnly answer NotImplemented, changing nothing', async () => {
    await client.call('OS.UpdateDeployment', { modifiers: { setRevision: remote.commits.v1 }, options: {} });
    const now = await deployments();
    assert.equal(now[0].checksum, remote.commits.v1);
    for (const request of [
      { modifiers: { installPackages: ['hello'] }, options: {} },
      { modifiers: {}, options: { cacheOnly: true } },
    ]) {
      await assert.rejects(client.call('OS.UpdateDeployment', request), (e: RemoteError) => e.errorName === 'NotImplemented');
    }
    assert.deepEqual(await deployments(), now);
  });
});
