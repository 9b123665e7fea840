import { JsonRpcCode, ProtocolError } from '../../api/errors.js';
import { jsonRpcError, type JsonRpcErrorObject } from './error-object.js';

/** A JSON-RPC 2.0 request or notification whose envelope is well-formed. */
export interface JsonRpcRequest {
  jsonrpc: '2.0';
  method: string;
  params?: Record<string, unknown> | unknown[];
  /** Absent for a notification. */
  id?: string | number | null;
}

export type JsonRpcId = string | number | null;

function isId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * Checks the envelope of one message per the JSON-RPC 2.0 specification. Returns the request,
 * or the id to answer an Invalid Request error with (null when the id itself is unusable).
 */
export function checkEnvelope(message: unknown): { request: JsonRpcRequest } | { invalid: JsonRpcId; reason: string } {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return { invalid: null, reason: 'a request must be a JSON object' };
  }
  const m = message as Record<string, unknown>;
  const id = 'id' in m && isId(m.id) ? m.id : null;
  if ('id' in m && !isId(m.id)) return { invalid: null, reason: 'id must be a string, a number or null' };
  if (m.jsonrpc !== '2.0') return { invalid: id, reason: 'jsonrpc must be "2.0"' };
  if (typeof m.method !== 'string') return { invalid: id, reason: 'method must be a string' };
  if ('params' in m && (typeof m.params !== 'object' || m.params === null)) {
    return { invalid: id, reason: 'params must be an object or an array' };
  }
  return { request: m as unknown as JsonRpcRequest };
}

/** The answer to a batch longer than the limit: refused whole, as one Invalid Request error. */
export function batchTooLong(length: number, limit: number): { jsonrpc: '2.0'; id: null; error: JsonRpcErrorObject } {
  const message = `Invalid Request: a batch of ${length} requests; at most ${limit} requests per batch`;
  return { jsonrpc: '2.0', id: null, error: jsonRpcError(new ProtocolError(JsonRpcCode.InvalidRequest, message, { limit, received: length })) };
}
