/**
 * Many requests in one write (pipelining past the per-connection in-flight limit): reads with
 * valid params and refused transaction calls, mixed; each must be answered.
 */
import { callMessage } from '../wire-format.js';
import { json, type Generator } from './generator.js';
import { validValue } from './schema-values.js';

export const burst: Generator = {
  name: 'burst',
  weight: 1,
  generate(ctx) {
    const { rng, api } = ctx;
    const cheap = api.methods.filter((m) => m.kind !== 'transaction' && !/Search|WhatProvides|GetPackages/.test(m.name));
    const n = rng.int(2, 100);
    const messages = Array.from({ length: n }, () => {
      if (rng.chance(0.3)) {
        const m = rng.pick(api.methods.filter((x) => x.kind === 'transaction'));
        return json(callMessage(ctx.framing, m.name, { notAParameter: rng.next() }, { id: ctx.nextId() }));
      }
      const m = rng.pick(cheap);
      return json(callMessage(ctx.framing, m.name, validValue(api, rng, m.params) ?? {}, { id: ctx.nextId() }));
    });
    return { messages, variety: `${ctx.framing}` };
  },
};
