// The client alone: the package's index also loads its server, which a client never uses.
import { JSONRPCClient } from 'json-rpc-2.0/dist/client.js';
import type { JSONRPCRequest, JSONRPCResponse } from 'json-rpc-2.0/dist/models.js';
import { createConnection, type Socket } from 'node:net';
import { writeWithFds } from './fd-sending.js';

/** The daemon's socket could not be reached. */
export class ConnectError extends Error {
  constructor(
    readonly socketPath: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

/** The daemon answered with a JSON-RPC error. */
export class RemoteError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'RemoteError';
  }

  /** Short error name (`InvalidSysroot`) from `data.name`. */
  get errorName(): string {
    const full = typeof this.data.name === 'string' ? this.data.name : '';
    return full.slice(full.lastIndexOf('.') + 1);
  }
}

/** Receives server → client notifications (transaction events). */
export type NotificationListener = (method: string, params: Record<string, unknown>) => void;

/** Options of one call. */
export interface CallOptions {
  /**
   * Open files passed with the request (SCM_RIGHTS; docs/fd-passing.md): params name them
   * by index, `{"fd": 0}` for the first. They stay open here; the caller closes them.
   */
  fds?: readonly number[];
}

/** How the transport writes one request: with descriptors, or ahead of held requests. */
interface SendOptions {
  fds?: readonly number[];
  direct?: boolean;
}

/** How long a connection refused for a full backlog (EAGAIN) is tried again. */
const CONNECT_RETRY_MS = 5000;

function connectOnce(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => reject(new ConnectError(path, err.code, `cannot connect to apt-ostreed at ${path}: ${err.message}`)));
  });
}

/**
 * A JSON-RPC 2.0 client over the daemon's NDJSON Unix socket (json-rpc-2.0's JSONRPCClient
 * for ids and matching): many calls in flight, notifications handed to a listener.
 */
export class JsonRpcClient {
  private readonly rpc: JSONRPCClient<SendOptions | void>;
  /** The write of the last request with descriptors. */
  private fdWrite: Promise<void> = Promise.resolve();
  /** While descriptors are being passed, other requests wait here (nothing may come between). */
  private held: string[] | null = null;
  /** Calls with descriptors, one after the other. */
  private fdTurn: Promise<unknown> = Promise.resolve();
  private buffered = '';
  private closedError: Error | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly onNotification: NotificationListener,
  ) {
    this.rpc = new JSONRPCClient<SendOptions | void>((payload: unknown, options: SendOptions | void) => {
      const line = JSON.stringify(payload) + '\n';
      if (options?.fds !== undefined) return (this.fdWrite = writeWithFds(socket, line, options.fds));
      if (this.held !== null && options?.direct !== true) this.held.push(line);
      else socket.write(line);
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('close', () => this.failAll(new Error('connection to apt-ostreed closed')));
    socket.on('error', (err) => this.failAll(err));
  }

  /**
   * Connects to the socket at `path`. A full listen backlog (EAGAIN: the daemon is accepting
   * a burst of connections) is tried again for a few seconds, as a busy server is not a down one.
   */
  static async connect(path: string, onNotification: NotificationListener = () => {}): Promise<JsonRpcClient> {
    const deadline = Date.now() + CONNECT_RETRY_MS;
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      try {
        return new JsonRpcClient(await connectOnce(path), onNotification);
      } catch (err) {
        if (!(err instanceof ConnectError) || err.code !== 'EAGAIN' || Date.now() >= deadline) throw err;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /** Calls a method and resolves with its result (rejects with RemoteError). */
  async call<T = unknown>(method: string, params: Record<string, unknown> = {}, options: CallOptions = {}): Promise<T> {
    if (this.closedError) throw this.closedError;
    const fds = options.fds ?? [];
    const request = { jsonrpc: '2.0' as const, id: this.nextId++, method, params };
    const response = await (fds.length === 0 ? this.rpc.requestAdvanced(request) : this.requestWithFds(request, fds));
    if (response.error) {
      const data = (response.error.data ?? {}) as Record<string, unknown>;
      throw new RemoteError(response.error.code, response.error.message, data);
    }
    return response.result as T;
  }

  /**
   * `rpc.passFds` announces the descriptors; once it is answered the request goes with them
   * attached (sendmsg). Other requests made meanwhile are held and follow it.
   */
  private requestWithFds(request: JSONRPCRequest, fds: readonly number[]): Promise<JSONRPCResponse> {
    const turn = this.fdTurn.then(async () => {
      if (this.closedError) throw this.closedError;
      this.held = [];
      try {
        const announce = { jsonrpc: '2.0' as const, id: this.nextId++, method: 'rpc.passFds', params: { count: fds.length } };
        const answer = await this.rpc.requestAdvanced(announce, { direct: true });
        if (answer.error) throw new RemoteError(answer.error.code, answer.error.message, (answer.error.data ?? {}) as Record<string, unknown>);
        const response = Promise.resolve(this.rpc.requestAdvanced(request, { fds }));
        // Its rejection is the caller's (returned below); the write's is awaited here.
        response.catch(() => {});
        await this.fdWrite;
        return response;
      } finally {
        this.releaseHeld();
      }
    });
    this.fdTurn = turn.catch(() => undefined);
    return turn;
  }

  private releaseHeld(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const line of held) this.socket.write(line);
  }

  close(): void {
    this.socket.end();
  }

  private nextId = 1;

  private onData(chunk: string): void {
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) !== -1) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      if (line.trim() === '') continue;
      const message = JSON.parse(line) as Record<string, unknown>;
      if (typeof message.method === 'string') {
        this.onNotification(message.method, (message.params ?? {}) as Record<string, unknown>);
      } else {
        this.rpc.receive(message as unknown as JSONRPCResponse);
      }
    }
  }

  private failAll(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    this.rpc.rejectAllPendingRequests(err.message);
  }
}
