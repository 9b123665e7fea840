/**
 * Fault injection by SIGKILL: run a transaction on a fresh copy of a sysroot, kill the daemon
 * and its worker at a {@link KillPoint}, start a daemon again on the same sysroot, state and
 * cache, and check what the crash left: the repository is intact, the deployments are exactly
 * the old set or the new one, nothing temporary remains, the history tells the truth, and the
 * next transaction runs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Deployment } from '../../src/api/types/deployment.js';
import { JsonRpcClient } from '../../src/client/jsonrpc-client.js';
import { removeSysroot } from '../../src/demo/sysroot-builder.js';
import { exited, startDaemon, type DaemonHandle } from './daemon-process.js';
import type { Received } from './event-client.js';
import { describeEvent, type ActiveRecordView, type KillPoint, type TransactionWatch } from './kill-points.js';
import { alive, processesMentioning, until } from './processes.js';
import { ostreeAdminStatus } from './ostree-admin-status.js';
import { assertFsckClean, deploymentDamage, deploymentSet, repoRefs, transactionLeftovers } from './sysroot-state.js';

/** A transaction to interrupt, and where it starts from. */
export interface KillScenario {
  /** Makes `dir`/sysroot a copy of the sysroot every run starts from; returns its path. */
  prepare(dir: string): string;
  method: string;
  params: Record<string, unknown>;
}

/** A `prepare` that copies `sysroot` (hardlinks between repo objects and deployments kept: `cp -a`). */
export function copiesOf(sysroot: string): (dir: string) => string {
  return (dir) => {
    const copy = join(dir, 'sysroot');
    execFileSync('cp', ['-a', sysroot, copy]);
    return copy;
  };
}

/** What an uninterrupted run of the scenario does. */
export interface ReferenceRun {
  oldSet: string[];
  /** {@link repoRefs} before the transaction. */
  oldRefs: string[];
  newSet: string[];
  /** From Started to Finished. */
  durationMs: number;
  /** Its notifications, described, with consecutive repeats folded. */
  events: string[];
}

/** One line of the table a kill test prints. */
export interface KillRow {
  point: string;
  outcome: 'old' | 'new';
  history: string;
  /** From Started to the kill. */
  killMs: number;
  /** The daemon's record at the kill: past the point of no return, or null when it was already gone (the transaction had ended). */
  pastPointOfNoReturn: boolean | null;
  /** The last notification received before the kill. */
  lastEvent: string;
}

/** A daemon on the run's own state and cache dirs, with a client that hands each notification to `onEvent` at once. */
async function daemonOn(dir: string, sysroot: string, onEvent: (e: Received) => void = () => {}): Promise<{ daemon: DaemonHandle; client: JsonRpcClient }> {
  const daemon = await startDaemon({ sysroot, stateDir: join(dir, 'state'), cacheDir: join(dir, 'cache') });
  const client = await JsonRpcClient.connect(daemon.socket, (method, params) => onEvent({ method, params }));
  return { daemon, client };
}

/** Runs the scenario to its end on a copy in `dir` (removed afterwards). */
export async function referenceRun(scenario: KillScenario, dir: string): Promise<ReferenceRun> {
  mkdirSync(dir, { recursive: true });
  const sysroot = scenario.prepare(dir);
  const oldSet = deploymentSet(sysroot);
  const oldRefs = repoRefs(sysroot);
  const events: string[] = [];
  let startedAt = 0;
  let finishedAt = 0;
  const { daemon, client } = await daemonOn(dir, sysroot, (e) => {
    if (e.method === 'Transaction.Started') startedAt = Date.now();
    if (e.method === 'Transaction.Finished') finishedAt = Date.now();
    const text = describeEvent(e);
    if (events.at(-1) !== text) events.push(text);
  });
  try {
    await client.call(scenario.method, scenario.params);
    const newSet = deploymentSet(sysroot);
    assert.notDeepEqual(newSet, oldSet, 'the transaction changes the deployments');
    assert.deepEqual(transactionLeftovers(sysroot), []);
    assertFsckClean(sysroot);
    return { oldSet, oldRefs, newSet, durationMs: finishedAt - startedAt, events };
  } finally {
    client.close();
    await daemon.stop();
    removeSysroot(dir);
  }
}

const WORKER_BUNDLE = 'apt-ostreed-worker';

/** The daemon's record of the running transaction, in its state dir. */
const ACTIVE_RECORD = 'active-transaction.json';

/** What a worker of the daemon `pid`, and whatever inherited its environment, has in its environment. */
const workerMark = (pid: number): string => `APT_OSTREED_PARENT_PID=${pid}\0`;

/**
 * SIGKILL to the daemon at once, then to its worker(s) (found by their environment: they may
 * already be dying with it). Nothing else: what the worker started must die with the worker.
 */
function killDaemonAndWorker(daemon: DaemonHandle): void {
  const pid = daemon.process.pid as number;
  process.kill(pid, 'SIGKILL');
  for (const p of processesMentioning(workerMark(pid))) {
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'latin1').includes(WORKER_BUNDLE)) process.kill(p, 'SIGKILL');
    } catch {
      // died with the daemon already
    }
  }
}

interface HistoryEntry {
  id: string;
  state: string;
  error: { name: string; message: string } | null;
}

/** What the crash left: the transaction, and the daemon's record of it (null: it had ended and cleared it). */
interface Crash {
  transaction: string;
  record: ActiveRecordView | null;
  killMs: number;
  lastEvent: string;
}

/**
 * Starts the scenario's transaction on the daemon of `first`, kills the daemon and its worker
 * at `point`, and waits until nothing of the transaction runs any more.
 */
async function runUntilKilled(
  first: { daemon: DaemonHandle; client: JsonRpcClient },
  watch: TransactionWatch,
  scenario: KillScenario,
  point: KillPoint,
): Promise<Crash> {
  let startedAt = 0;
  const stopTiming = watch.onEvent((e) => {
    if (e.method === 'Transaction.Started') startedAt = Date.now();
  });
  let disarm = (): void => {};
  try {
    const killed = new Promise<number>((resolve) => {
      let fired = false;
      disarm = point.arm(watch, () => {
        if (fired) return;
        fired = true;
        killDaemonAndWorker(first.daemon);
        resolve(Date.now() - startedAt);
      });
    });
    const ended = first.client.call(scenario.method, scenario.params).then(
      () => 'succeeded',
      (e: Error) => `failed: ${e.message}`,
    );
    const killMs = await Promise.race([killed, ended.then((how) => Promise.reject(new Error(`the point was not reached: the transaction ${how}`)))]);
    await exited(first.daemon.process);
    const transaction = watch.transaction();
    assert.ok(transaction !== undefined);
    // Nothing of the transaction runs on: its worker and what the worker started (found by the
    // worker's environment, or by the transaction's scratch dir in their command line).
    const orphans = (): number[] =>
      [...processesMentioning(workerMark(first.daemon.process.pid as number)), ...processesMentioning(`apt-ostree-${transaction}-`)].filter(alive);
    await until(() => orphans().length === 0, 5000, 'every process of the transaction to die');
    // The daemon's record as the crash left it (nothing writes it any more).
    const active = join(watch.stateDir, ACTIVE_RECORD);
    const record = existsSync(active) ? (JSON.parse(readFileSync(active, 'utf8')) as ActiveRecordView) : null;
    return { transaction, record, killMs, lastEvent: watch.events.length > 0 ? describeEvent(watch.events[watch.events.length - 1]) : '(none)' };
  } finally {
    disarm();
    stopTiming();
  }
}

/**
 * After the restart: the repository is intact, the deployments are the old or the new set and
 * complete, nothing is left over, and the history agrees with the record the crash left.
 * Returns which set it is.
 */
async function checkRecovered(client: JsonRpcClient, sysroot: string, reference: ReferenceRun, crash: Crash, point: KillPoint): Promise<KillRow> {
  assertFsckClean(sysroot);
  const set = JSON.stringify(deploymentSet(sysroot));
  const outcome = set === JSON.stringify(reference.oldSet) ? 'old' : set === JSON.stringify(reference.newSet) ? 'new' : null;
  assert.ok(outcome !== null, `the deployments are neither the old set nor the new one: ${set}`);
  // Nothing changed means no ref either (the pull's branch ref, a layer's base ref).
  if (outcome === 'old') assert.deepEqual(repoRefs(sysroot), reference.oldRefs, 'the refs are as before');
  for (const d of ostreeAdminStatus(sysroot)) assert.deepEqual(deploymentDamage(sysroot, d), [], `deployment ${d.checksum}.${d.serial} is complete`);
  assert.deepEqual(transactionLeftovers(sysroot), [], 'nothing of the transaction is left on disk');

  const { transactions } = await client.call<{ transactions: HistoryEntry[] }>('Transaction.History', { limit: 20 });
  const entries = transactions.filter((t) => t.id === crash.transaction);
  assert.equal(entries.length, 1, 'the transaction is in the history once');
  const entry = entries[0];
  if (crash.record === null) {
    // The daemon had ended the transaction (and cleared its record) before the kill.
    assert.equal(entry.state, 'succeeded');
    assert.equal(outcome, 'new');
  } else {
    assert.equal(entry.state, 'failed', JSON.stringify(entry));
    assert.match(entry.error?.message ?? '', /^Interrupted/);
    if (!crash.record.pastPointOfNoReturn) assert.equal(outcome, 'old', 'killed before the point of no return: nothing changed');
    assert.match(entry.error?.message ?? '', outcome === 'new' ? /new deployments are in place/ : /nothing was changed/);
  }
  if (point.expect !== 'either') assert.equal(outcome, point.expect, `a kill at "${point.name}" leaves the ${point.expect} set`);
  return {
    point: point.name,
    outcome,
    history: entry.state,
    killMs: crash.killMs,
    pastPointOfNoReturn: crash.record === null ? null : crash.record.pastPointOfNoReturn,
    lastEvent: crash.lastEvent,
  };
}

/**
 * Runs the scenario on a fresh copy in `dir`, kills at `point`, restarts, checks everything
 * (assertions), runs a next transaction, and removes `dir`. Returns the table row.
 */
export async function killAndRecover(scenario: KillScenario, reference: ReferenceRun, point: KillPoint, dir: string): Promise<KillRow> {
  mkdirSync(dir, { recursive: true });
  const sysroot = scenario.prepare(dir);
  const stateDir = join(dir, 'state');
  const listeners = new Set<(e: Received) => void>();
  const events: Received[] = [];
  let tx: string | undefined;
  const first = await daemonOn(dir, sysroot, (e) => {
    events.push(e);
    if (e.method === 'Transaction.Started') tx = e.params.transaction as string;
    for (const l of listeners) l(e);
  });
  let { daemon, client } = first;
  try {
    const watch: TransactionWatch = {
      sysroot,
      stateDir,
      events,
      transaction: () => tx,
      onEvent: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    const crash = await runUntilKilled(first, watch, scenario, point);
    client.close();
    await daemon.stop();

    // The next start recovers (in the background of the start: the record goes when it is done).
    ({ daemon, client } = await daemonOn(dir, sysroot));
    await until(() => !existsSync(join(stateDir, ACTIVE_RECORD)), 15_000, 'the interrupted transaction to be recovered');
    const row = await checkRecovered(client, sysroot, reference, crash, point);

    // No stale lock or leftover stands in the way: the interrupted transaction runs to its end,
    // or after a completed one, a kernel argument change does.
    if (row.outcome === 'old') {
      await client.call(scenario.method, scenario.params);
      assert.deepEqual(deploymentSet(sysroot), reference.newSet);
    } else {
      await client.call('OS.KernelArgs', { append: ['fault-kill-check=1'] });
      const { deployments } = await client.call<{ deployments: Deployment[] }>('Sysroot.GetDeployments');
      assert.ok(deployments[0].kernelArgs.includes('fault-kill-check=1'));
    }
    assert.deepEqual(transactionLeftovers(sysroot), []);
    assertFsckClean(sysroot);
    return row;
  } finally {
    client.close();
    await daemon.stop();
    removeSysroot(dir);
  }
}
