import { join } from 'node:path';
/**
 * An OperationContext for calling operations in-process in tests: it records every event and
 * every crossing of the point of no return (which resolves at once unless told otherwise).
 */
import type { OperationContext, OperationEvent } from '../../src/worker/operation-context.js';

/** A context that records what the operation did. */
export interface RecordingContext extends OperationContext {
  /** Every event, in emission order. */
  readonly events: OperationEvent[];
  /** Number of times pointOfNoReturn() was called. */
  readonly pointsOfNoReturn: number;
  /** Index into `events` at the (first) point of no return, -1 before it. */
  readonly pointOfNoReturnAt: number;
}

/** Options of {@link recordingContext}. */
export interface RecordingOptions {
  osname?: string;
  transactionId?: string;
  downloadTimeout?: number;
  /** Runs when the point of no return is reached, before it resolves (e.g. to look at the sysroot). */
  onPointOfNoReturn?: () => void | Promise<void>;
}

/** A recording context for `sysroot`. */
export function recordingContext(sysroot: string, opts: RecordingOptions = {}): RecordingContext {
  const events: OperationEvent[] = [];
  let points = 0;
  let at = -1;
  return {
    sysroot,
    osname: opts.osname ?? 'debian',
    transactionId: opts.transactionId ?? 'test',
    config: {
      downloadTimeout: opts.downloadTimeout ?? 300,
      maxConcurrentDownloads: 4,
      disableRecommends: false,
      refreshMdMaxAge: 21600,
      cacheDir: join(sysroot, '..', 'cache'),
      stateDir: join(sysroot, '..', 'state'),
    },
    events,
    get pointsOfNoReturn() {
      return points;
    },
    get pointOfNoReturnAt() {
      return at;
    },
    emit: (event) => {
      events.push(event);
    },
    locked: () => {},
    pointOfNoReturn: async () => {
      points++;
      if (at < 0) at = events.length;
      await opts.onPointOfNoReturn?.();
    },
  };
}

/** Event types in order, e.g. `['Message', 'TaskBegin', ...]`. */
export function eventTypes(events: OperationEvent[]): string[] {
  return events.map((e) => e.type);
}
