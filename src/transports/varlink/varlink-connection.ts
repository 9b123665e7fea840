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
import { IncomingFds } from '../fd-passing/incoming-fds.js';
import { announcedCount, VARLINK_PASS_FDS } from '../fd-passing/limits.js';
import { closeAll, ReceivedFds } from '../fd-passing/received-fds.js';
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
  /** Descriptor passing, from the connection's first PassFds call (docs/fd-passing.md). */
  private incoming: IncomingFds | undefined;
  /** Calls that came with descriptors, until they run. */
  private readonly callFds = new WeakMap<VarlinkCall, ReceivedFds>();

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
    this.incoming?.attach(bytes);
    const fds = this.incoming?.take(bytes);
    let call: VarlinkCall | null = null;
    try {
      call = asCall(JSON.parse(bytes.toString('utf8')));
    } catch {
      call = null;
    }
    if (fds !== undefined) {
      if (call === null || call.oneway === true) {
        closeAll(fds);
        return this.violation('descriptors came with something that is not a call expecting a reply');
      }
      // Nothing runs or waits before this call (PassFds wanted it so): its answer is in order.
      const received = ReceivedFds.accept(fds, this.abort.signal);
      if (typeof received === 'string') {
        this.log.debug(`refusing a Varlink call's descriptors: ${received}`);
        return this.send({ error: 'org.varlink.service.InvalidParameter', parameters: { parameter: 'fds' } });
      }
      this.callFds.set(call, received);
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
    if (call.method === VARLINK_PASS_FDS) return this.announceFds(call);
    const fds = this.callFds.get(call);
    const uid = this.options.peer?.uid ?? -1;
    if (!this.options.uidInFlight.enter(uid)) {
      fds?.release();
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
      .handle(call, { peer: this.options.peer, signal: this.abort.signal, fds }, (reply) => this.send(reply))
      .catch((err: unknown) => this.log.error('unhandled error answering a Varlink call', err))
      .finally(() => {
        fds?.release();
        this.busyCall = false;
        this.options.uidInFlight.leave(uid);
        this.next();
      });
  }

  /**
   * PassFds {count}: the client's next call carries `count` descriptors. It runs in its turn
   * like any call; reads are taken from libuv before the reply goes out, and nothing may
   * have been sent after it (those bytes would have lost their descriptors).
   */
  private announceFds(call: VarlinkCall): void {
    const count = announcedCount(call.parameters);
    const refuse = (why: string) => {
      this.send({ error: 'org.varlink.service.InvalidParameter', parameters: { parameter: 'count' } });
      this.log.debug(`refusing PassFds: ${why}`);
      setImmediate(() => this.next());
    };
    if (typeof count === 'string') return refuse(count);
    if (this.queue.length > 0 || this.framer.hasMore || this.socket.readableLength > 0) return refuse('send nothing more until this is answered');
    this.incoming ??= new IncomingFds(this.socket);
    this.busyCall = true;
    const awaiting = this.incoming.await(
      count,
      0x00,
      this.options.maxMessageBytes,
      this.options.limits.partialMessageTimeoutMs,
      (bytes) => {
        this.busyCall = false;
        this.receive(bytes);
        this.next();
      },
      (why) => this.violation(why),
    );
    if (!awaiting) {
      this.busyCall = false;
      return refuse('the connection cannot pass descriptors');
    }
    this.send({ parameters: { count } });
  }

  private endIfDone(): void {
    if (this.peerEnded && !this.busyCall && this.queue.length === 0 && !this.socket.destroyed) this.socket.end();
  }

  private send(reply: VarlinkReply): void {
    this.writer.send(reply);
  }
}
