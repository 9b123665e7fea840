/**
 * A small schema builder for the API's types. Each builder returns a plain description from
 * which the JSON Schema (schema/), the Varlink IDL, the D-Bus signature and the
 * TypeScript type (`Static<T>`) are all derived, so a type is written once.
 *
 * It offers only what every transport can express: strings (with optional pattern and
 * length), integers, numbers, booleans, string enums, arrays, string-keyed maps, closed
 * objects with optional fields, nullable values, references to named types, and free-form
 * objects. Unions (`oneOf`) are deliberately missing: Varlink cannot express them.
 */

declare const STATIC: unique symbol;

/** Every type may carry a description. The phantom `[STATIC]` field of each type carries its
 * TypeScript type; it never exists at run time. */
interface Base {
  readonly doc?: string;
}

export interface StringType extends Base {
  readonly [STATIC]?: string;
  readonly kind: 'string';
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
}
export interface IntegerType extends Base {
  readonly [STATIC]?: number;
  readonly kind: 'integer';
  readonly minimum?: number;
  readonly maximum?: number;
}
export interface NumberType extends Base {
  readonly [STATIC]?: number;
  readonly kind: 'number';
}
export interface BooleanType extends Base {
  readonly [STATIC]?: boolean;
  readonly kind: 'boolean';
}
export interface EnumType<V extends string = string> extends Base {
  readonly [STATIC]?: V;
  readonly kind: 'enum';
  readonly values: readonly V[];
}
export interface ArrayType<I extends AnyType = AnyType> extends Base {
  readonly [STATIC]?: Static<I>[];
  readonly kind: 'array';
  readonly items: I;
  readonly minItems?: number;
  readonly maxItems?: number;
}
export interface MapType<V extends AnyType = AnyType> extends Base {
  readonly [STATIC]?: Record<string, Static<V>>;
  readonly kind: 'map';
  readonly values: V;
}
export interface NullableType<I extends AnyType = AnyType> extends Base {
  readonly [STATIC]?: Static<I> | null;
  readonly kind: 'nullable';
  readonly inner: I;
}
export interface RefType<I extends AnyType = AnyType> extends Base {
  readonly [STATIC]?: Static<I>;
  readonly kind: 'ref';
  readonly name: string;
  readonly target: I;
}
export interface FreeObjectType extends Base {
  readonly [STATIC]?: Record<string, unknown>;
  readonly kind: 'freeObject';
}
export interface OptionalField<I extends AnyType = AnyType> {
  readonly kind: 'optional';
  readonly inner: I;
}
export type Field = AnyType | OptionalField;
export type Props = Record<string, Field>;

type RequiredKeys<P extends Props> = { [K in keyof P]: P[K] extends { readonly kind: 'optional' } ? never : K }[keyof P];
type OptionalKeys<P extends Props> = { [K in keyof P]: P[K] extends { readonly kind: 'optional' } ? K : never }[keyof P];
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type ObjectStatic<P extends Props> = Simplify<
  { [K in RequiredKeys<P>]: Static<P[K]> } & {
    [K in OptionalKeys<P>]?: P[K] extends { readonly kind: 'optional'; readonly inner: infer I } ? Static<I> : never;
  }
>;

export interface ObjectType<P extends Props = Props> extends Base {
  readonly [STATIC]?: ObjectStatic<P>;
  readonly kind: 'object';
  readonly props: P;
}

/** Any object type, without its phantom type (comparing phantoms of recursive types is unbounded). */
export interface SomeObjectType extends Base {
  readonly kind: 'object';
  readonly props: Props;
}

export interface SomeArrayType extends Base {
  readonly kind: 'array';
  readonly items: AnyType;
  readonly minItems?: number;
  readonly maxItems?: number;
}
export interface SomeMapType extends Base {
  readonly kind: 'map';
  readonly values: AnyType;
}
export interface SomeNullableType extends Base {
  readonly kind: 'nullable';
  readonly inner: AnyType;
}
export interface SomeRefType extends Base {
  readonly kind: 'ref';
  readonly name: string;
  readonly target: AnyType;
}

/** Any type, as code that walks types (generators, validators) sees it. */
export type AnyType =
  | StringType
  | IntegerType
  | NumberType
  | BooleanType
  | EnumType
  | SomeArrayType
  | SomeMapType
  | SomeNullableType
  | SomeRefType
  | FreeObjectType
  | SomeObjectType;

/** The TypeScript type a schema describes. */
export type Static<T> = T extends { readonly [STATIC]?: infer S } ? S : never;

type Opts<T> = Omit<T, 'kind' | typeof STATIC>;

/** Builders. `doc` on any type becomes the field's description everywhere. */
export const t = {
  string: (o: Opts<StringType> = {}): StringType => ({ kind: 'string', ...o }),
  integer: (o: Opts<IntegerType> = {}): IntegerType => ({ kind: 'integer', ...o }),
  number: (o: Opts<NumberType> = {}): NumberType => ({ kind: 'number', ...o }),
  boolean: (o: Opts<BooleanType> = {}): BooleanType => ({ kind: 'boolean', ...o }),
  enum: <const V extends string>(values: readonly V[], o: { doc?: string } = {}): EnumType<V> => ({
    kind: 'enum',
    values,
    ...o,
  }),
  array: <I extends AnyType>(items: I, o: Omit<Opts<ArrayType<I>>, 'items'> = {}): ArrayType<I> => ({
    kind: 'array',
    items,
    ...o,
  }),
  map: <V extends AnyType>(values: V, o: { doc?: string } = {}): MapType<V> => ({ kind: 'map', values, ...o }),
  nullable: <I extends AnyType>(inner: I, o: { doc?: string } = {}): NullableType<I> => ({
    kind: 'nullable',
    inner,
    ...o,
  }),
  ref: <I extends AnyType>(name: string, target: I, o: { doc?: string } = {}): RefType<I> => ({
    kind: 'ref',
    name,
    target,
    ...o,
  }),
  freeObject: (o: { doc?: string } = {}): FreeObjectType => ({ kind: 'freeObject', ...o }),
  object: <P extends Props>(props: P, o: { doc?: string } = {}): ObjectType<P> => ({ kind: 'object', props, ...o }),
  optional: <I extends AnyType>(inner: I): OptionalField<I> => ({ kind: 'optional', inner }),
};
