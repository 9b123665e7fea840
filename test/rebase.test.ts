/** OS.Rebase and `apt-ostree rebase` against a real HTTP remote. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readRefs } from '../src/backends/ostree/write/ref-snapshot.js';
import { main } from '../src/cli/main.js';
import type { RemoteError } from '../src/client/jsonrpc-client.js';
import { buildRemoteSysroot } from '../src/demo/remote-fixture.js';
import { BOOKWORM_OS_RELEASE, buildTree, commitTree } from '../src/demo/sysroot-builder.js';
import { captureIo } from './support/capture-io.js';
import { daemonSuite } from './support/daemon-suite.js';

describe('rebase', () => {
  /** The remote fixture plus a second branch on its server, debian/trixie/x86_64. */
  const suite = daemonSuite(
    async (dir) => {
      const remote = await buildRemoteSysroot(join(dir, 'remote'));
      const tree = join(dir, 'trixie-tree');
      mkdirSync(tree);
      buildTree(tree, { kernelVersion: '6.12.0-1-amd64', osRelease: { ...BOOKWORM_OS_RELEASE, VERSION_ID: '13' }, files: { 'etc-marker': 'trixie\n' } });
      const trixie = commitTree(remote.serverRepo, 'debian/trixie/x86_64', tree, { version: '13.0' });
      execFileSync('ostree', ['summary', '-u', `--repo=${remote.serverRepo}`]);
      return { ...remote, trixie };
    },
    (remote) => remote.stop(),
  );
  const { deployments } = suite;

  it('an unknown branch or remote fails before anything changes', async () => {
    const before = await deployments();
    const refs = readRefs(suite.fixture.repo);
    for (const refspec of ['origin:debian/nope/x86_64', 'nowhere:debian/trixie/x86_64']) {
      await assert.rejects(suite.client.call('OS.Rebase', { refspec }), (e: RemoteError) => e.errorName === 'Failed');
    }
    assert.deepEqual(await deployments(), before);
    assert.deepEqual(readRefs(suite.fixture.repo), refs);
  });

  it('rebases to another branch: new default at its tip, origin switched, previous default as rollback', async () => {
    const before = await deployments();
    const io = captureIo();
    assert.equal(await main(['--socket', suite.daemon.socket, 'rebase', 'debian/trixie/x86_64'], io), 0, io.err());
    assert.match(io.out(), /Rebased to origin:debian\/trixie\/x86_64/);
    const after = await deployments();
    assert.equal(after[0].checksum, suite.fixture.trixie);
    assert.equal(after[0].origin, 'origin:debian/trixie/x86_64', 'REF alone keeps the current remote');
    assert.equal(after[0].version, '13.0');
    assert.equal(after[1].checksum, before[0].checksum);
    execFileSync('ostree', ['fsck', `--repo=${suite.fixture.repo}`], { stdio: 'pipe' });
    // Already there: nothing to do.
    const again = await suite.client.call<{ changed: boolean }>('OS.Rebase', { refspec: 'origin:debian/trixie/x86_64' });
    assert.equal(again.changed, false);
  });
});
