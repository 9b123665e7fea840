/**
 * SIGKILL of the daemon and its worker during a package layering: `OS.PkgChange`
 * of packages from the local APT repository on 127.0.0.1, killed at each task the layering
 * reports, at moments seen on disk (its scratch dir, its checkout, the new deployment, the
 * point of no return, the boot loader switch) and at moments in time. After each, a daemon
 * started again on the same sysroot, state and cache finds an intact repository, exactly the
 * old deployments or exactly the new ones, no scratch dir or checkout left, the interrupted
 * transaction in the history as failed, and runs the next transaction.
 *
 * Besides the suite's packages (a dependency, a conffile, a postinst), one package brings many
 * files and a postinst that takes a moment, so that each step lasts long enough to be hit.
 * Every point runs on a fresh copy of the sysroot and an empty APT cache.
 */
import { describe } from 'node:test';
import type { DebSpec } from '../src/demo/apt-repo.js';
import { afterStart, atEvent, atEventText, DEPLOY_POINTS_ON_DISK, scratchAppears, type KillPoint } from './support/kill-points.js';
import { copiesOf, type ReferenceRun } from './support/kill-run.js';
import { killPointTests, type KillFixture } from './support/kill-suite.js';
import { layeringFixture, stopLayeringFixture } from './support/layering-fixture.js';

/** Files of the bulky package: unpacking, committing and checking it out take a while. */
const BULKY_FILES = 300;

const BULKY: DebSpec = {
  name: 'bulky',
  version: '1.0',
  description: 'many files and a postinst that takes a moment',
  files: Object.fromEntries(Array.from({ length: BULKY_FILES }, (_, i) => [`/usr/share/bulky/d${i % 20}/f${i}`, `bulky ${i}\n`])),
  postinst: 'sleep 0.3\n',
};

async function fixture(dir: string): Promise<KillFixture> {
  const f = await layeringFixture(dir, [BULKY]);
  return {
    scenario: { prepare: copiesOf(f.sysroot), method: 'OS.PkgChange', params: { add: ['fooapp', 'marker', 'bulky'] } },
    stop: () => stopLayeringFixture(f),
  };
}

function layeringPoints(reference: () => ReferenceRun): KillPoint[] {
  const share = (f: number) => () => Math.round(reference().durationMs * f);
  return [
    atEventText('old', 'Started'),
    scratchAppears('the scratch dir appears', 'old', 'layer'),
    atEventText('old', 'TaskBegin Refreshing the package lists'),
    atEventText('old', 'TaskBegin Resolving'),
    atEventText('old', 'TaskBegin Downloading'),
    atEvent('the first package is fetched', 'old', (e) => e.method === 'Transaction.DownloadProgress'),
    afterStart('20% of an uninterrupted run after Started', 'old', share(0.2)),
    atEventText('old', 'TaskBegin Checking out the base'),
    scratchAppears('the checkout appears', 'old', 'layer/tree'),
    atEventText('old', 'TaskBegin Unpacking'),
    atEventText('old', 'TaskBegin Configuring'),
    atEvent('a maintainer script runs', 'old', (e) => e.method === 'Transaction.PercentProgress' && String(e.params.text).startsWith('Setting up bulky')),
    afterStart('60% of an uninterrupted run after Started', 'either', share(0.6)),
    atEventText('either', 'TaskBegin Committing'),
    atEventText('either', 'TaskBegin Writing deployment'),
    ...DEPLOY_POINTS_ON_DISK,
    atEventText('either', 'TaskBegin Writing the boot configuration'),
    atEventText('new', 'TaskBegin Cleaning up'),
    atEventText('new', 'Finished'),
  ];
}

describe('SIGKILL during a package layering', () => {
  killPointTests('package layering (OS.PkgChange add fooapp marker bulky)', fixture, layeringPoints);
});
