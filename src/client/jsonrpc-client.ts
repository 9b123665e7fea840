import { JSONRPCClient, type JSONRPCResponse } from 'json-rpc-2.0';
import { createConnection, type Socket } from 'node:net';

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
  private readonly rpc: JSONRPCClient;
  private buffered = '';
  private closedError: Error | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly onNotification: NotificationListener,
  ) {
    this.rpc = new JSONRPCClient((payload: unknown) => {
      socket.write(JSON.stringify(payload) + '\n');
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
  async call<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    if (this.closedError) throw this.closedError;
    const response = await this.rpc.requestAdvanced({ jsonrpc: '2.0', id: this.nextId++, method, params });
    if (response.error) {
      const data = (response.error.data ?? {}) as Record<string, unknown>;
      throw new RemoteError(response.error.code, response.error.message, data);
    }
    return response.result as T;
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
