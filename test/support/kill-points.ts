/**
 * Where a fault-injection test kills a daemon in the middle of a transaction: at a
 * notification the transaction sends, when something appears on disk, or some time after it
 * started. A point fires once; the kill itself happens synchronously in the callback that saw
 * it, so the daemon has as little time as possible to move on.
 */
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Received } from './event-client.js';

/** The part of the daemon's active-transaction.json these tests read. */
export interface ActiveRecordView {
  pastPointOfNoReturn: boolean;
}

/** What a point may look at while the transaction runs. */
export interface TransactionWatch {
  sysroot: string;
  stateDir: string;
  /** Every notification received so far, in order. */
  events: Received[];
  /** The transaction's id, once its Started notification arrived. */
  transaction(): string | undefined;
  /** Registers a listener called on each notification; returns its removal. */
  onEvent(listener: (e: Received) => void): () => void;
}

/**
 * What the deployment set must be after a kill at this point: `old` (nothing changed), `new`
 * (the transaction's deployments) or `either` (the transaction was between its point of no
 * return and its end; the daemon's record at the kill says which may be true).
 */
export type Expected = 'old' | 'new' | 'either';

export interface KillPoint {
  name: string;
  expect: Expected;
  /** Starts watching; calls `fire` once the point is reached. Returns a function that stops watching. */
  arm(watch: TransactionWatch, fire: () => void): () => void;
}

/** Event type without `Transaction.` and its text, e.g. `TaskBegin Receiving objects`. */
export function describeEvent(e: Received): string {
  const type = e.method.replace(/^Transaction\./, '');
  return typeof e.params.text === 'string' ? `${type} ${e.params.text}` : type;
}

/** Fires at the first notification that `matches`. */
export function atEvent(name: string, expect: Expected, matches: (e: Received) => boolean): KillPoint {
  return {
    name,
    expect,
    arm: (watch, fire) =>
      watch.onEvent((e) => {
        if (matches(e)) fire();
      }),
  };
}

/** Fires at the first notification whose description (see {@link describeEvent}) starts with `prefix`. */
export function atEventText(expect: Expected, prefix: string): KillPoint {
  return atEvent(prefix, expect, (e) => describeEvent(e).startsWith(prefix));
}

/** Polling period of {@link whenOnDisk}: short, the checks are a stat or a small read. */
const POLL_MS = 1;

/**
 * Fires once a condition on disk holds, checked every millisecond after Started. `condition`
 * is called when the point is armed, before the transaction starts (to note what was there),
 * and returns the check.
 */
export function whenOnDisk(name: string, expect: Expected, condition: (watch: TransactionWatch) => (tx: string) => boolean): KillPoint {
  return {
    name,
    expect,
    arm(watch, fire) {
      const holds = condition(watch);
      let timer: NodeJS.Timeout | undefined;
      const poll = (): void => {
        const tx = watch.transaction();
        if (tx !== undefined && holds(tx)) fire();
        else timer = setTimeout(poll, POLL_MS);
      };
      poll();
      return () => clearTimeout(timer);
    },
  };
}

/**
 * Fires `ms()` (read when armed) after the Started notification, or at Finished if that comes
 * first (a run faster than the one the time was taken from).
 */
export function afterStart(name: string, expect: Expected, ms: () => number): KillPoint {
  return {
    name,
    expect,
    arm(watch, fire) {
      const delay = ms();
      let timer: NodeJS.Timeout | undefined;
      const stop = watch.onEvent((e) => {
        if (e.method === 'Transaction.Started') timer = setTimeout(fire, delay);
        if (e.method === 'Transaction.Finished') fire();
      });
      return () => {
        stop();
        clearTimeout(timer);
      };
    },
  };
}

/** Names of the deployment directories of every stateroot. */
function deploymentDirs(sysroot: string): string[] {
  const root = join(sysroot, 'ostree', 'deploy');
  return readdirSync(root).flatMap((os) => readdirSync(join(root, os, 'deploy')).filter((e) => !e.endsWith('.origin')));
}

/** Points every transaction that deploys has, seen on disk. */
export const DEPLOY_POINTS_ON_DISK: KillPoint[] = [
  whenOnDisk('a new deployment directory appears', 'either', (w) => {
    const before = new Set(deploymentDirs(w.sysroot));
    return () => deploymentDirs(w.sysroot).some((d) => !before.has(d));
  }),
  whenOnDisk('the daemon records the point of no return', 'either', (w) => () => {
    try {
      return (JSON.parse(readFileSync(join(w.stateDir, 'active-transaction.json'), 'utf8')) as ActiveRecordView).pastPointOfNoReturn === true;
    } catch {
      return false; // not there, or being replaced
    }
  }),
  whenOnDisk('the boot loader entries switch', 'new', (w) => {
    const loader = join(w.sysroot, 'boot', 'loader');
    const before = readlinkSync(loader);
    return () => readlinkSync(loader) !== before;
  }),
];

/** `<repo>/tmp/apt-ostree-<tx>-<suffix>` appears (a layering's scratch dir, its checkout). */
export function scratchAppears(name: string, expect: Expected, suffix: string): KillPoint {
  return whenOnDisk(name, expect, (w) => (tx) => existsSync(join(w.sysroot, 'ostree', 'repo', 'tmp', `apt-ostree-${tx}-${suffix}`)));
}
