/**
 * A listening peer-to-peer D-Bus server, as GDBusServer is to rpm-ostree's transactions: a
 * Unix socket at a random path (mode 0666: the kernel's peer credentials decide, not the
 * file), whose address (`unix:path=...`) a transaction method answers. Each connection is
 * admitted by the peer's uid from SO_PEERCRED before a byte is read (anyone else is
 * disconnected), then authenticated (EXTERNAL) and served as its own MessageBus.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type dbus from 'dbus-next';
import type { PeerCredentials } from '../../../api/peer-credentials.js';
import type { Logger } from '../../../util/logger.js';
import { peerCredentials } from '../../peer-credentials.js';
import { peerMessageBus } from './peer-connection.js';
import { authenticateExternal } from './sasl-server.js';

/** Connections one server keeps open at most (a client that opens them in a loop is refused). */
const MAX_CONNECTIONS = 32;

export interface PeerServerOptions {
  /** The directory the socket is made in (next to the daemon's socket). */
  directory: string;
  /** Whether a peer with these credentials may connect. */
  admits(peer: PeerCredentials): boolean;
  /** A connection is authenticated: export objects on `bus`. */
  onConnection(bus: dbus.MessageBus, peer: PeerCredentials): void;
  /** A connection closed (after onConnection). */
  onDisconnect(bus: dbus.MessageBus): void;
  log: Logger;
}

const SOCKET_NAME = /^apt-ostreed-transaction-[0-9a-f]{32}\.sock$/;

/** Removes transaction sockets a killed daemon left in `directory` (by their name; only sockets). */
export function removeStaleTransactionSockets(directory: string, log: Logger): void {
  let names: string[] = [];
  try {
    names = readdirSync(directory).filter((n) => SOCKET_NAME.test(n));
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(directory, name);
    try {
      if (lstatSync(path).isSocket()) rmSync(path, { force: true });
    } catch (err) {
      log.debug(`stale transaction socket ${path}: ${(err as Error).message}`);
    }
  }
}

export class PeerServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  readonly path: string;
  /** The D-Bus address clients connect to. */
  readonly address: string;
  private readonly guid = randomBytes(16).toString('hex');

  private constructor(private readonly o: PeerServerOptions) {
    this.path = join(o.directory, `apt-ostreed-transaction-${randomBytes(16).toString('hex')}.sock`);
    this.address = `unix:path=${this.path}`;
    this.server = createServer((socket) => this.accept(socket));
    this.server.on('error', (err) => o.log.warn(`transaction peer server ${this.path}: ${err.message}`));
  }

  /** A server listening at a new random path. */
  static async listen(o: PeerServerOptions): Promise<PeerServer> {
    const s = new PeerServer(o);
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(s.path, () => {
        s.server.off('error', reject);
        resolve();
      });
    });
    chmodSync(s.path, 0o666);
    return s;
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  /** Stops listening, removes the socket file and closes every connection. */
  close(): void {
    this.server.close();
    rmSync(this.path, { force: true });
    for (const socket of this.sockets) socket.destroy();
  }

  private accept(socket: Socket): void {
    const peer = peerCredentials(socket);
    if (peer === null || !this.o.admits(peer) || this.sockets.size >= MAX_CONNECTIONS) {
      this.o.log.info(`transaction peer connection refused: uid ${peer?.uid ?? '?'} pid ${peer?.pid ?? '?'}`);
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.on('error', () => socket.destroy());
    let bus: dbus.MessageBus | null = null;
    socket.once('close', () => {
      this.sockets.delete(socket);
      if (bus !== null) this.o.onDisconnect(bus);
    });
    authenticateExternal(socket, peer.uid, this.guid).then(
      (firstBytes) => {
        if (socket.destroyed) return;
        bus = peerMessageBus(socket, firstBytes, (err) => this.o.log.debug(`transaction peer connection: ${err.message}`));
        this.o.onConnection(bus, peer);
      },
      (err: Error) => {
        this.o.log.debug(`transaction peer connection not authenticated: ${err.message}`);
        socket.destroy();
      },
    );
  }
}
