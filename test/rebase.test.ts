/** OS.Rebase and `apt-ostree rebase` against a real HTTP remote. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Deployment } from '../src/backends/ostree/sysroot-reader.js';
import { readRefs } from '../src/backends/ostree/write/ref-snapshot.js';
import { main } from '../src/cli/main.js';
import { JsonRpcClient, RemoteError } from '../src/client/jsonrpc-client.js';
import { buildRemoteSysroot, type RemoteSysroot } from '../src/demo/remote-fixture.js';
import { BOOKWORM_OS_RELEASE, buildTree, commitTree } from '../src/demo/sysroot-builder.js';
import { captureIo } from './support/capture-io.js';
import { startDaemon, type DaemonHandle } from './support/daemon-process.js';
import { tempSysrootDir } from './support/ostree-admin-status.js';

describe('rebase', () => {
  const dir = tempSysrootDir();
  let remote: RemoteSysroot;
  let daemon: DaemonHandle;
  let client: JsonRpcClient;
  let trixie: string;

  before(async () => {
    remote = await buildRemoteSysroot(join(dir, 'remote'));
    // A second branch on the server.
    const tree = join(dir, 'trixie-tree');
    mkdirSync(tree);
    buildTree(tree, { kernelVersion: '6.12.0-1-amd64', osRelease: { ...BOOKWORM_OS_RELEASE, VERSION_ID: '13' }, files: { 'etc-marker': 'trixie\n' } });
    trixie = commitTree(remote.serverRepo, 'debian/trixie/x86_64', tree, { version: '13.0' });
    execFileSync('ostree', ['summary', '-u', `--repo=${remote.serverRepo}`]);
    daemon = await startDaemon({ sysroot: remote.sysroot });
    client = await JsonRpcClient.connect(daemon.socket);
  });
  after(async () => {
    client?.close();
    await daemon?.stop();
    await remote?.stop();
  });

  const deployments = async () => (await client.call<{ deployments: Deployment[] }>('Sysroot.GetDeployments')).deployments;

  it('an unknown branch or remote fails before anything changes', async () => {
    const before = await deployments();
    const refs = readRefs(remote.repo);
    for (const refspec of ['origin:debian/nope/x86_64', 'nowhere:debian/trixie/x86_64']) {
      await assert.rejects(client.call('OS.Rebase', { refspec }), (e: RemoteError) => e.errorName === 'Failed');
    }
    assert.deepEqual(await deployments(), before);
    assert.deepEqual(readRefs(remote.repo), refs);
  });

  it('rebases to another branch: new default at its tip, origin switched, previous default as rollback', async () => {
    const before = await deployments();
    const io = captureIo();
    assert.equal(await main(['--socket', daemon.socket, 'rebase', 'debian/trixie/x86_64'], io), 0, io.err());
    assert.match(io.out(), /Rebased to origin:debian\/trixie\/x86_64/);
    const after = await deployments();
    assert.equal(after[0].checksum, trixie);
    assert.equal(after[0].origin, 'origin:debian/trixie/x86_64', 'REF alone keeps the current remote');
    assert.equal(after[0].version, '13.0');
    assert.equal(after[1].checksum, before[0].checksum);
    execFileSync('ostree', ['fsck', `--repo=${remote.repo}`], { stdio: 'pipe' });
    // Already there: nothing to do.
    const again = await client.call<{ changed: boolean }>('OS.Rebase', { refspec: 'origin:debian/trixie/x86_64' });
    assert.equal(again.changed, false);
  });
});
