import type { Socket } from 'node:net';
import { ApiError, JsonRpcCode, STANDARD_ERROR_NAMES } from '../../api/errors.js';
import type { CallContext, PeerCredentials } from '../../dispatcher/call-context.js';
import type { Logger } from '../../daemon/logger.js';
import { stringifyCached } from '../cached-json.js';
import { MessageFramer } from '../message-framer.js';
import type { JsonRpcEndpoint } from './jsonrpc-endpoint.js';

export interface ConnectionOptions {
  maxMessageBytes: number;
  peer: PeerCredentials | null;
}

/**
 * One JSON-RPC client over NDJSON: one JSON text per line in both directions. Requests are
 * answered as they complete (many may be in flight). When the client half-closes, the
 * connection ends after its last pending reply.
 */
export class JsonRpcConnection {
  private readonly framer: MessageFramer;
  private readonly abort = new AbortController();
  private readonly ctx: CallContext;
  private pending = 0;
  private peerEnded = false;

  constructor(
    private readonly socket: Socket,
    private readonly endpoint: JsonRpcEndpoint,
    private readonly log: Logger,
    options: ConnectionOptions,
  ) {
    this.framer = new MessageFramer(
      0x0a,
      options.maxMessageBytes,
      (line) => this.onLine(line),
      (bytes) => this.onOverflow(bytes, options.maxMessageBytes),
    );
    this.ctx = {
      transport: 'jsonrpc',
      peer: options.peer,
      notify: (method, params) => this.send({ jsonrpc: '2.0', method, params }),
      signal: this.abort.signal,
    };
    socket.on('close', () => this.abort.abort());
    socket.on('error', (err) => this.log.debug('connection error', err.message));
  }

  /** Feed bytes read from the socket (the first chunk may have been read by the classifier). */
  receive(chunk: Buffer): void {
    this.framer.push(chunk);
  }

  private onLine(line: Buffer): void {
    const text = line.toString('utf8');
    // Blank lines (keep-alives, stray \r\n) are not requests. JSON texts start with '{' or '['
    // almost always, so the trim only runs for lines that start with whitespace.
    if (text.length === 0 || (text.charCodeAt(0) <= 0x20 && text.trim() === '')) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (err) {
      this.send({
        jsonrpc: '2.0',
        id: null,
        error: {
          code: JsonRpcCode.ParseError,
          message: `Parse error: ${(err as Error).message}`,
          data: { name: STANDARD_ERROR_NAMES[JsonRpcCode.ParseError] },
        },
      });
      return;
    }
    void this.answer(message);
  }

  private async answer(message: unknown): Promise<void> {
    this.pending++;
    try {
      const response = await this.endpoint.handle(message, this.ctx);
      if (response !== null) this.send(response);
    } catch (err) {
      this.log.error('unhandled error answering a request', err);
    } finally {
      this.pending--;
      this.endIfDone();
    }
  }

  private onOverflow(bytes: number, limit: number): void {
    const error = new ApiError('MessageTooLarge', `Message of more than ${limit} bytes refused; closing the connection`, {
      limit,
      received: bytes,
    }).toJsonRpc();
    this.send({ jsonrpc: '2.0', id: null, error });
    this.socket.pause();
    this.socket.end();
  }

  /** The client half-closed: answer what is pending, then end. */
  endOfInput(): void {
    // A last message without its newline still counts: `printf '{...}' | socat` is common.
    const rest = this.framer.rest();
    if (rest.length > 0) this.onLine(rest);
    this.peerEnded = true;
    this.endIfDone();
  }

  private endIfDone(): void {
    if (this.peerEnded && this.pending === 0 && !this.socket.destroyed) this.socket.end();
  }

  private send(message: unknown): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    this.socket.write(stringifyCached(message) + '\n');
  }
}
