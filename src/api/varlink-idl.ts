/**
 * The Varlink interfaces, built from the method table: `org.projectatomic.aptostree1.Sysroot`,
 * `.OS` and `.Transaction` (what GetInterfaceDescription returns, and what the generator
 * writes to interfaces/*.varlink). Mapping of the schema builder's types:
 *
 *  - string → string (patterns and lengths are checked by the daemon, not expressible);
 *    integer → int; number → float; boolean → bool; free-form object → object;
 *  - array → []T; map → [string]T; nullable or optional → ?T (one `?`);
 *  - a named object or enum type (t.ref) → a `type` of the interface; a named string → string;
 *  - an enum whose values are not all Varlink field names (e.g. `pending-deploy`) → string;
 *  - a field name that is not a Varlink field name → rejected (the generator throws).
 *
 * Method outputs: read and control methods return their result's fields; a transaction method
 * (and Transaction.Watch) returns `(transaction, event: ?TransactionEvent, result:
 * ?<Method>Result)`: with `more`, one reply per progress event, then the final one with
 * `result` (docs/design-decisions.md, "Over Varlink").
 * Errors: every error of the table an interface's methods can raise, with `(message, data)`.
 */
import { ERROR_TABLE, type ErrorName } from './errors.js';
import type { InterfaceName, MethodSpec } from './method.js';
import { METHODS } from './method-table.js';
import type { AnyType, Field, SomeObjectType } from './schema-builder.js';
import { TransactionEventRef } from './types/transaction-event.js';
import { FIELD_NAME, formatInterface, type VField, type VInterface, type VMember, type VType } from './varlink-idl-syntax.js';

export const VARLINK_PREFIX = 'org.projectatomic.aptostree1';
export const VARLINK_INTERFACES: InterfaceName[] = ['Sysroot', 'OS', 'Transaction'];

/** Errors any method may answer, whatever its declaration says. */
const ALWAYS: ErrorName[] = ['Failed', 'NotImplemented', 'LimitExceeded'];
/** Errors of methods that need authorization. */
const AUTHORIZATION: ErrorName[] = ['NotAuthorized', 'AuthorizationUnavailable'];

const DOCS: Record<InterfaceName, string> = {
  Sysroot: 'The system root: its deployments, the active transaction, the update policy.',
  OS: 'One operating system (stateroot): upgrades, deployments, package layering, kernel arguments, initramfs, package queries.',
  Transaction: 'Transactions: the changes clients asked for, their progress and history.',
};

export const varlinkInterfaceName = (i: InterfaceName): string => `${VARLINK_PREFIX}.${i}`;

/**
 * Methods whose Varlink replies stream progress: the transaction methods, and
 * Transaction.Watch (which requires `more`).
 */
export function streams(m: MethodSpec): boolean {
  return m.kind === 'transaction' || m.name === 'Transaction.Watch';
}

/** The methods of one interface. */
export function methodsOf(i: InterfaceName): MethodSpec[] {
  return METHODS.filter((m) => m.name.startsWith(`${i}.`)) as MethodSpec[];
}

/** The errors declared in interface `i`, in the table's order. */
export function errorsOf(i: InterfaceName): ErrorName[] {
  const used = new Set<ErrorName>(ALWAYS);
  for (const m of methodsOf(i)) {
    for (const e of m.errors) used.add(e);
    if (m.action !== null || m.selectAction !== undefined) for (const e of AUTHORIZATION) used.add(e);
  }
  return (Object.keys(ERROR_TABLE) as ErrorName[]).filter((e) => used.has(e));
}

/** A schema construct Varlink cannot carry. */
export class VarlinkTypeError extends Error {}

const isIdentifierEnum = (values: readonly string[]): boolean => values.every((v) => FIELD_NAME.test(v));
const docOf = (t: { doc?: string }): string[] => (t.doc === undefined ? [] : [t.doc]);

/** Builds the interface's members; named types are collected as they are met. */
class InterfaceBuilder {
  private readonly types = new Map<string, VMember>();
  private readonly pending: string[] = [];

  /**
   * `hint` names an anonymous object met in a field: systemd's IDL checker refuses named types
   * inside anonymous structs, so nested objects become named types (the field name, capitalized).
   */
  type(t: AnyType, hint?: string): VType {
    switch (t.kind) {
      case 'string':
        return { kind: 'string' };
      case 'integer':
        return { kind: 'int' };
      case 'number':
        return { kind: 'float' };
      case 'boolean':
        return { kind: 'bool' };
      case 'freeObject':
        return { kind: 'object' };
      case 'enum':
        return isIdentifierEnum(t.values) ? { kind: 'enum', values: [...t.values] } : { kind: 'string' };
      case 'array':
        return { kind: 'array', of: this.type(t.items, hint) };
      case 'map':
        return { kind: 'map', of: this.type(t.values, hint) };
      case 'nullable': {
        const inner = this.type(t.inner, hint);
        return inner.kind === 'optional' ? inner : { kind: 'optional', of: inner };
      }
      case 'object':
        return hint === undefined ? { kind: 'struct', fields: this.fields(t) } : this.named(this.freeName(hint, t), t, t.doc);
      case 'ref':
        return this.named(t.name, t.target, t.doc ?? (t.target as { doc?: string }).doc);
    }
  }

  private named(name: string, target: AnyType, doc: string | undefined): VType {
    const isObject = target.kind === 'object';
    const isEnum = target.kind === 'enum' && isIdentifierEnum(target.values);
    if (!isObject && !isEnum) return this.type(target);
    if (!this.types.has(name)) {
      // Reserve the name first: recursive types refer to themselves.
      this.types.set(name, { kind: 'type', name, doc: [], type: { kind: 'enum', values: ['pending'] } });
      const body = this.type(target);
      if (body.kind !== 'struct' && body.kind !== 'enum') throw new Error(`type ${name} is neither a struct nor an enum`);
      this.types.set(name, { kind: 'type', name, doc: doc === undefined ? [] : [doc], type: body });
      this.pending.push(name);
    }
    return { kind: 'named', name };
  }

  fields(o: SomeObjectType): VField[] {
    return Object.entries(o.props).map(([name, field]) => {
      if (!FIELD_NAME.test(name)) throw new VarlinkTypeError(`field ${JSON.stringify(name)} is not a Varlink field name`);
      return { name, type: this.field(field, name[0].toUpperCase() + name.slice(1)) };
    });
  }

  private field(f: Field, hint: string): VType {
    if (f.kind === 'optional') {
      const inner = this.type(f.inner, hint);
      return inner.kind === 'optional' ? inner : { kind: 'optional', of: inner };
    }
    return this.type(f, hint);
  }

  /** `hint`, or `hint2`, `hint3`... when another type already has that name. */
  private readonly anonymous = new Map<string, AnyType>();
  private freeName(hint: string, t: AnyType): string {
    for (let n = 1; ; n++) {
      const name = n === 1 ? hint : `${hint}${n}`;
      const taken = this.anonymous.get(name);
      if (taken === t || (taken === undefined && !this.types.has(name))) {
        this.anonymous.set(name, t);
        return name;
      }
    }
  }

  /** A struct type named `name` for `o` (a transaction method's result). */
  struct(name: string, o: SomeObjectType, doc: string): VType {
    return this.named(name, o, doc);
  }

  /** The named types met so far, sorted by name. */
  namedTypes(): VMember[] {
    return [...this.types.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/** The Varlink fields of an object type (for tests of the mapping). */
export function varlinkFields(o: SomeObjectType): VField[] {
  return new InterfaceBuilder().fields(o);
}

/** The syntax tree of interface `i`. */
export function varlinkInterface(i: InterfaceName): VInterface {
  const b = new InterfaceBuilder();
  const methods: VMember[] = methodsOf(i).map((m) => {
    const member = m.name.slice(i.length + 1);
    const input = b.fields(m.params);
    let output: VField[];
    if (streams(m)) {
      if (m.result.kind !== 'object') throw new Error(`${m.name}: a transaction result must be an object`);
      output = [
        { name: 'transaction', type: { kind: 'string' } },
        { name: 'event', type: { kind: 'optional', of: b.type(TransactionEventRef) } },
        { name: 'result', type: { kind: 'optional', of: b.struct(`${member}Result`, m.result, `What ${m.name} answers when it ends.`) } },
      ];
    } else {
      if (m.result.kind !== 'object') throw new Error(`${m.name}: a result must be an object`);
      output = b.fields(m.result);
    }
    const doc = [m.doc];
    if (m.kind === 'transaction') doc.push('A transaction: with "more", one reply per progress event, the last one with the result.');
    if (m.name === 'Transaction.Watch') doc.push('Requires "more": one reply per event (past ones first), the last one with the result.');
    return { kind: 'method', name: member, doc, input, output };
  });
  const errors: VMember[] = errorsOf(i).map((e) => ({
    kind: 'error',
    name: e,
    doc: [ERROR_TABLE[e].doc],
    fields: [
      { name: 'message', type: { kind: 'string' } },
      { name: 'data', type: { kind: 'optional', of: { kind: 'object' } } },
    ],
  }));
  return { name: varlinkInterfaceName(i), doc: docOf({ doc: DOCS[i] }), members: [...b.namedTypes(), ...methods, ...errors] };
}

/** The description of interface `i`: what GetInterfaceDescription answers, and interfaces/<name>.varlink. */
export function varlinkDescription(i: InterfaceName): string {
  return formatInterface(varlinkInterface(i));
}
