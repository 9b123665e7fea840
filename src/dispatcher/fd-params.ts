import { JsonRpcCode, ProtocolError } from '../api/errors.js';
import type { CallContext } from './call-context.js';

/**
 * Takes the descriptor a param names (`{"fd": 0}`: the first one passed with the request);
 * the handler closes it. InvalidParams when the param is not such a reference or the request
 * carried no such descriptor.
 */
export function takeFd(ctx: Pick<CallContext, 'fds'>, ref: unknown, param = 'fd'): number {
  const index = typeof ref === 'object' && ref !== null ? (ref as { fd?: unknown }).fd : undefined;
  if (typeof index !== 'number' || !Number.isInteger(index)) {
    throw new ProtocolError(JsonRpcCode.InvalidParams, `Invalid params: ${param} must be {"fd": <index>}`);
  }
  if (ctx.fds === undefined) {
    throw new ProtocolError(JsonRpcCode.InvalidParams, `Invalid params: ${param} names descriptor ${index} but the request carried none`);
  }
  return ctx.fds.take(index);
}
