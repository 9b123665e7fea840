/** OS.UpdateDeployment: its modifiers reach the same operations as Upgrade, Deploy and Rebase. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RemoteError } from '../src/client/jsonrpc-client.js';
import { addServerCommit, buildRemoteSysroot } from '../src/demo/remote-fixture.js';
import { daemonSuite } from './support/daemon-suite.js';

describe('OS.UpdateDeployment', () => {
  const suite = daemonSuite(
    (dir) => buildRemoteSysroot(join(dir, 'remote')),
    (remote) => remote.stop(),
  );
  const { deployments } = suite;

  it('without modifiers upgrades; dryRun only checks', async () => {
    const none = await suite.client.call<{ changed: boolean; message: string }>('OS.UpdateDeployment', { modifiers: {}, options: {} });
    assert.equal(none.changed, false);
    const csum = addServerCommit(suite.fixture, { version: '12.5' });
    const before = await deployments();
    await suite.client.call('OS.UpdateDeployment', { modifiers: {}, options: { dryRun: true } });
    assert.deepEqual((await deployments()).map((d) => d.id), before.map((d) => d.id), 'a dry run deploys nothing');
    const result = await suite.client.call<{ changed: boolean; deployment: string }>('OS.UpdateDeployment', { modifiers: {}, options: {} });
    assert.equal(result.changed, true);
    assert.equal((await deployments())[0].checksum, csum);
  });

  it('setRevision deploys that commit; package modifiers and cacheOnly answer NotImplemented, changing nothing', async () => {
    await suite.client.call('OS.UpdateDeployment', { modifiers: { setRevision: suite.fixture.commits.v1 }, options: {} });
    const now = await deployments();
    assert.equal(now[0].checksum, suite.fixture.commits.v1);
    for (const request of [
      { modifiers: { installPackages: ['hello'] }, options: {} },
      { modifiers: {}, options: { cacheOnly: true } },
    ]) {
      await assert.rejects(suite.client.call('OS.UpdateDeployment', request), (e: RemoteError) => e.errorName === 'NotImplemented');
    }
    assert.deepEqual(await deployments(), now);
  });
});
