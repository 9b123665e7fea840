/**
 * Requests cut short, and "half a message then another": the start of one request followed by
 * a whole one, on one line.
 */
import { callMessage } from '../wire-format.js';
import type { Generator, GeneratorContext } from './generator.js';

function someRequest(ctx: GeneratorContext): string {
  const m = ctx.rng.pick(ctx.api.methods);
  return JSON.stringify(callMessage(ctx.framing, m.name, ctx.rng.chance(0.5) ? { bogus: [1, { a: 'b' }] } : {}, { id: ctx.nextId() }));
}

export const truncatedJson: Generator = {
  name: 'truncated-json',
  weight: 2,
  generate(ctx) {
    const text = someRequest(ctx);
    const cut = text.slice(0, ctx.rng.int(1, text.length - 1));
    if (ctx.rng.chance(0.5)) return { messages: [Buffer.from(cut)], variety: 'truncated' };
    return { messages: [Buffer.from(cut + someRequest(ctx))], variety: 'spliced' };
  },
};
