/**
 * At most `size` tasks at once, shared by every caller; waiting tasks are started in turn per
 * key (round-robin over the keys that wait, first come first served within a key), so one key
 * that queues hundreds does not make another wait behind all of them.
 */
export class FairSlots {
  private running = 0;
  /** Waiting starts per key, in the order keys first waited. */
  private readonly waiting = new Map<number, (() => void)[]>();

  constructor(readonly size: number) {}

  /**
   * Runs `task` once a slot is free; when `signal` was aborted meanwhile (the caller is gone),
   * the task is not run and `gone()` is thrown instead.
   */
  async run<T>(key: number, task: () => Promise<T>, signal?: AbortSignal, gone: () => Error = () => new Error('caller gone')): Promise<T> {
    if (this.running >= this.size) {
      await new Promise<void>((start) => {
        const queue = this.waiting.get(key);
        if (queue === undefined) this.waiting.set(key, [start]);
        else queue.push(start);
      });
    } else this.running++;
    try {
      if (signal?.aborted === true) throw gone();
      return await task();
    } finally {
      this.next();
    }
  }

  /** Hands the freed slot to the first waiting key, which then goes to the back of the turn. */
  private next(): void {
    const first = this.waiting.entries().next();
    if (first.done === true) {
      this.running--;
      return;
    }
    const [key, queue] = first.value;
    const start = queue.shift() as () => void;
    this.waiting.delete(key);
    if (queue.length > 0) this.waiting.set(key, queue);
    start();
  }
}
