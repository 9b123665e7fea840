import type { ApiSchemas } from '../api-schemas.js';
import { burst } from './burst.js';
import { deepNesting } from './deep-nesting.js';
import { envelopes } from './envelopes.js';
import type { Generator } from './generator.js';
import { hugeValues } from './huge-values.js';
import { randomBytes } from './random-bytes.js';
import { schemaParamsGenerator } from './schema-params.js';
import { truncatedJson } from './truncated-json.js';

/** Every generator, and the schema one's coverage of (method, parameter) pairs. */
export function allGenerators(api: ApiSchemas): { generators: Generator[]; coverage: () => { covered: number; targets: number } } {
  const schema = schemaParamsGenerator(api);
  return {
    generators: [schema, envelopes, randomBytes, truncatedJson, deepNesting, hugeValues, burst],
    coverage: () => ({ covered: schema.covered.size, targets: schema.targets }),
  };
}

/** Picks a generator by weight. */
export function pickGenerator(generators: Generator[], r: number): Generator {
  const total = generators.reduce((s, g) => s + g.weight, 0);
  let x = r * total;
  for (const g of generators) {
    x -= g.weight;
    if (x < 0) return g;
  }
  return generators[generators.length - 1];
}
