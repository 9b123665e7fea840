/** Deeply nested arrays and objects: as the whole message, in params, in the id; closed or not. */
import { callMessage } from '../wire-format.js';
import type { Generator } from './generator.js';

export const deepNesting: Generator = {
  name: 'deep-nesting',
  weight: 1,
  generate(ctx) {
    const { rng } = ctx;
    const depth = rng.logInt(150_000);
    const objects = rng.chance(0.5);
    const open = objects ? '{"a":'.repeat(depth) : '['.repeat(depth);
    const close = rng.chance(0.8) ? (objects ? '}' : ']').repeat(depth) : '';
    const nested = `${open}1${close}`;
    const where = rng.int(0, 2);
    if (where === 0) return { messages: [Buffer.from(nested)], variety: 'message' };
    const m = rng.pick(ctx.api.methods);
    // A placeholder swapped for the nested text: building the value itself would nest JSON.stringify.
    const envelope = JSON.stringify(callMessage(ctx.framing, m.name, where === 1 ? { x: 0 } : {}, { id: ctx.nextId() }));
    let text: string;
    if (where === 1) text = envelope.replace('{"x":0}', `{"x":${nested}}`);
    else if (ctx.framing === 'jsonrpc') text = envelope.replace(/"id":\d+/, `"id":${nested}`);
    else text = `${envelope.slice(0, -1)},"more":${nested}}`;
    return { messages: [Buffer.from(text)], variety: where === 1 ? 'params' : 'envelope' };
  },
};
