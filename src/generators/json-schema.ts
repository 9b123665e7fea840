import type { AnyType, Field } from '../api/schema-builder.js';

/** JSON Schema (draft 2020-12 subset) as plain data. */
export type JsonSchema = Record<string, unknown>;

/** `$id` of a named type's schema; method schemas `$ref` it. */
export function typeSchemaId(name: string): string {
  return `urn:apt-ostree:schema:type:${name}`;
}

/** `$id` of a method's params or result schema. */
export function methodSchemaId(method: string, part: 'params' | 'result'): string {
  return `urn:apt-ostree:schema:method:${method}.${part}`;
}

function withDoc(schema: JsonSchema, doc: string | undefined): JsonSchema {
  return doc === undefined ? schema : { description: doc, ...schema };
}

/**
 * The JSON Schema of a type. Objects are closed (`additionalProperties: false`), so an
 * unknown field is an invalid-params error rather than silently ignored.
 */
export function toJsonSchema(type: AnyType): JsonSchema {
  switch (type.kind) {
    case 'string': {
      const s: JsonSchema = { type: 'string' };
      if (type.pattern !== undefined) s.pattern = type.pattern;
      if (type.minLength !== undefined) s.minLength = type.minLength;
      if (type.maxLength !== undefined) s.maxLength = type.maxLength;
      return withDoc(s, type.doc);
    }
    case 'integer': {
      const s: JsonSchema = { type: 'integer' };
      if (type.minimum !== undefined) s.minimum = type.minimum;
      if (type.maximum !== undefined) s.maximum = type.maximum;
      return withDoc(s, type.doc);
    }
    case 'number':
      return withDoc({ type: 'number' }, type.doc);
    case 'boolean':
      return withDoc({ type: 'boolean' }, type.doc);
    case 'enum':
      return withDoc({ type: 'string', enum: [...type.values] }, type.doc);
    case 'array': {
      const s: JsonSchema = { type: 'array', items: toJsonSchema(type.items) };
      if (type.minItems !== undefined) s.minItems = type.minItems;
      if (type.maxItems !== undefined) s.maxItems = type.maxItems;
      return withDoc(s, type.doc);
    }
    case 'map':
      return withDoc({ type: 'object', additionalProperties: toJsonSchema(type.values) }, type.doc);
    case 'nullable':
      return withDoc({ anyOf: [toJsonSchema(type.inner), { type: 'null' }] }, type.doc);
    case 'ref':
      return withDoc({ $ref: typeSchemaId(type.name) }, type.doc);
    case 'freeObject':
      return withDoc({ type: 'object' }, type.doc);
    case 'object': {
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      for (const [name, field] of Object.entries(type.props)) {
        properties[name] = toJsonSchema(unwrapOptional(field));
        if (field.kind !== 'optional') required.push(name);
      }
      const s: JsonSchema = { type: 'object', properties, additionalProperties: false };
      if (required.length > 0) s.required = required;
      return withDoc(s, type.doc);
    }
  }
}

/** The type inside an optional field (or the field itself). */
export function unwrapOptional(field: Field): AnyType {
  return field.kind === 'optional' ? field.inner : field;
}

/** Every named type reachable from a type, by name (first declaration wins; a clash throws). */
export function collectNamedTypes(type: AnyType, into: Map<string, AnyType>): Map<string, AnyType> {
  switch (type.kind) {
    case 'ref': {
      const known = into.get(type.name);
      if (known !== undefined && known !== type.target) {
        throw new Error(`two different types are named ${type.name}`);
      }
      if (known === undefined) {
        into.set(type.name, type.target);
        collectNamedTypes(type.target, into);
      }
      break;
    }
    case 'array':
      collectNamedTypes(type.items, into);
      break;
    case 'map':
      collectNamedTypes(type.values, into);
      break;
    case 'nullable':
      collectNamedTypes(type.inner, into);
      break;
    case 'object':
      for (const field of Object.values(type.props)) collectNamedTypes(unwrapOptional(field), into);
      break;
    default:
      break;
  }
  return into;
}
