/**
 * Power cuts on the booted test machine, beyond the one in the core suite (mid-layering,
 * test/vm/layering-reboot.test.ts): after a deployment was staged but before any reboot, and in
 * the middle of an upgrade's pull. After each the machine boots the old deployment —
 * libostree's semantics: a staged deployment is finalized only during a clean shutdown
 * (ostree-finalize-staged.service), so a power cut drops it; a pull cut short wrote no
 * deployment — `ostree fsck` is clean, status works, the history tells what happened, and the
 * next transaction succeeds. Run by `npm run test:vm`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guestSuite, vmSkipReason } from '../support/guest.js';
import { checkAfterCut, cutDuring, history } from '../support/power-cut.js';

const skip = vmSkipReason() ?? false;

describe('booted machine: more power cuts', { skip }, () => {
  const g = guestSuite('vm-power');

  it('a cut after staging, before the reboot: the staged deployment is gone (never finalized), the old one boots; the next transaction succeeds', async () => {
    const booted = (await g.deployments())[0];
    const inst = await g.cli(['install', 'fooapp']);
    assert.equal(inst.code, 0, inst.stderr + inst.stdout);
    assert.equal((await g.deployments())[0].staged, true);
    await g.crash();
    await checkAfterCut(g, booted.checksum, null);
    assert.equal((await history(g))[0].state, 'succeeded', 'the staging transaction itself had finished');
    const again = await g.cli(['install', 'marker']);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    const cancel = await g.cli(['cleanup', '--pending']);
    assert.equal(cancel.code, 0, cancel.stderr);
  });

  it("a cut in the middle of an upgrade's pull: the old deployment boots, the upgrade is failed in the history, the next upgrade succeeds", async () => {
    const base = (await g.deployments())[0];
    const out = await cutDuring(g, ['upgrade'], /Receiving/);
    assert.match(out, /Receiving/);
    await checkAfterCut(g, base.checksum, 'OS.Upgrade');
    const again = await g.cli(['upgrade']);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    const ds = await g.deployments();
    assert.equal(ds[0].staged, true);
    assert.equal(ds[0].version, '13.2');
  });
});
