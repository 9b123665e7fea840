/**
 * What the daemon must send back for the messages of one input, derived from the bytes sent
 * and the protocols' specifications (JSON-RPC 2.0, Varlink), not from the daemon's code; and
 * the checks every reply must pass.
 *
 * JSON-RPC: every line that is not blank is answered (a parse error, an invalid request, or
 * the request's response, matched by id) unless it is a notification or a batch of them; a
 * line over the size limit gets an error and the connection is closed; a batch over the length
 * limit gets one -32600 error. Varlink: every call
 * that is not `oneway` is answered in order; a message that is not a call may instead close
 * the connection (the protocol's answer to a violation).
 */
import type { ApiSchemas } from './api-schemas.js';
import type { Framing } from './wire-format.js';

/** Largest message the daemon accepts (README: "A message over 1 MiB gets MessageTooLarge"). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Longest batch answered; a longer one is refused whole: one -32600 error, id null. */
export const MAX_BATCH_LENGTH = 100;

export interface ReplyExpectation {
  /** JSON-RPC: the key of the reply (`id:1`, `id:null`, `batch:[...]`); Varlink: '' (in order). */
  key: string;
  /** May be answered or not (a line of Unicode blanks that JSON does not call whitespace). */
  optional?: boolean;
  /** The daemon closes the connection after this reply (message too large). */
  closes?: boolean;
  /** Varlink: a message that is not a call; closing the connection instead of a reply is right. */
  orClose?: boolean;
  /** Varlink: no reply is right too (a oneway message a lenient server may take for a call). */
  silent?: boolean;
  /** Varlink `more`: replies until one without `continues`. */
  more?: boolean;
  /** A violation found in the reply, or null. */
  check?: (reply: unknown) => string | null;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isValidId = (v: unknown) => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** The key a JSON-RPC reply is matched by. */
export function jsonRpcReplyKey(reply: unknown): string {
  if (Array.isArray(reply)) return `batch:${JSON.stringify(reply.map((r) => jsonRpcReplyKey(r)).sort())}`;
  return `id:${JSON.stringify(isObject(reply) && 'id' in reply ? reply.id : undefined)}`;
}

/** Checks that hold for every JSON-RPC reply object. */
export function checkJsonRpcReply(reply: unknown): string | null {
  if (!isObject(reply) || reply.jsonrpc !== '2.0') return 'a reply that is not a JSON-RPC 2.0 response';
  if ('method' in reply) return `a notification ${String(reply.method)}: something started`;
  if ('result' in reply === 'error' in reply) return 'a response needs exactly one of result and error';
  if ('error' in reply) {
    const e = reply.error;
    if (!isObject(e) || !Number.isInteger(e.code) || typeof e.message !== 'string') return 'a malformed error object';
    if (e.code === -32603) return `an internal error: ${e.message}`;
  }
  return null;
}

/** Checks that hold for every Varlink reply. */
export function checkVarlinkReply(reply: unknown): string | null {
  if (!isObject(reply)) return 'a Varlink reply that is not an object';
  if ('error' in reply) return typeof reply.error === 'string' ? null : 'a Varlink error that is not a string';
  if (!isObject(reply.parameters)) return 'a Varlink reply without parameters';
  if (isObject(reply.parameters.event)) return 'a transaction event: something started';
  return null;
}

/** The check of the reply to a call of an API method: invalid params are refused, and as such. */
function apiCallCheck(framing: Framing, api: ApiSchemas, method: unknown, params: unknown): ((r: unknown) => string | null) | undefined {
  const m = typeof method === 'string' ? api.byWireName(method) : undefined;
  if (m === undefined || (framing === 'jsonrpc' ? method !== m.name : method !== m.varlinkName)) return undefined;
  if (m.valid(params === undefined ? {} : params)) return undefined;
  return (reply) => {
    if (!isObject(reply)) return null;
    if (framing === 'varlink') return 'error' in reply ? null : `${m.name} with invalid params succeeded`;
    const e = reply.error;
    if (!isObject(e)) return `${m.name} with invalid params succeeded`;
    const name = isObject(e.data) ? e.data.name : undefined;
    if (e.code === -32602 || (typeof name === 'string' && name.endsWith('.LimitExceeded'))) return null;
    return `${m.name} with invalid params answered ${String(e.code)} instead of -32602`;
  };
}

/** The expected reply to one member of a JSON-RPC message (a request or a batch element); null: none. */
function jsonRpcOne(api: ApiSchemas, m: unknown): ReplyExpectation | null {
  if (!isObject(m)) return { key: 'id:null' };
  const id = 'id' in m && isValidId(m.id) ? m.id : null;
  const envelopeOk =
    m.jsonrpc === '2.0' &&
    typeof m.method === 'string' &&
    (!('id' in m) || isValidId(m.id)) &&
    (!('params' in m) || (typeof m.params === 'object' && m.params !== null));
  if (!envelopeOk) return { key: `id:${JSON.stringify(id)}` };
  if (!('id' in m)) return null;
  return { key: `id:${JSON.stringify(id)}`, check: apiCallCheck('jsonrpc', api, m.method, m.params) };
}

function jsonRpcLine(api: ApiSchemas, line: Buffer): ReplyExpectation | null {
  if (line.length > MAX_MESSAGE_BYTES)
    return { key: 'id:null', closes: true, check: (r) => (isObject(r) && isObject(r.error) ? null : 'an oversized message without an error') };
  const text = line.toString('utf8');
  if (text.trim() === '') return /^[ \t\r]*$/.test(text) ? null : { key: 'id:null', optional: true };
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { key: 'id:null', check: (r) => (isObject(r) && isObject(r.error) && r.error.code === -32700 ? null : 'a parse error not answered -32700') };
  }
  if (!Array.isArray(message)) return jsonRpcOne(api, message);
  if (message.length === 0) return { key: 'id:null' };
  if (message.length > MAX_BATCH_LENGTH) {
    return { key: 'id:null', check: (r) => (isObject(r) && isObject(r.error) && r.error.code === -32600 ? null : 'a batch over the limit not refused -32600') };
  }
  const members = message.map((m) => jsonRpcOne(api, m)).filter((e): e is ReplyExpectation => e !== null);
  if (members.length === 0) return null;
  // Members whose replies share a key (several with id null, say) cannot be told apart: not checked.
  const keys = members.map((e) => e.key);
  const byKey = new Map(members.filter((e) => keys.indexOf(e.key) === keys.lastIndexOf(e.key)).map((e) => [e.key, e.check]));
  return {
    key: `batch:${JSON.stringify(members.map((e) => e.key).sort())}`,
    check: (reply) => {
      for (const r of reply as unknown[]) {
        const bad = byKey.get(jsonRpcReplyKey(r))?.(r) ?? null;
        if (bad !== null) return bad;
      }
      return null;
    },
  };
}

// Varlink names (varlink.org, "Interface Name" and "Method Name").
const VARLINK_METHOD = /^[A-Za-z](?:-*[A-Za-z0-9])*(?:\.[A-Za-z0-9](?:-*[A-Za-z0-9])*)+\.[A-Z][A-Za-z0-9]*$/;

/**
 * A Varlink message: a well-formed call (the daemon must answer it unless oneway), one whose
 * only fault is its method name (a lenient server may take it for a call: answered with an
 * error, or not at all when oneway), or not a call at all (closing is the answer).
 */
function varlinkKind(message: unknown): { kind: 'call' | 'bad-name' | 'not-a-call'; call: Json } {
  if (!isObject(message)) return { kind: 'not-a-call', call: {} };
  if ('parameters' in message && !isObject(message.parameters)) return { kind: 'not-a-call', call: message };
  for (const flag of ['more', 'oneway', 'upgrade']) if (flag in message && typeof message[flag] !== 'boolean') return { kind: 'not-a-call', call: message };
  if (typeof message.method !== 'string' || message.upgrade === true) return { kind: 'not-a-call', call: message };
  return { kind: VARLINK_METHOD.test(message.method) ? 'call' : 'bad-name', call: message };
}

/** Expected replies, in order, to the messages of one input (terminators not included). */
export function expectedReplies(framing: Framing, api: ApiSchemas, messages: Buffer[]): ReplyExpectation[] {
  const out: ReplyExpectation[] = [];
  for (const bytes of messages) {
    if (framing === 'jsonrpc') {
      const e = jsonRpcLine(api, bytes);
      if (e !== null) out.push(e);
      if (e?.closes === true) break;
      continue;
    }
    let parsed: ReturnType<typeof varlinkKind> = { kind: 'not-a-call', call: {} };
    if (bytes.length <= MAX_MESSAGE_BYTES) {
      try {
        parsed = varlinkKind(JSON.parse(bytes.toString('utf8')));
      } catch {
        // Not JSON: not a call.
      }
    }
    const { kind, call } = parsed;
    if (kind === 'bad-name' && call.oneway === true) {
      // Closed, or taken for a oneway call (no reply): what follows shows which.
      out.push({ key: '', orClose: true, silent: true });
      continue;
    }
    if (kind !== 'call') {
      // A reply or the connection's end; nothing after it is read.
      out.push({ key: '', orClose: true });
      break;
    }
    if (call.oneway === true) continue;
    out.push({ key: '', more: call.more === true, check: apiCallCheck('varlink', api, call.method, call.parameters) });
  }
  return out;
}
