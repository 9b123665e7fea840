/** OS.Cleanup and `apt-ostree cleanup` on a real sysroot. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Deployment } from '../src/backends/ostree/sysroot-reader.js';
import { main } from '../src/cli/main.js';
import { JsonRpcClient } from '../src/client/jsonrpc-client.js';
import { buildStandardSysroot, setRef, type StandardSysroot } from '../src/demo/sysroot-builder.js';
import { readRefs } from '../src/backends/ostree/write/ref-snapshot.js';
import { captureIo } from './support/capture-io.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { ostreeAdminStatus, tempSysrootDir } from './support/ostree-admin-status.js';

describe('cleanup', () => {
  const dir = tempSysrootDir();
  let std: StandardSysroot;
  let daemon: DaemonHandle;
  let client: JsonRpcClient;

  before(async () => {
    std = buildStandardSysroot(join(dir, 'sysroot'));
    daemon = await startDaemon({ sysroot: std.sysroot });
    client = await JsonRpcClient.connect(daemon.socket);
  });
  after(async () => {
    client?.close();
    await daemon?.stop();
  });

  const deployments = async () => (await client.call<{ deployments: Deployment[] }>('Sysroot.GetDeployments')).deployments;
  const fsck = () => execFileSync('ostree', ['fsck', `--repo=${std.repo}`], { stdio: 'pipe' });

  it('removes exactly the rollback deployment, and keeps a pinned one', async () => {
    const before = await deployments();
    const result = await client.call<{ changed: boolean; message: string }>('OS.Cleanup', { elements: ['rollback-deploy'] });
    assert.equal(result.changed, true);
    const after = await deployments();
    assert.deepEqual(after.map((d) => d.id), [before[0].id, before[2].id], 'the rollback (v2) is gone, the default and pinned v1 stay');
    assert.deepEqual(ostreeAdminStatus(std.sysroot).map((s) => s.checksum), after.map((d) => d.checksum));
    // Now the rollback is the pinned v1: it is kept.
    const kept = await client.call<{ changed: boolean; message: string }>('OS.Cleanup', { elements: ['rollback-deploy', 'pending-deploy'] });
    assert.equal(kept.changed, false);
    assert.deepEqual((await deployments()).map((d) => d.id), after.map((d) => d.id));
    fsck();
  });

  it('removes base refs no deployment uses, and keeps the one the layered deployment needs', async () => {
    setRef(std.repo, 'aptostree/base/9', std.commits.v1);
    const result = await client.call<{ changed: boolean; message: string }>('OS.Cleanup', { elements: ['base'] });
    assert.equal(result.changed, true);
    const refs = readRefs(std.repo);
    assert.equal(refs['aptostree/base/9'], undefined);
    assert.equal(refs['aptostree/base/0'], std.commits.v2, 'the layered deployment\'s base stays');
    fsck();
  });

  it('apt-ostree cleanup: flags, and a usage error without any', async () => {
    const io = captureIo();
    assert.equal(await main(['--socket', daemon.socket, 'cleanup', '-m'], io), 0, io.err());
    assert.match(io.out(), /removed cached metadata/);
    const none = captureIo();
    assert.equal(await main(['--socket', daemon.socket, 'cleanup'], none), 2);
  });
});
