import { createConnection, type Socket } from 'node:net';
import { writeWithFds } from './fd-sending.js';
import { PendingCalls, type JsonRpcRequest, type JsonRpcResponse } from './pending-calls.js';

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
 * A JSON-RPC 2.0 client over the daemon's NDJSON Unix socket: many calls in flight (matched by
 * id), notifications handed to a listener.
 */
export class JsonRpcClient {
  private readonly pending = new PendingCalls();
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
    const response = await (fds.length === 0 ? this.request(request) : this.requestWithFds(request, fds));
    if (response.error) {
      const data = (response.error.data ?? {}) as Record<string, unknown>;
      throw new RemoteError(response.error.code, response.error.message, data);
    }
    return response.result as T;
  }

  /** Sends a request (held while descriptors are being passed, unless `direct`) and awaits its response. */
  private request(request: JsonRpcRequest, direct = false): Promise<JsonRpcResponse> {
    return this.pending.call(request, () => {
      const line = JSON.stringify(request) + '\n';
      if (this.held !== null && !direct) this.held.push(line);
      else this.socket.write(line);
    });
  }

  /**
   * `rpc.passFds` announces the descriptors; once it is answered the request goes with them
   * attached (sendmsg). Other requests made meanwhile are held and follow it.
   */
  private requestWithFds(request: JsonRpcRequest, fds: readonly number[]): Promise<JsonRpcResponse> {
    const turn = this.fdTurn.then(async () => {
      if (this.closedError) throw this.closedError;
      this.held = [];
      try {
        const announce = { jsonrpc: '2.0' as const, id: this.nextId++, method: 'rpc.passFds', params: { count: fds.length } };
        const answer = await this.request(announce, true);
        if (answer.error) throw new RemoteError(answer.error.code, answer.error.message, (answer.error.data ?? {}) as Record<string, unknown>);
        const response = this.pending.call(request, () => (this.fdWrite = writeWithFds(this.socket, JSON.stringify(request) + '\n', fds)));
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
        this.pending.receive(message as unknown as JsonRpcResponse);
      }
    }
  }

  private failAll(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    this.pending.failAll(err.message);
  }
}
