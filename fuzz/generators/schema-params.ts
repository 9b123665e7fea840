/**
 * Params for every parameter of every method, generated from the checked-in schemas: a valid
 * base with one field made hostile (wrong type, out of range, pattern broken), a required
 * field left out, an unknown property added, params that are not an object; and valid params
 * for the methods that change nothing. Targets are visited in a shuffled round, so every
 * (method, parameter) pair is hit early; `covered` reports which were.
 */
import type { ApiMethod, ApiSchemas, SchemaNode } from '../api-schemas.js';
import type { Prng } from '../prng.js';
import { callMessage } from '../wire-format.js';
import { json, type GeneratedInput, type Generator, type GeneratorContext } from './generator.js';
import { ANY_VALUES, HOSTILE_STRINGS, invalidValue, validValue } from './schema-values.js';

/** A field of a method's params: its path ('[]' steps into array items) and schema. */
interface Target {
  method: ApiMethod;
  path: string[];
  node: SchemaNode;
}

function fieldsOf(api: ApiSchemas, method: ApiMethod, node: SchemaNode, path: string[] = []): Target[] {
  const n = api.resolve(node);
  const here = path.length === 0 ? [] : [{ method, path, node: n }];
  if (n.type === 'object') return [...here, ...Object.entries(n.properties ?? {}).flatMap(([k, sub]) => fieldsOf(api, method, sub, [...path, k]))];
  if (n.type === 'array' && n.items !== undefined) return [...here, ...fieldsOf(api, method, n.items, [...path, '[]'])];
  return here;
}

/** Sets `value` at `path` in `root`, creating the objects and arrays on the way. */
function setAt(root: Record<string, unknown>, path: string[], value: unknown): void {
  let cur: Record<string, unknown> | unknown[] = root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i] === '[]' ? 0 : path[i];
    const last = i === path.length - 1;
    const container = cur as Record<string | number, unknown>;
    if (last) {
      container[key] = value;
      return;
    }
    const next = container[key];
    if (typeof next !== 'object' || next === null) container[key] = path[i + 1] === '[]' ? [] : {};
    cur = container[key] as Record<string, unknown>;
  }
}

/** An own property (even `__proto__`, which plain assignment would turn into a prototype). */
function addProperty(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true });
}

const EXTRA_KEYS = ['foo', '__proto__', 'constructor', 'prototype', '', ' osname', 'OSNAME', 'toString', 'x'.repeat(300), '\u0000'];

export function schemaParamsGenerator(api: ApiSchemas): Generator & { covered: Set<string>; targets: number } {
  const targets = api.methods.flatMap((m) => fieldsOf(api, m, m.params));
  const covered = new Set<string>();
  let round: Target[] = [];

  const base = (rng: Prng, m: ApiMethod): Record<string, unknown> => (validValue(api, rng, m.params) as Record<string, unknown> | undefined) ?? {};

  const attackField = (ctx: GeneratorContext): [ApiMethod, string, unknown] => {
    if (round.length === 0) round = [...targets].sort(() => ctx.rng.next() - 0.5);
    const t = round.pop() as Target;
    const params = base(ctx.rng, t.method);
    const [variety, value] = invalidValue(api, ctx.rng, t.node);
    setAt(params, t.path, value);
    covered.add(`${t.method.name} ${t.path.join('.')}`);
    return [t.method, variety, params];
  };

  const wholeParams = (ctx: GeneratorContext): [ApiMethod, string, unknown] => {
    const { rng } = ctx;
    const m = rng.pick(api.methods);
    const params = base(rng, m);
    const root = api.resolve(m.params);
    const kind = rng.int(0, 3);
    if (kind === 0 && (root.required ?? []).length > 0) {
      delete params[rng.pick(root.required as string[])];
      return [m, 'missing-required', params];
    }
    if (kind === 1) {
      addProperty(params, rng.pick(EXTRA_KEYS), rng.pick([...ANY_VALUES, ...HOSTILE_STRINGS.slice(0, 3)]));
      return [m, 'extra-property', params];
    }
    if (kind === 2) return [m, 'not-an-object', rng.pick([[], [params], 'params', 0, null, true])];
    // Valid params, for the methods that change nothing; the others get an unknown property.
    if (m.kind === 'transaction') {
      addProperty(params, 'unknownField', true);
      return [m, 'extra-property', params];
    }
    return [m, 'valid-read', params];
  };

  return {
    name: 'schema-params',
    weight: 6,
    covered,
    targets: targets.length,
    generate(ctx): GeneratedInput {
      const [method, variety, params] = ctx.rng.chance(0.6) ? attackField(ctx) : wholeParams(ctx);
      const notification = ctx.rng.chance(0.05);
      const message = callMessage(ctx.framing, method.name, params, {
        ...(notification ? {} : { id: ctx.nextId() }),
        more: ctx.rng.chance(0.2) ? true : undefined,
        oneway: notification ? true : undefined,
      });
      return { messages: [json(message)], variety };
    },
  };
}
