/**
 * Sysroot.RegisterClient / UnregisterClient: registered clients keep the daemon from exiting
 * when idle. A client is its connection (the call context's abort signal, aborted when the
 * connection closes, which unregisters it).
 */
export class ClientRegistry {
  private readonly clients = new Map<AbortSignal, string>();

  constructor(private readonly changed: () => void) {}

  get size(): number {
    return this.clients.size;
  }

  /** Whether this connection registered (it is then not an idle one). */
  has(connection: AbortSignal): boolean {
    return this.clients.has(connection);
  }

  register(connection: AbortSignal, id: string): void {
    if (connection.aborted) return;
    const known = this.clients.has(connection);
    this.clients.set(connection, id);
    if (!known) connection.addEventListener('abort', () => this.unregister(connection), { once: true });
    this.changed();
  }

  unregister(connection: AbortSignal): void {
    if (this.clients.delete(connection)) this.changed();
  }
}
