/**
 * Fault injection: the disk fills up during a layering. The whole fixture (the sysroot
 * with its repository, where the layering checks out, installs and commits) lives on a small
 * tmpfs, shrunk after the setup so the base fits but a package bigger than the space left does
 * not. The install fails with an error naming the cause, deploys nothing, leaves the old
 * deployments intact and gives the space back; once there is room, the same install succeeds.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { RemoteError } from '../src/client/jsonrpc-client.js';
import { buildAptRepo, FIXTURE_DEBS } from '../src/demo/apt-repo.js';
import { daemonSuite } from './support/daemon-suite.js';
import { layeringFixture, stopLayeringFixture } from './support/layering-fixture.js';
import { assertFsckClean } from './support/sysroot-state.js';

const MiB = 1024 * 1024;
/** Size of the one file of the package that does not fit. */
const BIG_FILE = 24 * MiB;
/** Space left on the tmpfs for the layering: less than the package needs. */
const ROOM = 8 * MiB;

/** Free bytes of the filesystem holding `path`. */
function freeBytes(path: string): number {
  const s = statfsSync(path);
  return s.bfree * s.bsize;
}

function isMountPoint(dir: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[4] === dir);
}

/** Sets the size of the tmpfs at `dir` (it keeps its content). */
function resizeTmpfs(dir: string, bytes: number): void {
  execFileSync('mount', ['-o', `remount,size=${bytes}`, dir]);
}

describe('fault: the disk fills up during a layering', () => {
  // A directory of its own for the tmpfs; unmounted after the daemon stopped (hooks run in order).
  const mountPoint = mkdtempSync(join(tmpdir(), 'apt-ostreed-tmpfs-'));
  const suite = daemonSuite(async () => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256m', 'tmpfs', mountPoint]);
    const f = await layeringFixture(mountPoint);
    // The fixture's packages and one whose single file is bigger than the room left below.
    buildAptRepo(f.aptDir, [
      ...FIXTURE_DEBS,
      { name: 'bigdata', version: '1.0', description: 'one big file', files: { '/usr/share/bigdata/blob': 'x'.repeat(BIG_FILE) } },
    ]);
    return f;
  }, stopLayeringFixture);
  after(async () => {
    // The daemon's worker processes end just after it: the mount can be busy for a moment.
    for (let i = 0; i < 50 && isMountPoint(mountPoint); i++) {
      try {
        execFileSync('umount', [mountPoint], { stdio: 'pipe' });
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    if (isMountPoint(mountPoint)) execFileSync('umount', ['--lazy', mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });
  const fsck = (): void => assertFsckClean(suite.fixture.sysroot);

  /** Leaves `room` bytes free, installs bigdata: it must fail for lack of space (`cause`) and change nothing. */
  const installWithRoom = async (room: number, cause: RegExp): Promise<void> => {
    const st = statfsSync(mountPoint);
    resizeTmpfs(mountPoint, (st.blocks - st.bfree) * st.bsize + room);
    const before = await suite.deployments();
    const free = freeBytes(mountPoint);
    await assert.rejects(suite.client.call('OS.PkgChange', { add: ['bigdata'] }), (e: RemoteError) => {
      assert.equal(e.errorName, 'Failed');
      assert.match(e.message, cause, e.message);
      return true;
    });
    assert.deepEqual(await suite.deployments(), before, 'nothing deployed, the deployments unchanged');
    fsck();
    const scratch = readdirSync(join(suite.fixture.repo, 'tmp')).filter((n) => n.startsWith('apt-ostree-'));
    assert.deepEqual(scratch, [], 'the scratch dir of the layering is gone');
    // What the layering wrote was removed: the free space is what it was (to a few pages).
    const freeAfter = freeBytes(mountPoint);
    assert.ok(Math.abs(freeAfter - free) <= 64 * 1024, `free before ${free}, after ${freeAfter}`);
  };

  it('ENOSPC while dpkg unpacks: a clear error naming the package, nothing deployed, the space given back', async () => {
    assert.ok(ROOM < BIG_FILE);
    await installWithRoom(
      ROOM,
      /bigdata_1\.0_all\.deb \(--unpack\): cannot copy extracted data for '\.\/usr\/share\/bigdata\/blob'.*\(No space left on device\)$/,
    );
  });

  it('no room to commit the layer (the package unpacked, its copy in the repository does not fit): libostree refuses, nothing changes', async () => {
    // libostree refuses before the disk is full: it keeps min-free-space-percent (3 %) free.
    await installWithRoom(
      BIG_FILE + 12 * MiB,
      /^Committing the layered tree failed: .*(min-free-space-percent '3%' would be exceeded|No space left on device)/,
    );
  });

  it('the daemon serves on: with room, the same install succeeds', async () => {
    const before = await suite.deployments();
    resizeTmpfs(mountPoint, statfsSync(mountPoint).blocks * statfsSync(mountPoint).bsize + 4 * BIG_FILE);
    const r = await suite.client.call<{ changed: boolean }>('OS.PkgChange', { add: ['bigdata'] });
    assert.equal(r.changed, true);
    const now = await suite.deployments();
    assert.deepEqual(now[0].requestedPackages, ['bigdata']);
    assert.equal(now[1].id, before[0].id, 'the previous default is the rollback');
    fsck();
  });
});
