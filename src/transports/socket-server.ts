import { chmodSync, lstatSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../util/logger.js';
import { JsonRpcConnection } from './jsonrpc/jsonrpc-connection.js';
import { peerCredentials } from './peer-credentials.js';
import { peerHungUp } from './peer-hangup.js';
import { UidInFlight, type ConnectionLimits } from './connection-limits.js';
import { ConnectionAdmission } from './connection-admission.js';
import { IdleWatch } from './idle-watch.js';
import { UnsentBudget } from './unsent-budget.js';
import { RequestTurns } from './request-turns.js';
import { StallWatchdog } from './stall-watchdog.js';
import type { ConnectionOptions } from './connection-options.js';
import { ApiError } from '../api/errors.js';
import type { JsonRpcEndpoint } from './jsonrpc/jsonrpc-endpoint.js';
import { jsonRpcError } from './jsonrpc/error-object.js';
import { VarlinkConnection } from './varlink/varlink-connection.js';
import type { VarlinkEndpoint } from './varlink/varlink-endpoint.js';

export interface SocketServerOptions {
  /** Largest message accepted on any protocol, in bytes. */
  maxMessageBytes: number;
  limits: ConnectionLimits;
  /** Called when a connection opens or closes (idle exit). */
  onConnectionsChanged?: () => void;
  /** Whether a connection (its calls' abort signal) is subscribed, e.g. Sysroot.RegisterClient: not idle. */
  isSubscribed?: (connection: AbortSignal) => boolean;
}

/** Non-root JSON-RPC requests answered per turn of the event loop (RequestTurns). */
const REQUESTS_PER_TURN = 64;

const NEWLINE = 0x0a;
const NUL = 0x00;

/**
 * The daemon's one socket. Each connection is classified by its first message terminator:
 * `\n` first → JSON-RPC 2.0 over NDJSON; `\0` first → Varlink (docs/design-decisions.md, "Transports").
 */
export class SocketServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly uidInFlight: UidInFlight;
  private readonly admission: ConnectionAdmission;
  private readonly unsent: UnsentBudget;
  private readonly turns = new RequestTurns(REQUESTS_PER_TURN);

  constructor(
    private readonly jsonRpc: JsonRpcEndpoint,
    private readonly varlink: VarlinkEndpoint,
    private readonly log: Logger,
    private readonly options: SocketServerOptions,
  ) {
    // allowHalfOpen: a client that half-closes after sending (socat, nc -N) still gets its replies.
    this.uidInFlight = new UidInFlight(options.limits.maxInFlightPerUid);
    this.admission = new ConnectionAdmission(options.limits);
    this.unsent = new UnsentBudget(options.limits.unsentBytesPerUid, options.limits.unsentBytesNonRoot);
    this.server = createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
    this.server.on('error', (err) => this.log.error('listening socket error', err));
  }

  /** Number of open client connections. */
  get connectionCount(): number {
    return this.sockets.size;
  }

  /** Listen on a socket passed by systemd. */
  listenFd(fd: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ fd }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /**
   * Bind a path (mode 0666: everyone may read status; methods are authorized one by one). The
   * socket is bound under a temporary name, made 0666, then renamed into place: whoever can
   * connect to `path` finds it with its final mode (a daemon paused between bind and chmod
   * left a socket only root could use).
   */
  async listenPath(path: string): Promise<void> {
    await removeStaleSocket(path);
    const bound = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    rmSync(bound, { force: true });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(bound, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    chmodSync(bound, 0o666);
    renameSync(bound, path);
    // The server removes the name it bound when it closes; the socket now has another.
    this.server.once('close', () => rmSync(path, { force: true }));
  }

  /** Stop accepting, and close every connection. */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => {
      if (!this.server.listening) resolve();
      else this.server.close(() => resolve());
    });
  }

  /** Stop accepting new connections; the open ones go on (their replies still go out). */
  stopAccepting(): void {
    if (this.server.listening) this.server.close();
  }

  private accept(socket: Socket): void {
    const peer = peerCredentials(socket);
    const uid = peer?.uid ?? -1;
    const admitted = this.admission.admit(uid);
    if (!admitted.admitted) {
      refuse(socket, admitted.reason);
      return;
    }
    this.sockets.add(socket);
    this.options.onConnectionsChanged?.();
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.admission.leave(uid);
      this.options.onConnectionsChanged?.();
    });
    socket.on('error', () => {});
    let seen: Buffer[] = [];
    let seenBytes = 0;
    /** The protocol's connection once the first terminator told which one it is. */
    let connection: JsonRpcConnection | VarlinkConnection | undefined;
    // Before the framing is known, a stalled first message just closes the connection.
    const stall = new StallWatchdog(this.options.limits.partialMessageTimeoutMs, () => (connection === undefined ? socket.destroy() : connection.stalled()));
    const isSubscribed = this.options.isSubscribed ?? (() => false);
    const idle = new IdleWatch(
      this.options.limits.idleTimeoutMs,
      () => connection?.busy(isSubscribed) ?? false,
      () => {
        this.log.debug(`closing an idle connection (uid ${uid})`);
        socket.destroy();
      },
    );
    socket.on('close', () => {
      stall.stop();
      idle.stop();
    });
    const options: ConnectionOptions = {
      maxMessageBytes: this.options.maxMessageBytes,
      peer,
      limits: this.options.limits,
      uidInFlight: this.uidInFlight,
      unsent: this.unsent,
      turns: this.turns,
      stall,
    };
    /** Hands what was read so far to the protocol's new connection. */
    const start = (c: JsonRpcConnection | VarlinkConnection): void => {
      stall.stop();
      connection = c;
      const buffered = Buffer.concat(seen);
      seen = [];
      c.receive(buffered);
    };
    const onData = (chunk: Buffer) => {
      idle.activity();
      if (connection !== undefined) {
        connection.receive(chunk);
        return;
      }
      seen.push(chunk);
      seenBytes += chunk.length;
      const nl = chunk.indexOf(NEWLINE);
      const nul = chunk.indexOf(NUL);
      if (nl === -1 && nul === -1 && seenBytes <= this.options.maxMessageBytes) {
        // Part of a first message: a client that stalls here is disconnected like any other.
        stall.update(true);
        return;
      }
      if (nul !== -1 && (nl === -1 || nul < nl)) start(new VarlinkConnection(socket, this.varlink, this.log, options));
      else start(new JsonRpcConnection(socket, this.jsonRpc, this.log, options));
    };
    socket.on('data', onData);
    socket.on('end', () => {
      // Gone altogether (not a half-close): nobody to answer; its queued work is dropped now.
      if (peerHungUp(socket)) {
        socket.destroy();
        return;
      }
      // A client that half-closes before any terminator: what it sent is one JSON-RPC message.
      if (connection === undefined && seen.length > 0) start(new JsonRpcConnection(socket, this.jsonRpc, this.log, options));
      if (connection !== undefined) connection.endOfInput();
      else socket.end();
    });
  }
}

/** Answers LimitExceeded and closes, without keeping the socket long. */
function refuse(socket: Socket, reason: string): void {
  const error = jsonRpcError(new ApiError('LimitExceeded', reason));
  socket.on('error', () => {});
  // Read away what the client sends (so its close is seen) and never keep the socket long.
  socket.resume();
  socket.on('end', () => socket.destroy());
  socket.end(JSON.stringify({ jsonrpc: '2.0', id: null, error }) + '\n');
  setTimeout(() => socket.destroy(), 1000).unref();
}

/**
 * Removes a socket file left by a previous run, but never a live socket (another daemon is
 * listening) or a file that is not a socket.
 */
async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return;
  }
  if (!isSocket) throw new Error(`${path} exists and is not a socket`);
  const live = await new Promise<boolean>((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new Error(`${path} is in use by another process`);
  unlinkSync(path);
}
