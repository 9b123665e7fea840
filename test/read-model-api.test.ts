/**
 * The read methods through the real daemon on a real sysroot, checked against
 * `ostree admin status` and what the fixture built.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Deployment } from '../src/api/types/deployment.js';
import { JsonRpcClient, RemoteError } from '../src/client/jsonrpc-client.js';
import { buildStandardSysroot, buildTree, commitTree, deploy, type StandardSysroot } from '../src/demo/sysroot-builder.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { ostreeAdminStatus, tempSysrootDir } from './support/ostree-admin-status.js';

describe('read model over JSON-RPC (real daemon, real sysroot)', () => {
  const dir = tempSysrootDir();
  let std: StandardSysroot;
  let daemon: DaemonHandle;
  let client: JsonRpcClient;

  before(async () => {
    std = buildStandardSysroot(join(dir, 'sysroot'));
    daemon = await startDaemon({ sysroot: std.sysroot, config: '[Daemon]\nAutomaticUpdatePolicy=check\n' });
    client = await JsonRpcClient.connect(daemon.socket);
  });
  after(async () => {
    client?.close();
    await daemon?.stop();
  });

  const deployments = async () => (await client.call<{ deployments: Deployment[] }>('Sysroot.GetDeployments')).deployments;

  it('socat + the documented one-liner lists exactly the deployments of ostree admin status', () => {
    const out = execFileSync('socat', ['-t5', '-', `UNIX-CONNECT:${daemon.socket}`], {
      input: '{"jsonrpc":"2.0","id":1,"method":"Sysroot.GetDeployments"}\n',
      encoding: 'utf8',
    });
    const reply = JSON.parse(out) as { id: number; result: { deployments: Deployment[] } };
    const status = ostreeAdminStatus(std.sysroot);
    assert.equal(reply.id, 1);
    assert.deepEqual(
      reply.result.deployments.map((d) => [d.osname, d.checksum, d.serial, d.pinned, d.booted, d.staged]),
      status.map((s) => [s.osname, s.checksum, s.serial, s.pinned, s.booted, s.staged]),
    );
    const jq = spawnSync('jq', ['-r', '.result.deployments[] | .id'], { input: out, encoding: 'utf8' });
    assert.equal(jq.status, 0);
    assert.deepEqual(
      jq.stdout.trim().split('\n'),
      status.map((s) => `${s.osname}-${s.checksum}.${s.serial}`),
    );
  });

  it('reports versions, timestamps, origins, layering and kernel arguments of each deployment', async () => {
    const [layered, v2, v1] = await deployments();
    assert.equal(layered.checksum, std.commits.layered);
    assert.equal(layered.baseChecksum, std.commits.v2);
    assert.equal(layered.origin, std.refspec);
    assert.deepEqual(layered.requestedPackages, ['hello', 'jq']);
    assert.deepEqual(layered.layeredPackages, ['hello', 'jq']);
    assert.equal(layered.timestamp, std.timestamps.layered);
    assert.equal(v2.checksum, std.commits.v2);
    assert.equal(v2.version, '12.2');
    assert.equal(v2.baseChecksum, null);
    assert.deepEqual(v2.requestedPackages, []);
    assert.equal(v2.origin, std.refspec);
    assert.equal(v1.version, '12.1');
    assert.equal(v1.pinned, true);
    assert.equal(v1.timestamp, std.timestamps.v1);
    for (const d of [layered, v2, v1]) {
      assert.ok(d.kernelArgs.includes('quiet'), d.kernelArgs.join(' '));
      assert.ok(d.kernelArgs.includes('root=UUID=1234'));
      assert.equal(d.id, `${d.osname}-${d.checksum}.${d.serial}`);
      assert.equal(d.booted, false);
      assert.equal(d.unlocked, 'none');
    }
  });

  it('Sysroot.GetProperties: path, booted, deployments and the configured update policy', async () => {
    const props = await client.call<Record<string, unknown>>('Sysroot.GetProperties');
    assert.equal(props.path, std.sysroot);
    assert.equal(props.booted, null);
    assert.equal(props.activeTransaction, null);
    assert.equal(props.automaticUpdatePolicy, 'check');
    assert.deepEqual(props.deployments, await deployments());
  });

  it('Sysroot.GetOS and OS.GetProperties apply the roles of a sysroot that is not booted', async () => {
    assert.deepEqual(await client.call('Sysroot.GetOS', {}), { name: 'debian', objectPath: '/org/projectatomic/aptostree1/debian' });
    assert.deepEqual(await client.call('Sysroot.GetOS', { name: 'debian' }), {
      name: 'debian',
      objectPath: '/org/projectatomic/aptostree1/debian',
    });
    await assert.rejects(client.call('Sysroot.GetOS', { name: 'fedora' }), (e: RemoteError) => e.errorName === 'NoSuchOS');
    const [layered, v2] = await deployments();
    const os = await client.call<Record<string, unknown>>('OS.GetProperties', {});
    assert.equal(os.name, 'debian');
    assert.equal(os.bootedDeployment, null);
    assert.deepEqual(os.defaultDeployment, layered);
    assert.deepEqual(os.rollbackDeployment, v2);
    assert.equal(os.cachedUpdate, null);
    assert.equal(os.hasCachedUpdateAptDiff, false);
  });

  it('sees a deployment made by hand with ostree admin deploy on the next call, without restart', async () => {
    const before = await deployments();
    const tree = join(std.repo, 'tmp', 'by-hand');
    mkdirSync(tree, { recursive: true });
    buildTree(tree, { kernelVersion: '6.1.0-13-amd64', osRelease: { ID: 'debian', VERSION_ID: '12' } });
    const checksum = commitTree(std.repo, std.refspec, tree, { version: '12.3' });
    execFileSync('rm', ['-rf', tree]);
    deploy(std.sysroot, 'debian', std.refspec, { retain: true });
    const afterDeploy = await deployments();
    assert.equal(afterDeploy.length, before.length + 1);
    assert.equal(afterDeploy[0].checksum, checksum);
    assert.equal(afterDeploy[0].version, '12.3');
    assert.deepEqual(
      afterDeploy.map((d) => [d.checksum, d.serial, d.pinned]),
      ostreeAdminStatus(std.sysroot).map((s) => [s.checksum, s.serial, s.pinned]),
    );
    // A second OS (stateroot) made by hand shows too.
    execFileSync('ostree', ['admin', 'os-init', 'other', `--sysroot=${std.sysroot}`]);
    assert.deepEqual(await client.call('Sysroot.GetOS', { name: 'other' }), {
      name: 'other',
      objectPath: '/org/projectatomic/aptostree1/other',
    });
    assert.deepEqual(await client.call('Sysroot.Reload'), {});
    assert.deepEqual(await deployments(), afterDeploy);
  });
});

describe('a missing or broken sysroot', () => {
  const dir = tempSysrootDir();

  it("is reported as InvalidSysroot with libostree's message, and the daemon keeps serving", async () => {
    const missing = join(dir, 'does-not-exist');
    const daemon = await startDaemon({ sysroot: missing });
    const client = await JsonRpcClient.connect(daemon.socket);
    try {
      for (const method of ['Sysroot.GetDeployments', 'Sysroot.GetProperties', 'OS.GetProperties', 'Sysroot.Reload']) {
        await assert.rejects(client.call(method), (e: RemoteError) => {
          assert.equal(e.code, -32002);
          assert.equal(e.errorName, 'InvalidSysroot');
          assert.match(e.message, /opendir\(.*does-not-exist\): No such file or directory/);
          return true;
        });
      }
      // The sysroot appears later: the daemon picks it up without a restart.
      buildStandardSysroot(missing);
      const { deployments } = await client.call<{ deployments: Deployment[] }>('Sysroot.GetDeployments');
      assert.equal(deployments.length, 3);
    } finally {
      client.close();
      await daemon.stop();
    }
  });

  it('an empty directory is not a sysroot', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const daemon = await startDaemon({ sysroot: empty });
    const client = await JsonRpcClient.connect(daemon.socket);
    try {
      await assert.rejects(client.call('Sysroot.GetDeployments'), (e: RemoteError) => {
        assert.equal(e.errorName, 'InvalidSysroot');
        assert.match(e.message, /ostree\/repo/);
        return true;
      });
    } finally {
      client.close();
      await daemon.stop();
    }
  });
});
