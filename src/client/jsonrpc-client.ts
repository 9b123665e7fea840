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

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** Receives server → client notifications (transaction events). */
export type NotificationListener = (method: string, params: Record<string, unknown>) => void;

/**
 * A JSON-RPC 2.0 client over the daemon's NDJSON Unix socket: many calls in flight, responses
 * matched by id, notifications handed to a listener.
 */
export class JsonRpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
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

  /** Connects to the socket at `path`. */
  static connect(path: string, onNotification: NotificationListener = () => {}): Promise<JsonRpcClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        resolve(new JsonRpcClient(socket, onNotification));
      });
      socket.once('error', (err: NodeJS.ErrnoException) =>
        reject(new ConnectError(path, err.code, `cannot connect to apt-ostreed at ${path}: ${err.message}`)),
      );
    });
  }

  /** Calls a method and resolves with its result (rejects with RemoteError). */
  call<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    });
  }

  close(): void {
    this.socket.end();
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) !== -1) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      if (line.trim() !== '') this.onMessage(JSON.parse(line) as Record<string, unknown>);
    }
  }

  private onMessage(message: Record<string, unknown>): void {
    if (typeof message.method === 'string') {
      this.onNotification(message.method, (message.params ?? {}) as Record<string, unknown>);
      return;
    }
    const waiter = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
    if (waiter === undefined) return;
    this.pending.delete(message.id as number);
    if (message.error !== undefined) {
      const e = message.error as { code: number; message: string; data?: Record<string, unknown> };
      waiter.reject(new RemoteError(e.code, e.message, e.data ?? {}));
    } else {
      waiter.resolve(message.result);
    }
  }

  private failAll(err: Error): void {
    this.closedError = err;
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
  }
}
