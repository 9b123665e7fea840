/**
 * One Varlink client: NUL-terminated JSON messages. Calls are answered one after the other, in
 * the order they came (a client may pipeline several; a `more` call streams all its replies
 * before the next call starts, as the protocol wants). A message that is not a call object is
 * a protocol violation: the connection is closed. Limits as for JSON-RPC: message size, calls
 * waiting per connection (reading pauses), calls in flight per uid, unread replies (per
 * connection, per uid and over all users); connections per uid and idle ones are the socket
 * server's.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../../util/logger.js';
import type { ConnectionOptions } from '../connection-options.js';
import { MessageFramer } from '../message-framer.js';
import { ReplyWriter } from '../reply-writer.js';
import type { VarlinkCall, VarlinkEndpoint, VarlinkReply } from './varlink-endpoint.js';

function asCall(message: unknown): VarlinkCall | null {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return null;
  const m = message as Record<string, unknown>;
  if (typeof m.method !== 'string' || !/^[A-Za-z0-9.-]+\.[A-Z][A-Za-z0-9]*$/.test(m.method)) return null;
  if (m.parameters !== undefined && (typeof m.parameters !== 'object' || m.parameters === null || Array.isArray(m.parameters))) return null;
  for (const flag of ['more', 'oneway', 'upgrade'] as const) if (m[flag] !== undefined && typeof m[flag] !== 'boolean') return null;
  return m as unknown as VarlinkCall;
}

export class VarlinkConnection {
  private readonly framer: MessageFramer;
  private readonly abort = new AbortController();
  private readonly queue: VarlinkCall[] = [];
  private busyCall = false;
  private peerEnded = false;
  private closing = false;
  private readonly writer: ReplyWriter;

  constructor(
    private readonly socket: Socket,
    private readonly endpoint: VarlinkEndpoint,
    private readonly log: Logger,
    private readonly options: ConnectionOptions,
  ) {
    this.framer = new MessageFramer(
      0x00,
      options.maxMessageBytes,
      (m) => this.onMessage(m),
      () => this.violation('message too large'),
    );
    socket.on('close', () => this.abort.abort());
    this.writer = new ReplyWriter(socket, '\0', options.peer?.uid ?? -1, options.limits, options.unsent, log);
  }

  /** Whether a call runs or waits, or the connection is subscribed (then it is not idle). */
  busy(isSubscribed: (connection: AbortSignal) => boolean): boolean {
    return this.busyCall || this.queue.length > 0 || isSubscribed(this.abort.signal);
  }

  receive(chunk: Buffer): void {
    if (this.closing) return;
    this.framer.push(chunk);
    // A client that stalls in the middle of a message is disconnected, as over JSON-RPC.
    this.options.stall.update(this.framer.hasPartial);
  }

  /** The stall watchdog fired: the client sent part of a message and then nothing. */
  stalled(): void {
    this.violation('stalled in the middle of a message');
  }

  /** The client half-closed: answer what is queued, then end. */
  endOfInput(): void {
    this.peerEnded = true;
    this.endIfDone();
  }

  private onMessage(bytes: Buffer): void {
    let call: VarlinkCall | null = null;
    try {
      call = asCall(JSON.parse(bytes.toString('utf8')));
    } catch {
      call = null;
    }
    if (call === null) return this.violation('not a Varlink call');
    if (call.upgrade === true) return this.violation('protocol upgrades are not offered');
    this.queue.push(call);
    if (this.queue.length >= this.options.limits.maxInFlightPerConnection) this.socket.pause();
    this.next();
  }

  private violation(why: string): void {
    this.log.debug(`closing a Varlink connection: ${why}`);
    this.closing = true;
    this.queue.length = 0;
    this.socket.destroy();
  }

  /** Runs the next queued call when none runs and the client reads its replies. */
  private next(): void {
    if (this.busyCall || this.closing) return;
    if (this.writer.congested()) {
      this.writer.whenUncongested(() => this.next());
      return;
    }
    const call = this.queue.shift();
    if (call === undefined) {
      if (!this.socket.destroyed) this.socket.resume();
      this.endIfDone();
      return;
    }
    const uid = this.options.peer?.uid ?? -1;
    if (!this.options.uidInFlight.enter(uid)) {
      if (call.oneway !== true) {
        this.send({
          error: 'org.projectatomic.aptostree1.Sysroot.LimitExceeded',
          parameters: { message: `Too many requests in flight for uid ${uid}; try again later` },
        });
      }
      setImmediate(() => this.next());
      return;
    }
    this.busyCall = true;
    this.endpoint
      .handle(call, { peer: this.options.peer, signal: this.abort.signal }, (reply) => this.send(reply))
      .catch((err: unknown) => this.log.error('unhandled error answering a Varlink call', err))
      .finally(() => {
        this.busyCall = false;
        this.options.uidInFlight.leave(uid);
        this.next();
      });
  }

  private endIfDone(): void {
    if (this.peerEnded && !this.busyCall && this.queue.length === 0 && !this.socket.destroyed) this.socket.end();
  }

  private send(reply: VarlinkReply): void {
    this.writer.send(reply);
  }
}
