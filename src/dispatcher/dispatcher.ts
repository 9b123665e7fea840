import { ApiError, JsonRpcCode, ProtocolError } from '../api/errors.js';
import { findMethod, type MethodName } from '../api/method-table.js';
import type { Authorizer } from '../authorization/authorizer.js';
import type { Logger } from '../util/logger.js';
import type { CallContext } from './call-context.js';
import type { Handler, HandlerTable, Precheck, PrecheckTable } from './handlers.js';
import { asKnownError } from './known-error.js';
import { validateParams } from './params-validation.js';

/**
 * Runs one call through the fixed order every method follows: look up → validate → precheck →
 * authorize → act. A precheck refuses what can be decided without work before polkit is asked,
 * so nobody types a password to be told no. Transports only translate to and from their wire
 * format: every error they get from here is an ApiError or a ProtocolError (KnownError).
 */
export class Dispatcher {
  constructor(
    private readonly handlers: HandlerTable,
    private readonly prechecks: PrecheckTable,
    private readonly authorizer: Authorizer,
    private readonly log: Logger,
  ) {}

  async call(name: string, rawParams: unknown, ctx: CallContext): Promise<unknown> {
    return (await this.prepare(name, rawParams, ctx))();
  }

  /**
   * Validates and authorizes a call, and returns what runs it: the D-Bus shim authorizes a
   * transaction method when it is called and runs it when the client calls Start().
   */
  async prepare(name: string, rawParams: unknown, ctx: CallContext): Promise<() => Promise<unknown>> {
    const run = await this.resolve(name, rawParams, ctx).catch(this.rethrowKnown);
    return () => run().catch(this.rethrowKnown);
  }

  /** The error path: what reaches a transport is an ApiError or a ProtocolError, anything else InternalError. */
  private readonly rethrowKnown = (err: unknown): never => {
    throw asKnownError(err, this.log);
  };

  /** Looks the method up, validates, prechecks and authorizes the call; returns what runs its handler. */
  private async resolve(name: string, rawParams: unknown, ctx: CallContext): Promise<() => Promise<unknown>> {
    const method = findMethod(name);
    if (method === undefined) {
      throw new ProtocolError(JsonRpcCode.MethodNotFound, `Method not found: ${name}`);
    }
    const params = rawParams === undefined ? {} : rawParams;
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      throw new ProtocolError(
        JsonRpcCode.InvalidParams,
        `Invalid params for ${name}: params must be an object (by-name), not ${Array.isArray(params) ? 'an array' : typeof params}`,
        { method: name },
      );
    }
    validateParams(method, params);
    const precheck = this.prechecks[name as MethodName] as Precheck<MethodName> | undefined;
    // The params were validated against this very method's schema just above.
    precheck?.(params as never, ctx);
    await this.authorizer.authorize(method, params as Record<string, unknown>, ctx);
    const handler = this.handlers[name as MethodName] as Handler<MethodName> | undefined;
    if (handler === undefined) {
      throw new ApiError('NotImplemented', `${name} is not implemented`, { method: name });
    }
    // The params were validated against this very method's schema just above.
    return async () => handler(params as never, ctx);
  }
}
