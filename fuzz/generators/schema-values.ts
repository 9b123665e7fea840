/**
 * Values for a JSON Schema node: valid ones (to fill the fields a case does not attack, and
 * to call read methods correctly) and hostile ones (wrong type, out of range, breaking the
 * pattern). Strings for a pattern are picked from a pool of candidates by testing them against
 * the pattern itself, so no per-type list has to follow the schemas.
 */
import type { ApiSchemas, SchemaNode } from '../api-schemas.js';
import type { Prng } from '../prng.js';

/** Candidate strings; each pattern takes those it matches. */
const CANDIDATES = [
  '',
  'hello',
  'jq',
  'debian',
  'quiet',
  'root=UUID=1 quiet',
  '--add=foo',
  'test-client',
  '12.2',
  'origin:debian/bookworm/x86_64',
  'debian/bookworm/x86_64',
  'a'.repeat(64),
  `debian-${'a'.repeat(64)}.0`,
  '00000000-0000-4000-8000-000000000000',
  'hello=2.10-3',
  'hello:amd64',
  'base',
  'none',
];

/** Strings that break most syntaxes: options, shell, traversal, controls, odd Unicode. */
export const HOSTILE_STRINGS = [
  '-oAPT::Get::Foo=1',
  '--root=/',
  '$(touch /tmp/pwned)',
  '`id`',
  '../../etc/shadow',
  '/etc/passwd',
  'a\nb',
  'x\u0000y',
  ' leading',
  'trailing ',
  'pkg;rm -rf /',
  '\u202e\u0301',
  '\ud800',
  '\udfff\ud800',
  '💥',
  '%s%n%x',
  '\\',
  '"',
  'A'.repeat(10_000),
];

/** JSON values of every type, for wrong-type cases. */
export const ANY_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, '', 'x', [], [null], {}, { a: 1 }, [[[]]]];

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

function matches(node: SchemaNode, s: string): boolean {
  if (node.enum !== undefined) return node.enum.includes(s);
  if (node.pattern !== undefined && !new RegExp(node.pattern, 'u').test(s)) return false;
  return [...s].length <= (node.maxLength ?? Infinity) && [...s].length >= (node.minLength ?? 0);
}

/** A valid value for `node`, or undefined when none is known (a pattern no candidate matches). */
export function validValue(api: ApiSchemas, rng: Prng, raw: SchemaNode): unknown {
  const node = api.resolve(raw);
  if (node.enum !== undefined) return rng.pick(node.enum);
  switch (node.type) {
    case 'string': {
      const fits = CANDIDATES.filter((s) => matches(node, s));
      return fits.length === 0 ? undefined : rng.pick(fits);
    }
    case 'boolean':
      return rng.chance(0.5);
    case 'integer':
      return rng.int(node.minimum ?? -1000, Math.min(node.maximum ?? 1000, (node.minimum ?? 0) + 1000));
    case 'number':
      return rng.next() * 100;
    case 'array': {
      // Small: valid package queries each run apt-cache.
      const n = rng.int(node.minItems ?? 0, Math.min(node.maxItems ?? 3, (node.minItems ?? 0) + 2));
      const items = Array.from({ length: n }, () => validValue(api, rng, node.items ?? {}));
      return items.some((i) => i === undefined) ? undefined : items;
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, sub] of Object.entries(node.properties ?? {})) {
        if (!(node.required ?? []).includes(k) && rng.chance(0.6)) continue;
        const v = validValue(api, rng, sub);
        if (v === undefined) return undefined;
        out[k] = v;
      }
      return out;
    }
    default:
      return null;
  }
}

/** Ways to make a value of `node` invalid: each returns [variety, value]. */
export function invalidValue(api: ApiSchemas, rng: Prng, raw: SchemaNode): [string, unknown] {
  const node = api.resolve(raw);
  const wrongType = (): [string, unknown] => [
    'wrong-type',
    rng.pick(ANY_VALUES.filter((v) => typeOf(v) !== node.type && !(node.type === 'number' && typeof v === 'number'))),
  ];
  if (rng.chance(0.3)) return wrongType();
  if (node.enum !== undefined) return ['out-of-range', rng.pick(['', 'NONE', `${String(node.enum[0])} `, ...HOSTILE_STRINGS])];
  switch (node.type) {
    case 'string': {
      const long = (node.maxLength ?? 4096) + rng.int(1, 64);
      return ['out-of-range', rng.pick([...HOSTILE_STRINGS, 'a'.repeat(long), 'é'.repeat(long), ''])];
    }
    case 'integer':
      return ['out-of-range', rng.pick([(node.minimum ?? 0) - 1, (node.maximum ?? 2 ** 31) + 1, 0.5, -0.5, 1e21, -(2 ** 63), 2 ** 53 + 2])];
    case 'array': {
      if (rng.chance(0.4)) {
        const [, bad] = invalidValue(api, rng, node.items ?? {});
        return ['out-of-range', [bad]];
      }
      const max = node.maxItems ?? 256;
      const valid = validValue(api, rng, node.items ?? {}) ?? 'x';
      return ['out-of-range', node.minItems !== undefined && rng.chance(0.3) ? [] : Array.from({ length: max + rng.int(1, 10) }, () => valid)];
    }
    default:
      return wrongType();
  }
}
