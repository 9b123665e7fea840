import { JSONRPCErrorException, JSONRPCServer, createJSONRPCErrorResponse, type JSONRPCResponse } from 'json-rpc-2.0';
import { ApiError, JsonRpcCode, ProtocolError, STANDARD_ERROR_NAMES } from '../../api/errors.js';
import { METHODS } from '../../api/method-table.js';
import type { CallContext } from '../../dispatcher/call-context.js';
import type { Dispatcher } from '../../dispatcher/dispatcher.js';
import type { Logger } from '../../daemon/logger.js';
import { checkEnvelope } from './envelope.js';

type Response = JSONRPCResponse | JSONRPCResponse[] | null;

function errorResponse(id: string | number | null, code: number, message: string, data: Record<string, unknown> = {}) {
  return createJSONRPCErrorResponse(id, code, message, { ...data, name: STANDARD_ERROR_NAMES[code] });
}

/**
 * JSON-RPC 2.0 on top of the dispatcher: envelopes, batches, notifications and the one place
 * where an error becomes its wire form (an unexpected exception becomes -32603, logged).
 */
export class JsonRpcEndpoint {
  private readonly server = new JSONRPCServer<CallContext>({ errorListener: () => {} });

  constructor(
    dispatcher: Dispatcher,
    private readonly log: Logger,
  ) {
    for (const method of METHODS) {
      this.server.addMethod(method.name, (params, ctx) => dispatcher.call(method.name, params, ctx));
    }
    this.server.mapErrorToJSONRPCErrorResponse = (id, error: unknown) => this.toErrorResponse(id, error);
    this.server.handleMethodNotFound = async (request) =>
      request.id === undefined
        ? null
        : errorResponse(request.id, JsonRpcCode.MethodNotFound, `Method not found: ${request.method}`);
  }

  /** Answers one parsed message (a request, a notification or a batch); null: nothing to send. */
  async handle(message: unknown, ctx: CallContext): Promise<Response> {
    if (Array.isArray(message)) {
      if (message.length === 0) return errorResponse(null, JsonRpcCode.InvalidRequest, 'Invalid Request: empty batch');
      const replies = await Promise.all(message.map((m) => this.handleOne(m, ctx)));
      const sent = replies.filter((r): r is JSONRPCResponse => r !== null);
      return sent.length === 0 ? null : sent;
    }
    return this.handleOne(message, ctx);
  }

  private async handleOne(message: unknown, ctx: CallContext): Promise<JSONRPCResponse | null> {
    const checked = checkEnvelope(message);
    if ('invalid' in checked) {
      return errorResponse(checked.invalid, JsonRpcCode.InvalidRequest, `Invalid Request: ${checked.reason}`);
    }
    const response = await this.server.receive(checked.request as Parameters<JSONRPCServer['receive']>[0], ctx);
    return response as JSONRPCResponse | null;
  }

  private toErrorResponse(id: string | number | null, error: unknown) {
    if (error instanceof ApiError) {
      const e = error.toJsonRpc();
      return createJSONRPCErrorResponse(id, e.code, e.message, e.data);
    }
    if (error instanceof ProtocolError) return createJSONRPCErrorResponse(id, error.code, error.message, error.data);
    if (error instanceof JSONRPCErrorException) return errorResponse(id, error.code, error.message);
    this.log.error('internal error', error);
    return errorResponse(id, JsonRpcCode.InternalError, 'Internal error');
  }
}
