/**
 * Power cuts on the booted test machine: QEMU killed at once (`vm crash`) in the middle of a
 * layering, in the middle of an upgrade's pull, and after a deployment was staged but before any
 * reboot. After each the machine boots, and what libostree promises holds:
 * - interrupted before the new deployment list was written: the old deployment boots, nothing
 *   new is deployed;
 * - staged but never finalized (finalization runs only in a clean shutdown,
 *   ostree-finalize-staged.service): the staged deployment is dropped and the old one boots;
 * and the daemon's promises: `ostree fsck` is clean, status works, the history shows the
 * interrupted transaction as failed, and the next transaction succeeds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exec } from '../../src/vm/vm-client.js';
import { guestSuite, vmSkipReason } from './support/guest.js';

const skip = vmSkipReason() ?? false;

interface HistoryEntry {
  id: string;
  method: string;
  state: string;
  error: { name: string; message: string } | null;
}

describe('booted machine: power cuts', { skip }, () => {
  const g = guestSuite('vm-power');

  /** Starts `apt-ostree ARGS`; cuts the power when its output matches `when`; returns what it printed. */
  async function cutDuring(args: string[], when: RegExp): Promise<string> {
    let seen = '';
    let cut: Promise<unknown> | null = null;
    const running = exec(g.name, ['apt-ostree', ...args], {
      onOutput: (_fd, data) => {
        seen += data.toString();
        if (cut === null && when.test(seen)) cut = g.crash();
      },
    });
    const r = await running;
    assert.equal(cut !== null, true, `the power was cut (output: ${seen.slice(-2000)}; ${r.error ?? `exit ${r.code}`})`);
    assert.match(r.error ?? '', /machine went down/, 'the command did not finish: the machine went down under it');
    await cut;
    return seen;
  }

  async function afterBoot(bootedChecksum: string, interrupted: string | null): Promise<void> {
    const ds = await g.deployments();
    assert.equal(ds[0].booted, true);
    assert.equal(ds[0].checksum, bootedChecksum);
    assert.equal(ds.filter((d) => d.staged).length, 0, 'no staged deployment survives a power cut');
    await g.ok(['ostree', 'fsck']);
    const status = await g.cli(['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^State: idle/m);
    if (interrupted !== null) {
      const { transactions } = JSON.parse(await g.ok(['apt-ostree', 'history', '--json'])) as { transactions: HistoryEntry[] };
      const last = transactions[0];
      assert.equal(last.method, interrupted, JSON.stringify(transactions.slice(0, 3)));
      assert.equal(last.state, 'failed', JSON.stringify(last));
    }
  }

  it('a cut in the middle of a layering: the old deployment boots, the layering is failed in the history, the next one succeeds', async () => {
    const base = (await g.deployments())[0];
    const out = await cutDuring(['install', 'fooapp'], /^(Unpacking|Configuring|Committing)/m);
    assert.match(out, /Resolving/);
    await afterBoot(base.checksum, 'OS.PkgChange');
    const again = await g.cli(['install', 'fooapp']);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.equal((await g.deployments())[0].staged, true);
  });

  it('a cut after staging, before the reboot: the staged deployment is gone (never finalized), the old one boots; the next transaction succeeds', async () => {
    const ds = await g.deployments();
    assert.equal(ds[0].staged, true, 'the previous test left a staged layering');
    const booted = ds.find((d) => d.booted);
    assert.ok(booted);
    await g.crash();
    await afterBoot(booted.checksum, null);
    const { transactions } = JSON.parse(await g.ok(['apt-ostree', 'history', '--json'])) as { transactions: HistoryEntry[] };
    assert.equal(transactions[0].state, 'succeeded', 'the staging transaction itself had finished');
    const again = await g.cli(['install', 'marker']);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    const cancel = await g.cli(['cleanup', '--pending']);
    assert.equal(cancel.code, 0, cancel.stderr);
  });

  it('a cut in the middle of an upgrade\'s pull: the old deployment boots, the upgrade is failed in the history, the next upgrade succeeds', async () => {
    const base = (await g.deployments())[0];
    const out = await cutDuring(['upgrade'], /^Receiving (objects|metadata|delta)|Receiving/m);
    assert.match(out, /Receiving/);
    await afterBoot(base.checksum, 'OS.Upgrade');
    const again = await g.cli(['upgrade']);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    const ds = await g.deployments();
    assert.equal(ds[0].staged, true);
    assert.equal(ds[0].version, '13.2');
  });
});
