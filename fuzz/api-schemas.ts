/**
 * The API as the checked-in JSON Schemas describe it (schema/index.json and the files it
 * names): every method, its kind, its params schema and an ajv validator compiled here, apart
 * from the daemon's precompiled ones, so the fuzzer judges params independently.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { VARLINK_PREFIX } from '../src/api/varlink-idl.js';
import { REPO_ROOT } from '../test/support/repo-root.js';

/** A JSON Schema node, as far as the fuzzer reads it. */
export interface SchemaNode {
  $ref?: string;
  type?: 'object' | 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'null';
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
}

export interface ApiMethod {
  /** JSON-RPC name, `OS.Upgrade`. */
  name: string;
  /** Varlink name, `org.projectatomic.aptostree1.OS.Upgrade`. */
  varlinkName: string;
  kind: 'read' | 'transaction' | 'control';
  params: SchemaNode;
  /** Whether `params` (already absent → {}) is valid per the checked-in schema. */
  valid(params: unknown): boolean;
}

export interface ApiSchemas {
  methods: ApiMethod[];
  /** The method of a JSON-RPC or Varlink name, if the API has one. */
  byWireName(name: string): ApiMethod | undefined;
  /** Follows `$ref`s to the node they name. */
  resolve(node: SchemaNode): SchemaNode;
}

const SCHEMA_DIR = join(REPO_ROOT, 'schema');

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Loads schema/ and compiles a params validator per method. */
export function loadApiSchemas(): ApiSchemas {
  const ajv = new Ajv.default({ allErrors: false, strict: false });
  const byId = new Map<string, SchemaNode>();
  for (const sub of ['types', 'methods']) {
    for (const file of readdirSync(join(SCHEMA_DIR, sub))) {
      const schema = readJson(join(SCHEMA_DIR, sub, file)) as SchemaNode & { $id: string };
      byId.set(schema.$id, schema);
      ajv.addSchema(schema);
    }
  }
  const index = readJson(join(SCHEMA_DIR, 'index.json')) as { methods: { name: string; kind: ApiMethod['kind']; params: string }[] };
  const methods = index.methods.map((m): ApiMethod => {
    const params = readJson(join(SCHEMA_DIR, m.params)) as SchemaNode & { $id: string };
    const validate = ajv.getSchema(params.$id);
    if (validate === undefined) throw new Error(`schema ${params.$id} did not compile`);
    return { name: m.name, varlinkName: `${VARLINK_PREFIX}.${m.name}`, kind: m.kind, params, valid: (p) => validate(p) === true };
  });
  const wire = new Map<string, ApiMethod>();
  for (const m of methods) {
    wire.set(m.name, m);
    wire.set(m.varlinkName, m);
  }
  const resolve = (node: SchemaNode): SchemaNode => {
    if (node.$ref === undefined) return node;
    const target = byId.get(node.$ref);
    if (target === undefined) throw new Error(`unknown $ref ${node.$ref}`);
    return resolve(target);
  };
  return { methods, byWireName: (name) => wire.get(name), resolve };
}
