import type { MethodName } from '../api/method-table.js';
import type { ParamsOf, ResultOf } from '../api/method-types.js';
import type { CallContext } from './call-context.js';

export type { ParamsOf, ResultOf };

/** Implementation of one method: its params were validated against the method's schema. */
export type Handler<N extends MethodName> = (params: ParamsOf<N>, ctx: CallContext) => ResultOf<N> | Promise<ResultOf<N>>;

/** Implementations by method name; a declared method without one answers NotImplemented. */
export type HandlerTable = { [N in MethodName]?: Handler<N> };

/**
 * What a method may refuse before authorization: conflicts decided without work (no such OS,
 * layering locked, a busy engine with noQueue, ...), so nobody is asked for a password to be
 * told no. Throws an ApiError to refuse.
 */
export type Precheck<N extends MethodName> = (params: ParamsOf<N>, ctx: CallContext) => void;

export type PrecheckTable = { [N in MethodName]?: Precheck<N> };
