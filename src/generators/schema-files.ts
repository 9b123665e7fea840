import { ERROR_TABLE, errorFullName } from '../api/errors.js';
import { METHODS } from '../api/method-table.js';
import { ApiErrorInfoRef, TransactionRef } from '../api/types/transaction.js';
import { DeploymentRef } from '../api/types/deployment.js';
import { TransactionEventRef } from '../api/types/transaction-event.js';
import type { AnyType } from '../api/schema-builder.js';
import { collectNamedTypes, methodSchemaId, toJsonSchema, typeSchemaId, type JsonSchema } from './json-schema.js';

/** Types that belong in schema/ even if no method returns them directly (events travel as notifications). */
const SHARED_TYPES = [DeploymentRef, TransactionRef, TransactionEventRef, ApiErrorInfoRef];

/** Every named type of the API: the shared ones and all that methods reference. */
export function namedTypes(): Map<string, AnyType> {
  const types = new Map<string, AnyType>();
  for (const ref of SHARED_TYPES) collectNamedTypes(ref, types);
  for (const m of METHODS) {
    collectNamedTypes(m.params, types);
    collectNamedTypes(m.result, types);
  }
  return new Map([...types.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** One JSON Schema document per named type and per method params/result, keyed by `$id`. */
export function schemaDocuments(): Map<string, { file: string; schema: JsonSchema }> {
  const docs = new Map<string, { file: string; schema: JsonSchema }>();
  for (const [name, type] of namedTypes()) {
    const id = typeSchemaId(name);
    docs.set(id, { file: `schema/types/${name}.json`, schema: { $id: id, title: name, ...toJsonSchema(type) } });
  }
  for (const m of METHODS) {
    for (const part of ['params', 'result'] as const) {
      const id = methodSchemaId(m.name, part);
      const schema = { $id: id, title: `${m.name} ${part}`, ...toJsonSchema(m[part]) };
      docs.set(id, { file: `schema/methods/${m.name}.${part}.json`, schema });
    }
  }
  return docs;
}

/** The method table and error table as one index document, for readers of schema/. */
export function indexDocument(): JsonSchema {
  return {
    methods: METHODS.map((m) => ({
      name: m.name,
      kind: m.kind,
      doc: m.doc,
      action: m.action === null ? null : `org.projectatomic.aptostree.${m.action}`,
      actionDependsOnParams: m.selectAction !== undefined,
      errors: [...m.errors],
      params: `methods/${m.name}.params.json`,
      result: `methods/${m.name}.result.json`,
    })),
    errors: Object.entries(ERROR_TABLE).map(([name, e]) => ({
      name,
      code: e.code,
      dbusName: errorFullName(name as keyof typeof ERROR_TABLE),
      doc: e.doc,
    })),
  };
}

/** Text of a JSON file as written to disk. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
