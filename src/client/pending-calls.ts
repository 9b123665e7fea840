/**
 * The calls of one connection that await their responses, by id (what the json-rpc-2.0
 * package's client did for this client, whose loading cost the CLI ~1 ms of every start). A call
 * that fails to be sent, or that the connection's end leaves unanswered, gets an error response
 * of code 0 with the reason, as that package answered it.
 */

/** A request with an id. */
export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: number;
  method: string;
  params: Record<string, unknown>;
}

/** A response: a result or an error. */
export interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: number | string | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** The code of the error responses made here rather than by the daemon. */
const LOCAL_ERROR_CODE = 0;

export class PendingCalls {
  private readonly waiting = new Map<number | string | null, (response: JsonRpcResponse) => void>();

  /** Sends `request` with `send` and resolves with its response (an error response if sending failed). */
  async call(request: JsonRpcRequest, send: () => Promise<void> | void): Promise<JsonRpcResponse> {
    const response = new Promise<JsonRpcResponse>((resolve) => this.waiting.set(request.id, resolve));
    try {
      await send();
    } catch (err) {
      this.receive(this.localError(request.id, (err as Error | undefined)?.message || 'Failed to send a request'));
    }
    return response;
  }

  /** Hands a response to the call that awaits it (responses to no call are dropped). */
  receive(response: JsonRpcResponse): void {
    const resolve = this.waiting.get(response.id);
    if (resolve === undefined) return;
    this.waiting.delete(response.id);
    resolve(response);
  }

  /** Answers every awaiting call with an error response saying `message`. */
  failAll(message: string): void {
    for (const [id, resolve] of this.waiting) resolve(this.localError(id, message));
    this.waiting.clear();
  }

  private localError(id: number | string | null, message: string): JsonRpcResponse {
    return { jsonrpc: '2.0', id, error: { code: LOCAL_ERROR_CODE, message } };
  }
}
