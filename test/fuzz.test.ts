/**
 * The fuzzer of `npm run fuzz`, small: 1500 hostile inputs in both framings over 32
 * concurrent connections to a real daemon on a real sysroot. No violation: every request
 * answered (or the connection closed after an error), the daemon alive, answering and bounded
 * in memory, nothing started, the sysroot unchanged; every parameter of every method attacked.
 * Then the floods (fuzz/floods.ts) by an unprivileged user, shortened, with their RSS and root
 * latency bounds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatReport } from '../fuzz/report.js';
import { DEFAULT_OPTIONS, runFuzz } from '../fuzz/run-fuzz.js';

describe('fuzzer', () => {
  it('finds no violation in 1500 inputs', async (t) => {
    // A fixed seed in CI (the same inputs each run; `npm run fuzz` draws a new one each time).
    const seed = 20261206;
    const report = await runFuzz({ ...DEFAULT_OPTIONS, inputs: 1500, seconds: 40, seed, floodHoldMs: 2000 });
    const text = formatReport(report);
    t.diagnostic(text);
    assert.ok(report.ok, text);
    // Inputs that could have started a transaction are not sent; nearly all others are.
    assert.ok(report.tally.inputs >= 1300, text);
    assert.equal(report.coverage.covered, report.coverage.targets, text);
    assert.ok(report.rss.quarters.length >= 2, 'memory was sampled along the run, for the growth check');
    assert.equal(report.floods.length, 5, 'the batch, idle-connection and non-reading floods ran');
    assert.ok(
      report.floods.every((f) => f.rootLatency.count > 0),
      'root read during every flood',
    );
  });
});
