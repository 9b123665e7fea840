/**
 * On the booted test machine: package layering across a real reboot (the staged deployment
 * finalized by ostree-finalize-staged at shutdown), rollback, and a power cut in the middle of a
 * layering (more cuts, and the upgrade across a reboot: test/vm/extended/, npm run test:vm).
 * The packages come from the machine's offline sources: a `file:` APT repository and an OSTree
 * repo on the read-only data disk.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guestSuite, vmSkipReason } from './support/guest.js';
import { checkAfterCut, cutDuring } from './support/power-cut.js';

const skip = vmSkipReason() ?? false;

describe('booted machine: layering across a reboot, rollback, a power cut', { skip }, () => {
  const g = guestSuite('vm-layering');

  it('install stages a deployment; after the reboot the packages run; rollback + reboot brings back the base without them', async () => {
    const base = (await g.deployments())[0];
    assert.equal(base.booted, true);
    const r = await g.cli(['install', 'fooapp', 'hello']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const staged = await g.deployments();
    assert.equal(staged.length, 2);
    assert.equal(staged[0].staged, true, 'on a booted system the new deployment is staged');
    assert.deepEqual(staged[0].requestedPackages, ['fooapp', 'hello']);
    assert.match(await g.ok(['apt-ostree', 'status']), /LayeredPackages: .*fooapp/);
    assert.notEqual((await g.run(['hello'])).code, 0, 'not on the running system before the reboot');
    await g.reboot();
    const after = await g.deployments();
    assert.equal(after[0].booted, true);
    assert.equal(after[0].staged, false);
    assert.deepEqual([...after[0].layeredPackages].sort(), ['fooapp', 'hello', 'libfoo1']);
    assert.equal((await g.ok(['hello'])).trim(), 'Hello, world!');
    assert.equal((await g.ok(['fooapp'])).trim(), 'fooapp 2.0');
    // The real Debian package's dpkg record, in the deployment's database.
    assert.match(await g.ok(['dpkg-query', '-W', '-f', '${Status}', 'hello']), /install ok installed/);

    const rb = await g.cli(['rollback']);
    assert.equal(rb.code, 0, rb.stderr + rb.stdout);
    await g.reboot();
    const back = await g.deployments();
    assert.equal(back[0].booted, true);
    assert.equal(back[0].checksum, base.checksum, 'the base deployment is booted again');
    assert.deepEqual(back[0].layeredPackages, []);
    assert.notEqual((await g.run(['sh', '-c', 'command -v hello'])).code, 0, 'hello is gone');
  });

  it('a power cut in the middle of a layering: the old deployment boots, the layering is failed in the history, the next one succeeds', async () => {
    const booted = (await g.deployments())[0];
    const out = await cutDuring(g, ['install', 'fooapp'], /^(Unpacking|Configuring|Committing)/m);
    assert.match(out, /Resolving/);
    await checkAfterCut(g, booted.checksum, 'OS.PkgChange');
    const again = await g.cli(['install', 'fooapp']);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.equal((await g.deployments())[0].staged, true);
  });
});
