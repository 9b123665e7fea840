import type { Socket } from 'node:net';
import { ApiError, JsonRpcCode, ProtocolError } from '../../api/errors.js';
import type { CallContext } from '../../dispatcher/call-context.js';
import type { Logger } from '../../util/logger.js';
import type { ConnectionOptions } from '../connection-options.js';
import { MessageFramer } from '../message-framer.js';
import { ReplyWriter } from '../reply-writer.js';
import type { TurnBudget } from '../request-turns.js';
import { IncomingFds } from '../fd-passing/incoming-fds.js';
import { announcedCount, JSONRPC_PASS_FDS } from '../fd-passing/limits.js';
import { ReceivedFds, closeAll } from '../fd-passing/received-fds.js';
import { batchTooLong } from './envelope.js';
import { jsonRpcError } from './error-object.js';
import type { JsonRpcEndpoint } from './jsonrpc-endpoint.js';

/**
 * One JSON-RPC client over NDJSON: one JSON text per line in both directions. Requests are
 * answered as they complete (many may be in flight). When the client half-closes, the
 * connection ends after its last pending reply.
 */
export class JsonRpcConnection {
  private readonly framer: MessageFramer;
  private readonly abort = new AbortController();
  private readonly ctx: CallContext;
  private readonly writer: ReplyWriter;
  private readonly uid: number;
  /** Requests being answered (a batch counts as its length). */
  private pending = 0;
  private peerEnded = false;
  /** Lines read while at the in-flight limit, answered as earlier requests complete. */
  private readonly backlog: Buffer[] = [];
  /** Refused (message too large): nothing more is read or answered. */
  private closing = false;
  /** Descriptor passing, from the connection's first `rpc.passFds` (docs/fd-passing.md). */
  private incoming: IncomingFds | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly endpoint: JsonRpcEndpoint,
    private readonly log: Logger,
    private readonly options: ConnectionOptions,
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
      // The one place a transaction event gets its JSON-RPC name: the notification `Transaction.<type>`.
      transactionEvent: (transaction, { type, ...fields }) => this.send({ jsonrpc: '2.0', method: `Transaction.${type}`, params: { transaction, ...fields } }),
      signal: this.abort.signal,
    };
    this.uid = options.peer?.uid ?? -1;
    this.writer = new ReplyWriter(socket, '\n', this.uid, options.limits, options.unsent, log);
    socket.on('close', () => this.abort.abort());
    socket.on('error', (err) => this.log.debug('connection error', err.message));
  }

  /** Whether requests are in flight or waiting, or the connection is subscribed (then it is not idle). */
  busy(isSubscribed: (connection: AbortSignal) => boolean): boolean {
    return this.pending > 0 || this.backlog.length > 0 || this.incoming?.awaiting === true || isSubscribed(this.abort.signal);
  }

  /** Feed bytes read from the socket (the first chunk may have been read by the classifier). */
  receive(chunk: Buffer): void {
    if (this.closing) return;
    this.framer.push(chunk);
    this.watchPartial();
  }

  /** Root's requests are answered as they are read; others wait for their turn (RequestTurns). */
  private get inTurns(): boolean {
    return this.uid !== 0;
  }

  private onLine(line: Buffer): void {
    this.incoming?.attach(line);
    if (this.inTurns || this.pending >= this.options.limits.maxInFlightPerConnection || this.backlog.length > 0 || this.congested()) {
      this.backlog.push(line);
      this.socket.pause();
      if (this.inTurns) this.options.turns.request(this.answerTurn);
      return;
    }
    this.process(line);
  }

  /** The client is not reading its replies fast enough, or its uid (or all users) has too many unsent. */
  private congested(): boolean {
    if (!this.writer.congested()) return false;
    this.writer.whenUncongested(() => this.pump());
    return true;
  }

  /** Answers backlogged lines (now for root, in a turn for others). */
  private pump(): void {
    if (this.inTurns && this.backlog.length > 0) this.options.turns.request(this.answerTurn);
    else this.answerBacklog({ left: Infinity });
  }

  private readonly answerTurn = (budget: TurnBudget): boolean => this.answerBacklog(budget);

  /**
   * Answers backlogged lines while there is room and budget; reads again when the backlog is
   * empty. True when lines are left that could be answered now (budget ran out).
   */
  private answerBacklog(budget: TurnBudget): boolean {
    const room = () => this.pending < this.options.limits.maxInFlightPerConnection && !this.congested();
    while (this.backlog.length > 0 && budget.left > 0 && room()) {
      budget.left -= this.process(this.backlog.shift() as Buffer);
    }
    if (this.backlog.length === 0 && !this.congested() && !this.socket.destroyed && !this.closing) {
      this.socket.resume();
      this.watchPartial();
    }
    this.endIfDone();
    return this.backlog.length > 0 && room();
  }

  /** A client that sent half a message and stalls is disconnected after a while. */
  private watchPartial(): void {
    // A connection the daemon stopped reading (back-pressure) is not a stalled one.
    this.options.stall.update(this.framer.hasPartial && this.backlog.length === 0 && !this.socket.isPaused());
  }

  /** The stall watchdog fired: the client sent part of a message and then nothing. */
  stalled(): void {
    this.log.debug('closing a connection that stalled in the middle of a message');
    this.socket.destroy();
  }

  /** Answers one line; returns how many requests it held (a batch its length, else 1). */
  private process(line: Buffer): number {
    const fds = this.incoming?.take(line);
    if (fds !== undefined) return this.processWithFds(line, fds);
    const text = line.toString('utf8');
    // Blank lines (keep-alives, stray \r\n) are not requests. JSON texts start with '{' or '['
    // almost always, so the trim only runs for lines that start with whitespace.
    if (text.length === 0 || (text.charCodeAt(0) <= 0x20 && text.trim() === '')) return 1;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (err) {
      this.send({ jsonrpc: '2.0', id: null, error: jsonRpcError(new ProtocolError(JsonRpcCode.ParseError, `Parse error: ${(err as Error).message}`)) });
      return 1;
    }
    // An empty batch is one (invalid) request: it is answered too.
    const weight = Array.isArray(message) ? Math.max(1, message.length) : 1;
    if (weight > this.options.limits.maxBatchLength) {
      this.send(batchTooLong(weight, this.options.limits.maxBatchLength));
      return 1;
    }
    if (!Array.isArray(message) && (message as { method?: unknown } | null)?.method === JSONRPC_PASS_FDS) {
      this.announceFds(message as { id?: unknown; params?: unknown });
      return 1;
    }
    void this.answer(message, weight);
    return weight;
  }

  /**
   * `rpc.passFds {count}`: the client's next line carries `count` descriptors. Reads are taken
   * from libuv before the answer goes out; anything the client sent before it would have lost
   * its descriptors, so the announcement must be the last thing read.
   */
  private announceFds(request: { id?: unknown; params?: unknown }): void {
    const id = request.id ?? null;
    const refuse = (why: string) =>
      this.send({ jsonrpc: '2.0', id, error: jsonRpcError(new ProtocolError(JsonRpcCode.InvalidRequest, `${JSONRPC_PASS_FDS}: ${why}`)) });
    const count = announcedCount(request.params);
    if (typeof count === 'string') return refuse(count);
    if (this.backlog.length > 0 || this.framer.hasMore || this.socket.readableLength > 0) return refuse('send nothing more until this is answered');
    this.incoming ??= new IncomingFds(this.socket);
    const awaiting = this.incoming.await(
      count,
      0x0a,
      this.options.maxMessageBytes,
      this.options.limits.partialMessageTimeoutMs,
      (bytes) => this.receive(bytes),
      (why) => {
        this.log.debug(`closing a connection: ${why}`);
        this.socket.destroy();
      },
    );
    if (!awaiting) return refuse('the connection cannot pass descriptors');
    this.send({ jsonrpc: '2.0', id, result: { count } });
  }

  /** A line that came with descriptors: one request with an id; the descriptors are checked first. */
  private processWithFds(line: Buffer, fds: number[]): number {
    let message: unknown;
    try {
      message = JSON.parse(line.toString('utf8'));
    } catch {
      message = undefined;
    }
    const id = typeof message === 'object' && message !== null && !Array.isArray(message) ? (message as { id?: unknown }).id : undefined;
    const refuse = (why: string) => {
      closeAll(fds);
      this.send({ jsonrpc: '2.0', id: id ?? null, error: jsonRpcError(new ProtocolError(JsonRpcCode.InvalidRequest, `Invalid Request: ${why}`)) });
      return 1;
    };
    if (id === undefined) return refuse('descriptors came with something that is not a request with an id');
    const received = ReceivedFds.accept(fds, this.abort.signal);
    if (typeof received === 'string') return refuse(received);
    void this.answer(message, 1, received);
    return 1;
  }

  private async answer(message: unknown, weight: number, fds?: ReceivedFds): Promise<void> {
    const uid = this.uid;
    if (!this.options.uidInFlight.enter(uid, weight)) {
      // Refused like the request would have been answered: notifications get nothing, a batch an array.
      const error = jsonRpcError(new ApiError('LimitExceeded', `Too many requests in flight for uid ${uid}; try again later`));
      const idOf = (m: unknown) => (typeof m === 'object' && m !== null && 'id' in m ? (m as { id: unknown }).id : undefined);
      const replies = (Array.isArray(message) ? message : [message])
        .filter((m) => idOf(m) !== undefined)
        .map((m) => ({ jsonrpc: '2.0', id: idOf(m) ?? null, error }));
      if (Array.isArray(message) && replies.length > 0) this.send(replies);
      else if (replies.length === 1) this.send(replies[0]);
      fds?.release();
      return;
    }
    this.pending += weight;
    try {
      const response = await this.endpoint.handle(message, fds === undefined ? this.ctx : { ...this.ctx, fds });
      if (response !== null) this.send(response);
    } catch (err) {
      this.log.error('unhandled error answering a request', err);
    } finally {
      fds?.release();
      this.pending -= weight;
      this.options.uidInFlight.leave(uid, weight);
      this.pump();
    }
  }

  private onOverflow(bytes: number, limit: number): void {
    const error = jsonRpcError(
      new ApiError('MessageTooLarge', `Message of more than ${limit} bytes refused; closing the connection`, { limit, received: bytes }),
    );
    this.send({ jsonrpc: '2.0', id: null, error });
    this.closing = true;
    this.backlog.length = 0;
    this.socket.end();
    // Read away the rest of the message so the client's close is seen; never linger.
    this.socket.resume();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** The client half-closed: answer what is pending, then end. */
  endOfInput(): void {
    // A last message without its newline still counts: `printf '{...}' | socat` is common.
    this.options.stall.stop();
    const rest = this.framer.rest();
    if (rest.length > 0) this.onLine(rest);
    this.peerEnded = true;
    this.endIfDone();
  }

  private endIfDone(): void {
    if (this.peerEnded && this.pending === 0 && this.backlog.length === 0 && !this.socket.destroyed) this.socket.end();
  }

  private send(message: unknown): void {
    this.writer.send(message);
  }
}
