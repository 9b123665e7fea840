/**
 * The two framings of the daemon's socket, as a client writes them: JSON-RPC 2.0 (one JSON
 * text per line) and Varlink (NUL-terminated JSON). Only the connection's first terminator
 * tells the daemon which one it speaks.
 */
import { VARLINK_PREFIX } from '../src/api/varlink-idl.js';

export type Framing = 'jsonrpc' | 'varlink';

export const TERMINATOR: Record<Framing, number> = { jsonrpc: 0x0a, varlink: 0x00 };

/** A call of `method` (JSON-RPC name, `OS.Upgrade`) in the framing's envelope, without its terminator. */
export function callMessage(framing: Framing, method: string, params: unknown, opts: { id?: unknown; more?: boolean; oneway?: boolean } = {}): unknown {
  if (framing === 'jsonrpc') {
    const m: Record<string, unknown> = { jsonrpc: '2.0', method };
    if ('id' in opts) m.id = opts.id;
    if (params !== undefined) m.params = params;
    return m;
  }
  const m: Record<string, unknown> = { method: method.startsWith('org.') ? method : `${VARLINK_PREFIX}.${method}` };
  if (params !== undefined) m.parameters = params;
  if (opts.more !== undefined) m.more = opts.more;
  if (opts.oneway !== undefined) m.oneway = opts.oneway;
  return m;
}

/** A harmless request whose answer shows the connection still works. */
export function probeMessage(framing: Framing, n: number): Buffer {
  const m = framing === 'jsonrpc' ? callMessage(framing, 'Sysroot.GetOS', {}, { id: `probe-${n}` }) : { method: 'org.varlink.service.GetInfo' };
  return Buffer.from(JSON.stringify(m));
}

/** The bytes of `messages`, each followed by the framing's terminator. */
export function frame(framing: Framing, messages: Buffer[]): Buffer {
  const t = Buffer.from([TERMINATOR[framing]]);
  return Buffer.concat(messages.flatMap((m) => [m, t]));
}
