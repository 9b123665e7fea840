/**
 * On the booted test machine: package layering across a real reboot (the staged deployment
 * finalized by ostree-finalize-staged at shutdown), rollback, and an upgrade to a newer commit
 * with the layered packages re-applied, an admin's /etc edit merged and a kernel argument added.
 * The packages come from the machine's offline sources: a `file:` APT repository and an OSTree
 * repo on the read-only data disk.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guestSuite, vmSkipReason } from './support/guest.js';

const skip = vmSkipReason() ?? false;

describe('booted machine: layering, reboot, rollback, upgrade', { skip }, () => {
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
    assert.ok((await g.ok(['stat', '-c', '%s', '/usr/share/apt-ostree-test/payload.bin'])).trim() === String(32 * 1024 * 1024), 'the new commit\'s content');
    await g.ok(['ostree', 'fsck']);
  });
});
