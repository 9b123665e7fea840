import { JsonRpcCode, ProtocolError, type KnownError } from '../../api/errors.js';
import type { CallContext } from '../../dispatcher/call-context.js';
import type { Dispatcher } from '../../dispatcher/dispatcher.js';
import { checkEnvelope, type JsonRpcId } from './envelope.js';
import { jsonRpcError, type JsonRpcErrorObject } from './error-object.js';

/** A JSON-RPC 2.0 response object. */
export type JsonRpcResponse = { jsonrpc: '2.0'; id: JsonRpcId; result: unknown } | { jsonrpc: '2.0'; id: JsonRpcId; error: JsonRpcErrorObject };

type Response = JsonRpcResponse | JsonRpcResponse[] | null;

function errorResponse(id: JsonRpcId, error: KnownError): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error: jsonRpcError(error) };
}

const invalidRequest = (id: JsonRpcId, message: string): JsonRpcResponse => errorResponse(id, new ProtocolError(JsonRpcCode.InvalidRequest, message));

/**
 * JSON-RPC 2.0 on top of the dispatcher: envelopes, batches and notifications (the dispatcher
 * already made every error an ApiError or a ProtocolError; error-object.ts gives its wire form).
 *
 * The server side is written here rather than with the json-rpc-2.0 package (the CLI's client
 * no longer uses it either: src/client/pending-calls.ts): the package answers a batch of one with a bare object (the specification
 * wants an array), leaves parse errors to the caller, and its import and per-request cost were
 * a third of the daemon's cold-start and latency budgets (npm run bench).
 */
export class JsonRpcEndpoint {
  constructor(private readonly dispatcher: Dispatcher) {}

  /** Answers one parsed message (a request, a notification or a batch); null: nothing to send. */
  async handle(message: unknown, ctx: CallContext): Promise<Response> {
    if (Array.isArray(message)) {
      if (message.length === 0) return invalidRequest(null, 'Invalid Request: empty batch');
      const replies = await Promise.all(message.map((m) => this.handleOne(m, ctx)));
      const sent = replies.filter((r): r is JsonRpcResponse => r !== null);
      return sent.length === 0 ? null : sent;
    }
    return this.handleOne(message, ctx);
  }

  private async handleOne(message: unknown, ctx: CallContext): Promise<JsonRpcResponse | null> {
    const checked = checkEnvelope(message);
    if ('invalid' in checked) {
      return invalidRequest(checked.invalid, `Invalid Request: ${checked.reason}`);
    }
    const { request } = checked;
    const isNotification = !('id' in request);
    const id = request.id ?? null;
    try {
      const result = await this.dispatcher.call(request.method, request.params, ctx);
      return isNotification ? null : { jsonrpc: '2.0', id, result };
    } catch (error) {
      return isNotification ? null : errorResponse(id, error as KnownError);
    }
  }
}
