/** The shared tool slots of the read methods and the shared reload. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FairSlots } from '../src/util/fair-slots.js';
import { sharedRun } from '../src/util/shared-run.js';

describe('FairSlots', () => {
  it('runs at most its size at once, and a key that waits behind a long queue of another takes the next turn', async () => {
    const slots = new FairSlots(2);
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const task = (name: string) => async () => {
      running++;
      most = Math.max(most, running);
      order.push(name);
      await new Promise((r) => setTimeout(r, 5));
      running--;
    };
    const flood = Array.from({ length: 10 }, (_, i) => slots.run(1000, task(`user${i}`)));
    const root = slots.run(0, task('root'));
    await Promise.all([...flood, root]);
    assert.equal(most, 2);
    // user0 and user1 took the two slots; uid 1000 waited first and has the first turn (user2),
    // root the next one, before the other seven of uid 1000.
    assert.equal(order.indexOf('root'), 3, order.join(' '));
  });

  it('does not run a task whose caller left while it waited', async () => {
    const slots = new FairSlots(1);
    let release: () => void = () => {};
    const first = slots.run(1, () => new Promise<void>((r) => (release = r)));
    const gone = new AbortController();
    let ran = false;
    const second = slots.run(
      1,
      async () => (ran = true),
      gone.signal,
      () => new Error('gone'),
    );
    gone.abort();
    release();
    await first;
    await assert.rejects(second, /gone/);
    assert.equal(ran, false);
    // The slot is free again.
    assert.equal(await slots.run(1, async () => 'next'), 'next');
  });
});

describe('sharedRun', () => {
  it('calls made before the run starts share it; a call after it started gets a new run', async () => {
    let runs = 0;
    const reload = sharedRun(() => ++runs);
    const same = await Promise.all(Array.from({ length: 100 }, () => reload()));
    assert.deepEqual(new Set(same), new Set([1]));
    assert.equal(await reload(), 2);
    assert.equal(runs, 2);
  });
});
