/**
 * Calls of `fn` that overlap share one run: a call made while a run is scheduled and not yet
 * started gets that run's outcome; one made after it started gets a new run (it may need to
 * see what changed meanwhile). Runs start on the next turn of the event loop, so the calls of
 * one batch, or of many clients at once, cost one run.
 */
export function sharedRun<T>(fn: () => T): () => Promise<T> {
  let scheduled: Promise<T> | null = null;
  return () => {
    scheduled ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      scheduled = null;
      return fn();
    });
    return scheduled;
  };
}
