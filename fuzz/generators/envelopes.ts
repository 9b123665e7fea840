/**
 * Envelopes that are wrong in every way the protocols allow to be wrong: JSON-RPC version,
 * method and id of the wrong type, params that are not a structure, notifications, batches
 * (empty, nested, mixed, all notifications), duplicate and prototype keys; Varlink flags of the
 * wrong type, `oneway`, `upgrade`, malformed names, unknown interfaces, `org.varlink.service`.
 */
import { VARLINK_PREFIX } from '../../src/api/varlink-idl.js';
import { json, type GeneratedInput, type Generator, type GeneratorContext } from './generator.js';
import { ANY_VALUES, HOSTILE_STRINGS } from './schema-values.js';

function methodName(ctx: GeneratorContext): unknown {
  const { rng } = ctx;
  const real = rng.pick(ctx.api.methods).name;
  return rng.pick([
    real,
    real.toLowerCase(),
    `${real}.`,
    `.${real}`,
    'OS.',
    'Sysroot',
    'rpc.discover',
    'Nope.Nope',
    '',
    ' Sysroot.GetOS',
    ...HOSTILE_STRINGS.slice(0, 8),
    ...ANY_VALUES,
  ]);
}

function jsonRpcEnvelope(ctx: GeneratorContext): GeneratedInput {
  const { rng } = ctx;
  const m: Record<string, unknown> = {};
  if (rng.chance(0.9)) m.jsonrpc = rng.chance(0.7) ? '2.0' : rng.pick(['1.0', '2', 2, 2.0, null, '', '2.0 ']);
  m.method = rng.chance(0.5) ? rng.pick(ctx.api.methods).name : methodName(ctx);
  if (rng.chance(0.8)) m.id = rng.chance(0.5) ? ctx.nextId() : rng.pick([...ANY_VALUES, 'id', -0, Infinity, '1'.repeat(400)]);
  if (rng.chance(0.5)) m.params = rng.pick([{}, ...ANY_VALUES]);
  const one = () => jsonRpcEnvelopeText(ctx, m);
  switch (rng.int(0, 4)) {
    case 0: {
      // A batch: requests, notifications and non-objects mixed.
      const members = Array.from({ length: rng.logInt(40) }, () =>
        rng.pick([
          JSON.stringify({ jsonrpc: '2.0', id: ctx.nextId(), method: 'Sysroot.GetOS' }),
          JSON.stringify({ jsonrpc: '2.0', method: 'Sysroot.GetOS' }),
          '1',
          '[]',
          '"x"',
          'null',
          one(),
        ]),
      );
      return { messages: [Buffer.from(`[${members.join(',')}]`)], variety: 'batch' };
    }
    case 1:
      return {
        messages: [Buffer.from(rng.pick(['[]', '[[]]', '{}', '[{}]', '0', '"x"', 'null', 'true', '  ', '\t\r', '\u00a0', '\ufeff{}']))],
        variety: 'odd-message',
      };
    case 2: {
      // Duplicate keys: the last one counts.
      const id = ctx.nextId();
      return {
        messages: [Buffer.from(`{"jsonrpc":"2.0","id":"dup","id":${id},"method":"Nope","method":"Sysroot.GetOS","params":[],"params":{}}`)],
        variety: 'duplicate-keys',
      };
    }
    case 3:
      return {
        messages: [Buffer.from(`{"jsonrpc":"2.0","id":${ctx.nextId()},"method":"Sysroot.GetOS","__proto__":{"params":{"name":"x"}},"constructor":1}`)],
        variety: 'prototype-keys',
      };
    default:
      return { messages: [Buffer.from(one())], variety: 'envelope' };
  }
}

function jsonRpcEnvelopeText(ctx: GeneratorContext, m: Record<string, unknown>): string {
  return JSON.stringify(m) ?? `{"id":${ctx.nextId()}}`;
}

function varlinkEnvelope(ctx: GeneratorContext): GeneratedInput {
  const { rng } = ctx;
  const api = rng.pick(ctx.api.methods);
  const m: Record<string, unknown> = {};
  const kind = rng.int(0, 5);
  if (kind === 0) {
    m.method = rng.pick(['org.varlink.service.GetInfo', 'org.varlink.service.GetInterfaceDescription', 'org.varlink.service.Nope']);
    if (rng.chance(0.7)) m.parameters = rng.pick([{}, { interface: rng.pick([`${VARLINK_PREFIX}.OS`, 'org.varlink.service', 'x', '', 1, null]) }]);
  } else if (kind === 1) {
    m.method = rng.pick([
      api.varlinkName,
      api.name,
      `${VARLINK_PREFIX}.Nope.GetOS`,
      `${VARLINK_PREFIX}.OS.nope`,
      `${VARLINK_PREFIX}.OS.`,
      'nodot',
      'a..B',
      '-a.B',
      ...ANY_VALUES,
    ]);
    m.parameters = {};
  } else {
    m.method = api.varlinkName;
    if (rng.chance(0.6)) m.parameters = rng.pick([{}, ...ANY_VALUES]);
  }
  for (const flag of ['more', 'oneway', 'upgrade']) if (rng.chance(kind === 2 ? 0.5 : 0.1)) m[flag] = rng.chance(0.7) ? rng.chance(0.5) : rng.pick(ANY_VALUES);
  if (kind === 3) m[rng.pick(['id', 'jsonrpc', 'params', 'error', 'continues'])] = rng.pick(ANY_VALUES);
  if (kind === 4)
    return { messages: [Buffer.from(rng.pick(['{}', '[]', 'null', '1', '""', `[${JSON.stringify(m)}]`, ' ', '\u00a0']))], variety: 'odd-message' };
  // A oneway call gets no reply; the probe that follows shows the connection still works.
  return { messages: [json(m)], variety: kind === 0 ? 'service' : kind === 1 ? 'method-name' : kind === 2 ? 'flags' : 'extra-keys' };
}

export const envelopes: Generator = {
  name: 'envelopes',
  weight: 3,
  generate: (ctx) => (ctx.framing === 'jsonrpc' ? jsonRpcEnvelope(ctx) : varlinkEnvelope(ctx)),
};
