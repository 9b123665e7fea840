import { ApiError, JsonRpcCode, ProtocolError, STANDARD_ERROR_NAMES } from '../../api/errors.js';
import type { CallContext } from '../../dispatcher/call-context.js';
import type { Dispatcher } from '../../dispatcher/dispatcher.js';
import type { Logger } from '../../daemon/logger.js';
import { checkEnvelope, type JsonRpcId } from './envelope.js';

/** A JSON-RPC 2.0 response object. */
export type JsonRpcResponse =
  | { jsonrpc: '2.0'; id: JsonRpcId; result: unknown }
  | { jsonrpc: '2.0'; id: JsonRpcId; error: { code: number; message: string; data: Record<string, unknown> } };

type Response = JsonRpcResponse | JsonRpcResponse[] | null;

function errorResponse(id: JsonRpcId, code: number, message: string, data: Record<string, unknown> = {}): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error: { code, message, data: { ...data, name: STANDARD_ERROR_NAMES[code] } } };
}

/**
 * JSON-RPC 2.0 on top of the dispatcher: envelopes, batches, notifications, and the one place
 * where an error becomes its wire form (an unexpected exception becomes -32603 and is logged).
 *
 * The server side is written here rather than with the json-rpc-2.0 package (which the CLI's
 * client uses): the package answers a batch of one with a bare object (the specification
 * wants an array), leaves parse errors to the caller, and its import and per-request cost were
 * a third of the daemon's cold-start and latency budgets (npm run bench).
 */
export class JsonRpcEndpoint {
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly log: Logger,
  ) {}

  /** Answers one parsed message (a request, a notification or a batch); null: nothing to send. */
  async handle(message: unknown, ctx: CallContext): Promise<Response> {
    if (Array.isArray(message)) {
      if (message.length === 0) return errorResponse(null, JsonRpcCode.InvalidRequest, 'Invalid Request: empty batch');
      const replies = await Promise.all(message.map((m) => this.handleOne(m, ctx)));
      const sent = replies.filter((r): r is JsonRpcResponse => r !== null);
      return sent.length === 0 ? null : sent;
    }
    return this.handleOne(message, ctx);
  }

  private async handleOne(message: unknown, ctx: CallContext): Promise<JsonRpcResponse | null> {
    const checked = checkEnvelope(message);
    if ('invalid' in checked) {
      return errorResponse(checked.invalid, JsonRpcCode.InvalidRequest, `Invalid Request: ${checked.reason}`);
    }
    const { request } = checked;
    const isNotification = !('id' in request);
    const id = request.id ?? null;
    try {
      const result = await this.dispatcher.call(request.method, request.params, ctx);
      return isNotification ? null : { jsonrpc: '2.0', id, result };
    } catch (error) {
      const response = this.toErrorResponse(id, error);
      return isNotification ? null : response;
    }
  }

  private toErrorResponse(id: JsonRpcId, error: unknown): JsonRpcResponse {
    if (error instanceof ApiError) return { jsonrpc: '2.0', id, error: error.toJsonRpc() };
    if (error instanceof ProtocolError) {
      return { jsonrpc: '2.0', id, error: { code: error.code, message: error.message, data: error.data } };
    }
    this.log.error('internal error', error);
    return errorResponse(id, JsonRpcCode.InternalError, 'Internal error');
  }
}
