/**
 * docs/api.md, generated from the method table: every method with its kind, doc, params,
 * result, polkit action and errors, then the named types and the error table. Checked in;
 * the drift test fails when it no longer matches `npm run generate`'s output.
 */
import { ERROR_TABLE, errorFullName, type ErrorName } from '../api/errors.js';
import type { InterfaceName } from '../api/method.js';
import { METHODS, type AnyMethod } from '../api/method-table.js';
import { actionId } from '../api/polkit-actions.js';
import type { AnyType, Field } from '../api/schema-builder.js';
import { unwrapOptional } from './json-schema.js';
import { namedTypes } from './schema-files.js';

const INTERFACES: readonly InterfaceName[] = ['Sysroot', 'OS', 'Transaction'];

const KIND_TEXT = {
  read: 'read — answers at once',
  transaction: 'transaction — queued, run by the worker, streams progress',
  control: 'control — acts on the daemon itself',
} as const;

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

/** Text safe inside a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A type in one line: named types link to their section. */
function typeText(type: AnyType): string {
  switch (type.kind) {
    case 'string':
      return type.maxLength === undefined ? 'string' : `string (≤ ${type.maxLength})`;
    case 'integer': {
      const range = type.minimum !== undefined || type.maximum !== undefined ? ` (${type.minimum ?? ''}..${type.maximum ?? ''})` : '';
      return `integer${range}`;
    }
    case 'number':
    case 'boolean':
      return type.kind;
    case 'enum':
      return type.values.map((v) => `\`${v}\``).join(' | ');
    case 'array': {
      const bound = type.maxItems === undefined ? '' : ` (≤ ${type.maxItems})`;
      return `array of ${typeText(type.items)}${bound}`;
    }
    case 'map':
      return `map of string to ${typeText(type.values)}`;
    case 'nullable':
      return `${typeText(type.inner)} or null`;
    case 'ref':
      return `[${type.name}](#${anchor(type.name)})`;
    case 'freeObject':
      return 'object (any fields)';
    case 'object':
      return 'object';
  }
}

/** The description of a field: its own doc, else the doc of the named type it refers to. */
function docOf(type: AnyType): string {
  if (type.doc !== undefined) return type.doc;
  if (type.kind === 'ref') return docOf(type.target);
  if (type.kind === 'nullable') return docOf(type.inner);
  if (type.kind === 'array') {
    const each = docOf(type.items);
    return each === '' ? '' : `Each: ${each.charAt(0).toLowerCase()}${each.slice(1)}`;
  }
  return '';
}

/** Table rows for the fields of an object; anonymous nested objects are flattened (`a.b`, `a[].b`). */
function fieldRows(props: Record<string, Field>, prefix = ''): string[] {
  return Object.entries(props).flatMap(([name, field]) => {
    const type = unwrapOptional(field);
    const path = `${prefix}${name}`;
    const row = `| \`${path}\` | ${cell(typeText(type))} | ${field.kind === 'optional' ? 'no' : 'yes'} | ${cell(docOf(type))} |`;
    const inner = type.kind === 'nullable' ? type.inner : type;
    if (inner.kind === 'object') return [row, ...fieldRows(inner.props, `${path}.`)];
    if (inner.kind === 'array' && inner.items.kind === 'object') return [row, ...fieldRows(inner.items.props, `${path}[].`)];
    return [row];
  });
}

function fieldTable(props: Record<string, Field>): string {
  return ['| Field | Type | Required | Description |', '|---|---|---|---|', ...fieldRows(props)].join('\n');
}

/** An object as a table of its fields, anything else as one line. */
function typeBlock(type: AnyType, empty: string): string {
  if (type.kind === 'object') return Object.keys(type.props).length === 0 ? empty : fieldTable(type.props);
  const doc = docOf(type);
  return `${typeText(type)}${doc === '' ? '' : ` — ${doc}`}`;
}

function authorization(m: AnyMethod): string {
  if (m.selectAction !== undefined) {
    return 'the action of its most far-reaching modifier: `rebase`, `deploy`, `install-uninstall-packages` or `upgrade` (prefix `org.projectatomic.aptostree.`)';
  }
  if (m.action === null) return 'none: open to every user';
  const own = m.name === 'Transaction.Cancel' ? ' (not needed to cancel a transaction you started)' : '';
  return `\`${actionId(m.action)}\`${own}`;
}

function errorList(names: readonly ErrorName[]): string {
  return names.length === 0 ? 'none of its own' : names.map((e) => `[\`${e}\`](#${anchor(e)}) (${ERROR_TABLE[e].code})`).join(', ');
}

function methodSection(m: AnyMethod): string {
  return `### ${m.name}

${m.doc}

- Kind: ${KIND_TEXT[m.kind]}
- polkit action (non-root callers): ${authorization(m)}
- Errors: ${errorList(m.errors)}

Params:

${typeBlock(m.params, 'none (an empty object, or no `params`).')}

Result:

${typeBlock(m.result, 'an empty object.')}
`;
}

function typeSection(name: string, type: AnyType): string {
  const lines = [`### ${name}`, ''];
  if (type.doc !== undefined && type.kind === 'object') lines.push(type.doc, '');
  lines.push(typeBlock(type, 'An object with no fields.'));
  if (type.kind === 'string' && type.pattern !== undefined) lines.push('', `Pattern: \`${type.pattern}\``);
  return lines.join('\n') + '\n';
}

export function apiDoc(): string {
  const contents = INTERFACES.map((iface) => {
    const names = METHODS.filter((m) => m.name.startsWith(`${iface}.`)).map((m) => `[${m.name}](#${anchor(m.name)})`);
    return `- ${iface}: ${names.join(', ')}`;
  }).join('\n');
  const sections = INTERFACES.map(
    (iface) =>
      `## ${iface} methods\n\n${METHODS.filter((m) => m.name.startsWith(`${iface}.`))
        .map(methodSection)
        .join('\n')}`,
  ).join('\n');
  const types = [...namedTypes()].map(([name, type]) => typeSection(name, type)).join('\n');
  const errors = Object.entries(ERROR_TABLE)
    .map(([name, e]) => `| <a id="${anchor(name)}"></a>\`${name}\` | ${e.code} | \`${errorFullName(name as ErrorName)}\` | ${cell(e.doc)} |`)
    .join('\n');
  return `<!-- Generated by \`npm run generate\` from src/api/method-table.ts; do not edit. -->
# The API

Every method the daemon serves, generated from the method table (\`src/api/method-table.ts\`),
the one place a method is declared. The same methods are reachable over JSON-RPC 2.0 (one JSON
text per line on the socket: \`{"jsonrpc":"2.0","id":1,"method":"OS.Upgrade","params":{...}}\`),
over Varlink (interfaces \`org.projectatomic.aptostree1.Sysroot\`, \`.OS\`, \`.Transaction\`)
and over the D-Bus shim (\`org.projectatomic.aptostree1\`); [operating.md](operating.md) says how
to reach each. The JSON Schemas of every params and result object are in \`schema/\`.

- Params are always an object, by name; every params object is closed: an unknown field
  answers \`-32602\` with the validation problems (the first 50) in \`error.data.errors\`.
- Batches and notifications work as the JSON-RPC 2.0 specification says; many requests may
  be in flight on one connection (answers come as they complete, matched by \`id\`); a client
  that half-closes (socat at the end of its input) still gets its replies. A message over
  1 MiB answers \`MessageTooLarge\` and closes the connection.
- Every call runs validate → precheck → authorize → act. Root needs no polkit action.
- A deployment's \`id\` is \`<osname>-<checksum>.<serial>\`; changes made outside the daemon
  (\`ostree admin deploy\` by hand) show on the next call.
- A transaction method answers when the transaction ends, with \`Transaction.<Event>\`
  notifications meanwhile (see [TransactionEvent](#transactionevent)); \`detach: true\`
  answers \`{transaction}\` at once, \`noQueue: true\` fails with \`TransactionInProgress\`
  instead of waiting.
- Besides the errors listed per method, any call may answer \`InvalidSysroot\`,
  \`NotAuthorized\`, \`AuthorizationUnavailable\`, \`LimitExceeded\` or \`MessageTooLarge\`
  where they apply, and the standard JSON-RPC codes (\`-32700\`, \`-32600\`, \`-32601\`,
  \`-32602\`, \`-32603\`). Every error carries its D-Bus-style name in \`error.data.name\`.

${contents}

${sections}
## Types

The named types the methods share (each is also \`schema/types/<Name>.json\`).

${types}
## Errors

| Name | Code | D-Bus name | Meaning |
|---|---|---|---|
${errors}
`;
}
