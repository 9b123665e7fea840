/**
 * The fuzzer runs as root against a real sysroot, so authorization lets everything through:
 * nothing it sends may be a valid call of a method that changes the system. This checks the
 * exact bytes the daemon may parse as messages (every terminated piece and the unterminated
 * rest, which a half-close turns into a message), whatever generator made them.
 */
import type { ApiSchemas } from './api-schemas.js';
import { TERMINATOR, type Framing } from './wire-format.js';

/** Whether a request (an object; a batch's members are looked at one by one) is a valid transaction call. */
function startsTransaction(api: ApiSchemas, framing: Framing, message: unknown): boolean {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return false;
  const m = message as Record<string, unknown>;
  if (typeof m.method !== 'string') return false;
  const method = api.byWireName(m.method);
  if (method === undefined || method.kind !== 'transaction') return false;
  const params = framing === 'jsonrpc' ? m.params : m.parameters;
  return method.valid(params === undefined ? {} : params);
}

/** Whether any message in `bytes` could start a transaction (the input must then not be sent). */
export function mayStartTransaction(api: ApiSchemas, framing: Framing, bytes: Buffer): boolean {
  let start = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(TERMINATOR[framing], start);
    if (end === -1) end = bytes.length;
    const piece = bytes.subarray(start, end);
    start = end + 1;
    if (piece.length === 0) continue;
    let message: unknown;
    try {
      message = JSON.parse(piece.toString('utf8'));
    } catch {
      continue;
    }
    const requests = Array.isArray(message) ? message : [message];
    if (requests.some((m) => startsTransaction(api, framing, m))) return true;
  }
  return false;
}
