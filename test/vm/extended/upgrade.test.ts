/**
 * On the booted test machine: an upgrade to the newer commit of the remote (the data disk's
 * OSTree repo) with a layered package re-applied, an admin's /etc edit merged three ways, and a
 * kernel argument added on top of the staged upgrade — all checked after the reboot. Run by
 * `npm run test:vm`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guestSuite, vmSkipReason } from '../support/guest.js';

const skip = vmSkipReason() ?? false;

describe('booted machine: upgrade across a reboot', { skip }, () => {
  const g = guestSuite('vm-upgrade');

  it('upgrade to the newer commit re-applies the layered packages; /etc edits and a new kernel argument survive the reboot', async () => {
    const inst = await g.cli(['install', 'marker']);
    assert.equal(inst.code, 0, inst.stderr + inst.stdout);
    await g.write('/etc/apt-ostree-test-admin.conf', 'edited by the admin\n');
    const up = await g.cli(['upgrade']);
    assert.equal(up.code, 0, up.stderr + up.stdout);
    const ds = await g.deployments();
    assert.equal(ds[0].staged, true);
    assert.equal(ds[0].version, '13.2');
    assert.deepEqual(ds[0].requestedPackages, ['marker']);
    const k = await g.cli(['kargs', '--append=apt_ostree_test=1']);
    assert.equal(k.code, 0, k.stderr + k.stdout);
    const staged = (await g.deployments())[0];
    assert.equal(staged.version, '13.2', 'kargs keep the upgrade');
    assert.deepEqual(staged.requestedPackages, ['marker'], 'kargs keep the layered packages');
    assert.ok(staged.kernelArgs.includes('apt_ostree_test=1'), staged.kernelArgs.join(' '));
    await g.reboot();
    const booted = (await g.deployments())[0];
    assert.equal(booted.booted, true);
    assert.equal(booted.version, '13.2');
    assert.ok((await g.ok(['cat', '/proc/cmdline'])).trim().split(' ').includes('apt_ostree_test=1'), 'the new kernel argument is on /proc/cmdline');
    assert.equal(await g.ok(['cat', '/etc/apt-ostree-test-admin.conf']), 'edited by the admin\n');
    assert.equal(await g.ok(['cat', '/usr/share/marker/postinst-ran']), 'configured configure\n');
    assert.ok((await g.ok(['stat', '-c', '%s', '/usr/share/apt-ostree-test/payload.bin'])).trim() === String(32 * 1024 * 1024), "the new commit's content");
    await g.ok(['ostree', 'fsck']);
  });
});
