/**
 * Power cuts on a test machine: run an apt-ostree command, cut the power (QEMU killed at once)
 * when its output shows the phase wanted, and after the next boot check what must hold — the
 * booted deployment, no staged one, `ostree fsck` clean, status working, the interrupted
 * transaction failed in the history.
 */
import assert from 'node:assert/strict';
import { exec } from '../../../src/vm/vm-client.js';
import type { Guest } from './guest.js';

export interface HistoryEntry {
  id: string;
  method: string;
  state: string;
  error: { name: string; message: string } | null;
}

export async function history(g: Guest): Promise<HistoryEntry[]> {
  return (JSON.parse(await g.ok(['apt-ostree', 'history', '--json'])) as { transactions: HistoryEntry[] }).transactions;
}

/** Starts `apt-ostree ARGS`; cuts the power when its output matches `when`; returns what it printed. */
export async function cutDuring(g: Guest, args: string[], when: RegExp): Promise<string> {
  let seen = '';
  let cut: Promise<unknown> | null = null;
  const r = await exec(g.name, ['apt-ostree', ...args], {
    onOutput: (_fd, data) => {
      seen += data.toString();
      if (cut === null && when.test(seen)) cut = g.crash();
    },
  });
  assert.equal(cut !== null, true, `the power was cut (output: ${seen.slice(-2000)}; ${r.error ?? `exit ${r.code}`})`);
  assert.match(r.error ?? '', /machine went down/, 'the command did not finish: the machine went down under it');
  await cut;
  return seen;
}

/** What holds after the boot that follows a power cut. */
export async function checkAfterCut(g: Guest, bootedChecksum: string, interrupted: string | null): Promise<void> {
  const ds = await g.deployments();
  assert.equal(ds[0].booted, true);
  assert.equal(ds[0].checksum, bootedChecksum);
  assert.equal(ds.filter((d) => d.staged).length, 0, 'no staged deployment survives a power cut');
  await g.ok(['ostree', 'fsck']);
  const status = await g.cli(['status']);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /^State: idle/m);
  if (interrupted !== null) {
    const last = (await history(g))[0];
    assert.equal(last.method, interrupted, JSON.stringify(last));
    assert.equal(last.state, 'failed', JSON.stringify(last));
  }
}
