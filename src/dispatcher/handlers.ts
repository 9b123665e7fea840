import type { AnyMethod, MethodName } from '../api/method-table.js';
import type { Static } from '../api/schema-builder.js';
import type { CallContext } from './call-context.js';

type MethodByName<N extends MethodName> = Extract<AnyMethod, { name: N }>;

/** Params a handler receives: already validated against the method's schema. */
export type ParamsOf<N extends MethodName> = Static<MethodByName<N>['params']>;
/** What a handler must return. */
export type ResultOf<N extends MethodName> = Static<MethodByName<N>['result']>;

/** Implementation of one method. */
export type Handler<N extends MethodName> = (
  params: ParamsOf<N>,
  ctx: CallContext,
) => ResultOf<N> | Promise<ResultOf<N>>;

/** Implementations by method name; a declared method without one answers NotImplemented. */
export type HandlerTable = { [N in MethodName]?: Handler<N> };
