/**
 * SIGKILL of the daemon and its worker during an upgrade, at every notification
 * kind the upgrade sends, at moments seen on disk, and at moments in time; after each, a daemon
 * started again on the same sysroot and state finds an intact repository, exactly the old
 * deployments or exactly the new ones, nothing temporary left, the interrupted transaction in
 * the history as failed, and runs the next transaction.
 *
 * The update is a commit of a couple of thousand files from the 127.0.0.1 remote, so the pull
 * lasts a few seconds and the deployment a little while. Every point runs on a fresh copy of
 * the sysroot (`cp -a`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import { addServerCommit, buildRemoteSysroot } from '../src/demo/remote-fixture.js';
import { afterStart, atEvent, atEventText, DEPLOY_POINTS_ON_DISK, whenOnDisk, type KillPoint } from './support/kill-points.js';
import { copiesOf, type ReferenceRun } from './support/kill-run.js';
import { killPointTests, type KillFixture } from './support/kill-suite.js';

/** Files in the update: enough for a pull of a few seconds here. */
const UPDATE_FILES = 1200;

async function upgradeFixture(dir: string): Promise<KillFixture> {
  const remote = await buildRemoteSysroot(dir);
  const files: Record<string, string> = {};
  for (let i = 0; i < UPDATE_FILES; i++) files[`usr/share/update-bulk/d${i % 40}/f${i}`] = `file ${i}\n`.repeat(1 + (i % 9));
  addServerCommit(remote, { version: '12.3', files });
  return { scenario: { prepare: copiesOf(remote.sysroot), method: 'OS.Upgrade', params: {} }, stop: () => remote.stop() };
}

const progress = (e: { method: string; params: Record<string, unknown> }, share: number): boolean =>
  e.method === 'Transaction.DownloadProgress' &&
  Number(e.params.objectsRequested) > 0 &&
  Number(e.params.objectsFetched) >= Math.max(1, share * Number(e.params.objectsRequested));

/** The branch ref the pull moves once every object is in (`refs/remotes/origin/...`). */
const BRANCH_REF = join('ostree', 'repo', 'refs', 'remotes', 'origin', 'debian', 'bookworm', 'x86_64');

function upgradePoints(reference: () => ReferenceRun): KillPoint[] {
  const share = (f: number) => () => Math.round(reference().durationMs * f);
  return [
    atEventText('old', 'Started'),
    atEventText('old', 'Message Fetching'),
    atEventText('old', 'TaskBegin Receiving objects'),
    atEvent('the first objects are fetched', 'old', (e) => progress(e, 0)),
    atEvent('half of the objects are fetched', 'old', (e) => progress(e, 0.5)),
    afterStart('10% of an uninterrupted run after Started', 'old', share(0.1)),
    afterStart('40% of an uninterrupted run after Started', 'either', share(0.4)),
    whenOnDisk('the pull moves the branch ref', 'either', (w) => {
      const ref = join(w.sysroot, BRANCH_REF);
      const before = readFileSync(ref, 'utf8');
      return () => readFileSync(ref, 'utf8') !== before;
    }),
    atEventText('either', 'TaskEnd Receiving objects'),
    atEventText('either', 'TaskBegin Writing deployment'),
    ...DEPLOY_POINTS_ON_DISK,
    atEventText('either', 'TaskBegin Writing the boot configuration'),
    afterStart('75% of an uninterrupted run after Started', 'either', share(0.75)),
    atEventText('new', 'TaskBegin Cleaning up'),
    atEventText('new', 'Finished'),
  ];
}

describe('SIGKILL during an upgrade', () => {
  killPointTests('upgrade (OS.Upgrade)', upgradeFixture, upgradePoints);
});
