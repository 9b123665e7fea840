import { JsonRpcClient } from '../../src/client/jsonrpc-client.js';

/** A notification as received, in arrival order. */
export interface Received {
  method: string;
  params: Record<string, unknown>;
}

/** A JSON-RPC client that records every notification it receives. */
export async function eventClient(socket: string): Promise<{ client: JsonRpcClient; events: Received[] }> {
  const events: Received[] = [];
  const client = await JsonRpcClient.connect(socket, (method, params) => events.push({ method, params }));
  return { client, events };
}

/** Event types (without the `Transaction.` prefix) of one transaction, in order. */
export function typesOf(events: Received[], transaction?: string): string[] {
  return events.filter((e) => transaction === undefined || e.params.transaction === transaction).map((e) => e.method.replace(/^Transaction\./, ''));
}
