/** OS.Cleanup and `apt-ostree cleanup` on a real sysroot. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import { buildStandardSysroot, setRef } from '../src/demo/sysroot-builder.js';
import { readRefs } from '../src/backends/ostree/write/ref-snapshot.js';
import { captureIo } from './support/capture-io.js';
import { daemonSuite } from './support/daemon-suite.js';
import { ostreeAdminStatus } from './support/ostree-admin-status.js';

describe('cleanup', () => {
  const suite = daemonSuite((dir) => buildStandardSysroot(join(dir, 'sysroot')));
  const { deployments } = suite;
  const fsck = () => execFileSync('ostree', ['fsck', `--repo=${suite.fixture.repo}`], { stdio: 'pipe' });

  it('removes exactly the rollback deployment, and keeps a pinned one', async () => {
    const before = await deployments();
    const result = await suite.client.call<{ changed: boolean; message: string }>('OS.Cleanup', { elements: ['rollback-deploy'] });
    assert.equal(result.changed, true);
    const after = await deployments();
    assert.deepEqual(
      after.map((d) => d.id),
      [before[0].id, before[2].id],
      'the rollback (v2) is gone, the default and pinned v1 stay',
    );
    assert.deepEqual(
      ostreeAdminStatus(suite.fixture.sysroot).map((s) => s.checksum),
      after.map((d) => d.checksum),
    );
    // Now the rollback is the pinned v1: it is kept.
    const kept = await suite.client.call<{ changed: boolean; message: string }>('OS.Cleanup', { elements: ['rollback-deploy', 'pending-deploy'] });
    assert.equal(kept.changed, false);
    assert.deepEqual(
      (await deployments()).map((d) => d.id),
      after.map((d) => d.id),
    );
    fsck();
  });

  it('removes base refs no deployment uses, and keeps the one the layered deployment needs', async () => {
    setRef(suite.fixture.repo, 'aptostree/base/9', suite.fixture.commits.v1);
    const result = await suite.client.call<{ changed: boolean; message: string }>('OS.Cleanup', { elements: ['base'] });
    assert.equal(result.changed, true);
    const refs = readRefs(suite.fixture.repo);
    assert.equal(refs['aptostree/base/9'], undefined);
    assert.equal(refs['aptostree/base/0'], suite.fixture.commits.v2, "the layered deployment's base stays");
    fsck();
  });

  it('apt-ostree cleanup: flags, and a usage error without any', async () => {
    const io = captureIo();
    assert.equal(await main(['--socket', suite.daemon.socket, 'cleanup', '-m'], io), 0, io.err());
    assert.match(io.out(), /removed cached metadata/);
    const none = captureIo();
    assert.equal(await main(['--socket', suite.daemon.socket, 'cleanup'], none), 2);
  });
});
