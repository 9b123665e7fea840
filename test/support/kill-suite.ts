/**
 * The tests of one SIGKILL fault-injection scenario (see kill-run.ts): a reference run, one test
 * per kill point, a check that the points covered the transaction, and the per-point table.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { KillPoint } from './kill-points.js';
import { killAndRecover, referenceRun, type KillRow, type KillScenario, type ReferenceRun } from './kill-run.js';
import { tempSysrootDir } from './ostree-admin-status.js';

/** The per-point table, as the test prints it. */
export function formatKillTable(title: string, reference: ReferenceRun, rows: KillRow[]): string {
  const header = ['point', 'outcome', 'history', 'killed at (ms after Started)', 'past point of no return', 'last notification'];
  const lines = rows.map((r) => [
    r.point,
    r.outcome,
    r.history,
    String(r.killMs),
    r.pastPointOfNoReturn === null ? 'ended' : String(r.pastPointOfNoReturn),
    r.lastEvent,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  return [`${title}: uninterrupted run ${reference.durationMs} ms`, row(header), widths.map((w) => '-'.repeat(w)).join('-+-'), ...lines.map(row)].join('\n');
}

/** What a kill test file sets up once: the scenario, and what to stop at the end. */
export interface KillFixture {
  scenario: KillScenario;
  stop(): Promise<void>;
}

/**
 * The tests of one scenario, registered in the calling suite: the fixture and a reference run
 * (before), one test per point (each on a fresh copy), a test that the points covered the
 * transaction from its start to its end, and the table printed at the end. `points` gets the
 * reference run (available once the tests run) to place points in time.
 */
export function killPointTests(title: string, setup: (dir: string) => Promise<KillFixture>, points: (reference: () => ReferenceRun) => KillPoint[]): void {
  let fixture: KillFixture | undefined;
  let reference: ReferenceRun | undefined;
  const rows: KillRow[] = [];
  const list = points(() => {
    assert.ok(reference !== undefined);
    return reference;
  });
  after(async () => {
    if (reference !== undefined) console.log(`${formatKillTable(title, reference, rows)}\n`);
    await fixture?.stop();
  });
  const dir = tempSysrootDir('apt-ostreed-kill-');
  before(async () => {
    fixture = await setup(join(dir, 'fixture'));
    reference = await referenceRun(fixture.scenario, join(dir, 'reference'));
    console.log(`${title}, notifications of an uninterrupted run: ${reference.events.join(' → ')}`);
  });
  list.forEach((point, i) => {
    it(`SIGKILL at: ${point.name} (expected: ${point.expect} set)`, async () => {
      assert.ok(fixture !== undefined && reference !== undefined);
      rows.push(await killAndRecover(fixture.scenario, reference, point, join(dir, `point-${i}`)));
    });
  });
  it('the points cover the transaction: at least ten, from the old set to the new one', () => {
    assert.equal(rows.length, list.length, 'every point ran');
    assert.ok(new Set(rows.map((r) => r.point)).size >= 10);
    assert.equal(rows[0].outcome, 'old');
    assert.ok(
      rows.some((r) => r.outcome === 'new' && r.history === 'succeeded'),
      'one kill came after the end',
    );
    assert.ok(
      rows.some((r) => r.outcome === 'new' && r.history === 'failed'),
      'one kill came after the boot list was written, before the end',
    );
  });
}
