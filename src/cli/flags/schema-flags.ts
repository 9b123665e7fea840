/**
 * CLI options derived from the API's params schemas: a verb names the params fields it exposes
 * and the option each becomes; the option's type and help come from the field's type and `doc`
 * (src/api/methods), and the request is built back from the parsed options. Options that map
 * to no field (`--json`, `--socket`, `--preview`) are declared by the CLI itself.
 */
import type { ArgsDef } from 'citty';
import { findMethod, type MethodName } from '../../api/method-table.js';
import type { MethodByName } from '../../api/method-types.js';
import type { AnyType, Field } from '../../api/schema-builder.js';
import { repeatedOption } from './repeated-option.js';

/** How one params field appears on the command line. */
export interface FlagSpec {
  /** Option name (`download-only` for `--download-only`), or the positional argument's name. */
  readonly flag: string;
  readonly alias?: string;
  /** A positional argument instead of an option (never required by citty: verbs check it). */
  readonly positional?: true;
  /** What the CLI adds to the field's doc, shown in parentheses: a default, an example. */
  readonly note?: string;
}

type PropsOf<N extends MethodName> = MethodByName<N>['params']['props'];

/** The fields of method N that a verb exposes, each with its option. */
export type FlagSpecs<N extends MethodName> = { readonly [K in keyof PropsOf<N>]?: FlagSpec };

/** The value type under optional/ref/nullable wrappers. */
type Unwrapped<F> = F extends { readonly kind: 'optional' | 'nullable'; readonly inner: infer I }
  ? Unwrapped<I>
  : F extends { readonly kind: 'ref'; readonly target: infer I }
    ? Unwrapped<I>
    : F;

type ArgTypeOf<F, S> = S extends { readonly positional: true } ? 'positional' : Unwrapped<F> extends { readonly kind: 'boolean' } ? 'boolean' : 'string';

/** How a parsed option turns back into its field's value. */
export type FieldValue = 'boolean' | 'string' | 'integer' | 'list' | 'positional';

/** A citty argument that fills a params field (citty ignores the extra properties). */
export interface SchemaArg<T extends 'boolean' | 'string' | 'positional' = 'boolean' | 'string' | 'positional'> {
  readonly type: T;
  readonly description: string;
  readonly alias?: string;
  readonly required?: false;
  readonly field: string;
  readonly value: FieldValue;
}

/** The citty arguments `flagsFrom(N, S)` returns, keyed by option name. */
export type FlagArgs<N extends MethodName, S> = {
  -readonly [K in keyof S & keyof PropsOf<N> as S[K] extends { readonly flag: infer F extends string } ? F : never]: SchemaArg<ArgTypeOf<PropsOf<N>[K], S[K]>>;
};

/** The field's value type and doc: the outermost doc on the way in (a ref's, else its target's). */
function describeField(field: Field): { type: AnyType; doc: string | undefined } {
  let doc: string | undefined;
  let type: Field = field;
  for (;;) {
    if (type.kind !== 'optional') doc ??= type.doc;
    if (type.kind === 'optional' || type.kind === 'nullable') type = type.inner;
    else if (type.kind === 'ref') type = type.target;
    else return { type, doc };
  }
}

/** How a field of this type is read from the command line. */
function valueOf(type: AnyType, positional: boolean, where: string): FieldValue {
  if (positional) return 'positional';
  if (type.kind === 'boolean') return 'boolean';
  if (type.kind === 'integer') return 'integer';
  if (type.kind === 'string' || type.kind === 'enum') return 'string';
  if (type.kind === 'array') {
    const item = describeField(type.items).type.kind;
    if (item === 'string' || item === 'enum') return 'list';
  }
  throw new Error(`${where}: a ${type.kind} field has no command-line form`);
}

/** Help text: the doc without its final period, then the CLI's notes in parentheses. */
export function helpText(doc: string, notes: readonly string[]): string {
  const text = doc.replace(/\.$/, '');
  return notes.length === 0 ? text : `${text} (${notes.join('; ')})`;
}

/**
 * The citty arguments for the given params fields of `method`, in the order of `spec`:
 * booleans become flags, strings, enums and integers options with a value, string arrays
 * repeatable options. Throws for a field without a doc (no help to show).
 */
export function flagsFrom<N extends MethodName, const S extends FlagSpecs<N>>(method: N, spec: S): FlagArgs<N, S> {
  return schemaArgs(method, spec) as FlagArgs<N, S>;
}

/** {@link flagsFrom} without the types: for helpers shared by many methods. */
export function schemaArgs(method: MethodName, spec: Readonly<Record<string, FlagSpec | undefined>>): Record<string, SchemaArg> {
  const declared = findMethod(method);
  if (declared === undefined) throw new Error(`${method} is not in the method table`);
  const props: Record<string, Field> = declared.params.props;
  const args: Record<string, SchemaArg> = {};
  for (const [field, flag] of Object.entries(spec)) {
    if (flag === undefined) continue;
    const where = `${method} ${field}`;
    if (!(field in props)) throw new Error(`${where}: no such params field`);
    const { type, doc } = describeField(props[field]);
    if (doc === undefined) throw new Error(`${where}: the field has no doc for the option's help`);
    const value = valueOf(type, flag.positional === true, where);
    const notes = [...(flag.note === undefined ? [] : [flag.note]), ...(value === 'list' ? ['repeatable'] : [])];
    args[flag.flag] = {
      type: value === 'positional' ? 'positional' : value === 'boolean' ? 'boolean' : 'string',
      description: helpText(doc, notes),
      ...(flag.alias === undefined ? {} : { alias: flag.alias }),
      ...(value === 'positional' ? { required: false } : {}),
      field,
      value,
    };
  }
  return args;
}

function isSchemaArg(def: unknown): def is SchemaArg {
  return typeof def === 'object' && def !== null && 'field' in def && 'value' in def;
}

/**
 * The params the schema-derived options of `args` set, from the parsed options (and the raw
 * words, for repeatable ones). Booleans only when true, as rpm-ostree's flags only turn on.
 */
export function paramsFrom(args: ArgsDef, parsed: Record<string, unknown>, rawArgs: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [flag, def] of Object.entries(args)) {
    if (!isSchemaArg(def)) continue;
    const given = parsed[flag];
    if (def.value === 'boolean') {
      if (given === true) params[def.field] = true;
    } else if (def.value === 'list') {
      const values = repeatedOption(rawArgs, flag);
      if (values.length > 0) params[def.field] = values;
    } else if (typeof given === 'string' && (def.value !== 'positional' || given !== '')) {
      params[def.field] = def.value === 'integer' ? Number(given) : given;
    }
  }
  return params;
}
