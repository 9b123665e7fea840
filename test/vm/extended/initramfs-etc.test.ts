/**
 * On the booted test machine (extended: two reboots): a file of /etc tracked with `apt-ostree initramfs-etc` reaches
 * the initramfs the kernel unpacks. The tracked file is a dracut command-line snippet
 * (/etc/cmdline.d/*.conf, read by dracut's getcmdline in the initramfs), so after the reboot
 * dracut's "Using kernel command line parameters" line of that boot has the extra argument: the
 * cpio appended to the image was unpacked over the image's own files (as rpm-ostree's own test
 * of initramfs-etc checks).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guestSuite, vmSkipReason } from '../support/guest.js';

const skip = vmSkipReason() ?? false;
const KARG = 'apt_ostree_ietc=1';
const CONF = '/etc/cmdline.d/50-apt-ostree-ietc.conf';

describe('booted machine: initramfs-etc', { skip }, () => {
  const g = guestSuite('vm-initramfs-etc');
  const dracutSaw = async (): Promise<boolean> => {
    const r = await g.run(['journalctl', '-b', '0', '--no-pager', '-o', 'cat', '--grep', `Using kernel command line parameters:.*${KARG}`]);
    return r.code === 0 && r.stdout.includes(KARG);
  };

  it('a tracked /etc/cmdline.d snippet is in the initramfs after the reboot; untracked, it is gone again', async () => {
    assert.equal(await dracutSaw(), false, 'not before');
    await g.ok(['mkdir', '-p', '/etc/cmdline.d']);
    await g.write(CONF, `${KARG}\n`);
    const r = await g.cli(['initramfs-etc', `--track=${CONF}`]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const [staged] = await g.deployments();
    assert.equal(staged.staged, true);
    assert.deepEqual(staged.initramfsEtc, [CONF]);
    await g.reboot();
    const [booted] = await g.deployments();
    assert.equal(booted.booted, true);
    assert.deepEqual(booted.initramfsEtc, [CONF]);
    assert.ok(await dracutSaw(), 'dracut in the initramfs read the tracked file');
    assert.match(await g.ok(['apt-ostree', 'status']), new RegExp(`InitramfsEtc: ${CONF}`));
    const u = await g.cli(['initramfs-etc', '--untrack-all']);
    assert.equal(u.code, 0, u.stderr + u.stdout);
    await g.reboot();
    assert.equal(await dracutSaw(), false, 'untracked: not in the initramfs any more');
  });
});
