/**
 * Huge strings, arrays, objects, numbers and batches, up to just over the 1 MiB message limit
 * (over it, the daemon must refuse the message and close the connection).
 */
import { MAX_MESSAGE_BYTES } from '../oracle.js';
import { callMessage } from '../wire-format.js';
import type { Generator } from './generator.js';

export const hugeValues: Generator = {
  name: 'huge-values',
  weight: 1,
  generate(ctx) {
    const { rng } = ctx;
    const m = rng.pick(ctx.api.methods);
    // Around the limit (below, at, just over it), large, or of any size.
    const r = rng.next();
    const size =
      r < 0.15
        ? MAX_MESSAGE_BYTES + rng.int(-64, 4096)
        : r < 0.5
          ? rng.int(MAX_MESSAGE_BYTES / 4, MAX_MESSAGE_BYTES - 200)
          : rng.logInt(MAX_MESSAGE_BYTES - 200);
    // Array parameters most often: each item is checked, and each bad item is one more error.
    const props = Object.entries(ctx.api.resolve(m.params).properties ?? {});
    const arrays = props.filter(([, p]) => ctx.api.resolve(p).type === 'array').map(([k]) => k);
    const field = arrays.length > 0 && rng.chance(0.7) ? rng.pick(arrays) : rng.pick(props.map(([k]) => k).concat(['x']));
    const call = (params: unknown, id: unknown = ctx.nextId()) => JSON.stringify(callMessage(ctx.framing, m.name, params, { id }));
    switch (rng.int(0, 5)) {
      case 0:
        return { messages: [Buffer.from(call({ [field]: 'A'.repeat(size) }))], variety: 'string' };
      case 1: {
        // Items valid or not for the field: every invalid item is one more validation error.
        const item = rng.pick(['ab', 5, null, '-x', {}, []]);
        const n = Math.floor(size / (JSON.stringify(item).length + 1));
        return { messages: [Buffer.from(call({ [field]: new Array(n).fill(item) }))], variety: 'array' };
      }
      case 2: {
        const keys = Math.floor(size / 12);
        return { messages: [Buffer.from(call(Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, i]))))], variety: 'object' };
      }
      case 3:
        return { messages: [Buffer.from(call({ [field]: 0 }).replace(/:0\}/, `:${'9'.repeat(Math.max(1, size))}}`))], variety: 'number' };
      case 4:
        return { messages: [Buffer.from(call({}, 'I'.repeat(size)))], variety: 'id' };
      default: {
        // A batch of many small requests (JSON-RPC's way to ask a lot in one message).
        const n = Math.min(rng.logInt(5000), Math.floor(size / 60) + 1);
        const one = () => callMessage('jsonrpc', rng.pick(['Sysroot.GetOS', 'Transaction.List', 'OS.Nope']), {}, { id: ctx.nextId() });
        return { messages: [Buffer.from(JSON.stringify(Array.from({ length: n }, one)))], variety: 'batch' };
      }
    }
  },
};
