/** OS.UpdateDeployment: its modifiers reach the same operations as Upgrade, Deploy and Rebase. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RemoteError } from '../src/client/jsonrpc-client.js';
import { addServerCommit, buildRemoteSysroot } from '../src/demo/remote-fixture.js';
import { daemonSuite } from './support/daemon-suite.js';
import { until } from './support/processes.js';

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
    assert.deepEqual(
      (await deployments()).map((d) => d.id),
      before.map((d) => d.id),
      'a dry run deploys nothing',
    );
    const result = await suite.client.call<{ changed: boolean; deployment: string }>('OS.UpdateDeployment', { modifiers: {}, options: {} });
    assert.equal(result.changed, true);
    assert.equal((await deployments())[0].checksum, csum);
  });

  it('setRevision deploys that commit; installPackages goes to package layering (an unknown package changes nothing)', async () => {
    await suite.client.call('OS.UpdateDeployment', { modifiers: { setRevision: suite.fixture.commits.v1 }, options: {} });
    const now = await deployments();
    assert.equal(now[0].checksum, suite.fixture.commits.v1);
    await assert.rejects(
      suite.client.call('OS.UpdateDeployment', { modifiers: { installPackages: ['hello'] }, options: {} }),
      (e: RemoteError) => e.errorName === 'PackageNotFound' && e.message.includes('hello'),
    );
    assert.deepEqual(await deployments(), now);
    // Titled by what they do (the same rule picks the polkit action and the path in the worker).
    const { transactions } = await suite.client.call<{ transactions: { title: string }[] }>('Transaction.History', { limit: 2 });
    assert.deepEqual(
      transactions.map((t) => t.title),
      ['pkg-change +hello', `deploy ${suite.fixture.commits.v1}`],
    );
  });

  it('cacheOnly fetches nothing, dryRun and downloadOnly deploy nothing, with setRevision too', async () => {
    const server = suite.fixture.server;
    const update = (modifiers: Record<string, unknown>, options: Record<string, unknown>) =>
      suite.client.call<{ changed: boolean; message: string }>('OS.UpdateDeployment', { modifiers, options });
    const v126 = addServerCommit(suite.fixture, { version: '12.6' });
    // The local branch still ends at 12.5: cacheOnly deploys that without asking the server.
    let requests = server.requests.length;
    const cached = await update({}, { cacheOnly: true });
    assert.equal(cached.changed, true);
    assert.equal(server.requests.length, requests, 'cacheOnly made no request');
    const at125 = await deployments();
    assert.notEqual(at125[0].checksum, v126);

    const dry = await update({ setRevision: '12.6' }, { dryRun: true });
    assert.equal(dry.changed, false);
    assert.match(dry.message, /Would deploy 12\.6/);
    assert.deepEqual(await deployments(), at125);

    // The dry run fetched the commit object only: cacheOnly cannot deploy it yet.
    await assert.rejects(update({ setRevision: v126 }, { cacheOnly: true }), (e: RemoteError) => e.errorName === 'Failed' && /only partly/.test(e.message));
    const downloaded = await update({ setRevision: v126 }, { downloadOnly: true });
    assert.equal(downloaded.changed, false);
    assert.match(downloaded.message, /Downloaded 12\.6/);
    assert.deepEqual(await deployments(), at125);

    requests = server.requests.length;
    const deployed = await update({ setRevision: v126 }, { cacheOnly: true });
    assert.equal(deployed.changed, true);
    assert.equal(server.requests.length, requests, 'cacheOnly made no request');
    assert.equal((await deployments())[0].checksum, v126);
  });

  it("rpm-ostree's options: registerDriver is recorded and shown, noPullBase keeps the base (and is refused with setRevision)", async () => {
    const before = await deployments();
    const r = await suite.client.call<{ changed: boolean; message: string }>('OS.UpdateDeployment', {
      modifiers: {},
      options: { registerDriver: 'test-driver', noPullBase: true },
      initiatingCommandLine: 'rpm-ostree upgrade --register-driver',
    });
    assert.equal(r.changed, false, r.message);
    assert.deepEqual(await deployments(), before, 'no base pulled, nothing to change');
    assert.equal((await suite.client.call<{ updateDriver: string | null }>('Sysroot.GetProperties')).updateDriver, 'test-driver');
    await assert.rejects(
      suite.client.call('OS.UpdateDeployment', { modifiers: { setRevision: suite.fixture.commits.v1 }, options: { noPullBase: true } }),
      (e: RemoteError) => e.code === -32602 && /noPullBase/.test(e.message),
    );
  });

  it('AutomaticUpdateTrigger: mode auto follows the policy; output-to-self writes the progress to the journal unless false', async () => {
    const auto = await suite.client.call<{ enabled: boolean }>('OS.AutomaticUpdateTrigger', { mode: 'auto' });
    assert.equal(auto.enabled, false, 'the policy is none');
    const toSelf = await suite.client.call<{ transaction: string }>('OS.AutomaticUpdateTrigger', { mode: 'check' });
    await until(() => suite.daemon.stderr().includes(`automatic update (${toSelf.transaction}): done`), 10_000, 'the journal lines');
    const quiet = await suite.client.call<{ transaction: string }>('OS.AutomaticUpdateTrigger', { mode: 'check', outputToSelf: false });
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!suite.daemon.stderr().includes(`automatic update (${quiet.transaction})`), 'nothing of it in the journal');
  });
});
