/**
 * One transaction as rpm-ostree's clients see it: a transaction method answers at once with a
 * peer-to-peer D-Bus address (a socket of this object's, peer-server.ts); the client connects
 * to it (`g_dbus_connection_new_for_address_sync`) and finds the transaction at `/`. The work
 * is queued when a client calls `Start()` (true for the call that queued it, false when it
 * joined an identical running one or had already been started); progress comes as signals
 * (`Message`, `TaskBegin`, `TaskEnd`, `PercentProgress`, `DownloadProgress`,
 * `SignatureProgress`, `ProgressEnd`, `Finished`) to every connected client; `Finished` is
 * sent again to a client that calls `Start()` after the end.
 *
 * Only the initiating uid and root may connect (SO_PEERCRED, checked before a byte is read),
 * so every caller on the connection may start, cancel and read the initiator's description.
 * The object lives until the transaction finished and its clients are gone; a transaction
 * never started is dropped when its initiator leaves the bus.
 */
import dbus from 'dbus-next';
import { DBUS_TRANSACTION_INTERFACE, dbusInterfaceName } from '../../api/dbus-signatures.js';
import type { TransactionEventData } from '../../api/types/transaction-event.js';
import type { CallContext, PeerCredentials } from '../../dispatcher/call-context.js';
import type { Dispatcher } from '../../dispatcher/dispatcher.js';
import type { Logger } from '../../util/logger.js';
import { downloadProgressArgs, signatureVariants } from './progress-signals.js';
import { PeerServer } from './peer-to-peer/peer-server.js';

/** How long a transaction waits for its first client (to Start() it, or to read how it ended). */
const UNCLAIMED_MS = 60_000;

export interface TransactionObjectOptions {
  /** Where the transaction's socket is made. */
  directory: string;
  dispatcher: Dispatcher;
  /** Runs the authorized transaction method (detached): its transaction, and whether it joined one. */
  run: () => Promise<Submitted>;
  /** Already started (AutomaticUpdateTrigger): follow it now; Start() answers false. */
  startNow: boolean;
  /** The initiator's context (peer credentials; its signal aborts when the initiator leaves the bus). */
  ctx: CallContext;
  title: string;
  /** Who started it (uid, pid, bus name). */
  client: string;
  /** Turns an error into the D-Bus error the caller gets. */
  toDbusError: (err: unknown) => dbus.DBusError;
  /** The transaction id once it is queued. */
  onSubmitted: (id: string) => void;
  /** The object is gone (its socket closed). */
  onRemoved: () => void;
  log: Logger;
}

/** The transaction a method submitted; `joined`: it joined an identical one. */
export interface Submitted {
  transaction: string;
  joined: boolean;
}

const accessDenied = (text: string): dbus.DBusError => new dbus.DBusError('org.freedesktop.DBus.Error.AccessDenied', text);

type Signal = (...args: unknown[]) => unknown;

export class DbusTransactionObject {
  private readonly iface: dbus.interface.Interface & Record<string, Signal | unknown>;
  private server: PeerServer | null = null;
  private readonly buses = new Map<dbus.MessageBus, PeerCredentials>();
  /** The peer whose method call is being dispatched (set by a method handler just before). */
  private caller: PeerCredentials | null = null;
  private id: string | null = null;
  private finished: [boolean, string] | null = null;
  private starting: Promise<boolean> | null = null;
  private downloadStart = 0;
  private removed = false;
  private everConnected = false;

  private constructor(private readonly o: TransactionObjectOptions) {
    const self = (): DbusTransactionObject => this;
    class TransactionIface extends dbus.interface.Interface {
      get Title(): string {
        return self().o.title;
      }
      get InitiatingClientDescription(): string {
        return self().o.client;
      }
      Start(): Promise<boolean> {
        return self().start();
      }
      Cancel(): Promise<void> {
        return self().cancel();
      }
    }
    const proto = TransactionIface.prototype as unknown as Record<string, Signal>;
    const signals: Record<string, dbus.interface.SignalOptions> = {};
    for (const s of DBUS_TRANSACTION_INTERFACE.signals) {
      signals[s.name] = { signature: s.args.map((a) => a.type).join('') };
      // dbus-next emits a signal when its method is called; the return value is the body.
      proto[s.name] = (...args: unknown[]) => (args.length === 1 ? args[0] : args);
    }
    TransactionIface.configureMembers({
      properties: Object.fromEntries(DBUS_TRANSACTION_INTERFACE.properties.map((p) => [p.name, { signature: p.type, access: 'read' as const }])),
      methods: { Start: { inSignature: '', outSignature: 'b' }, Cancel: { inSignature: '', outSignature: '' } },
      signals,
    });
    this.iface = new TransactionIface(dbusInterfaceName('Transaction')) as unknown as typeof this.iface;
  }

  /** A transaction object listening at its own address. */
  static async create(o: TransactionObjectOptions): Promise<DbusTransactionObject> {
    const t = new DbusTransactionObject(o);
    const initiator = o.ctx.peer?.uid;
    t.server = await PeerServer.listen({
      directory: o.directory,
      admits: (peer) => peer.uid === 0 || peer.uid === initiator,
      onConnection: (bus, peer) => t.connected(bus, peer),
      onDisconnect: (bus) => t.disconnected(bus),
      log: o.log,
    });
    if (o.startNow) {
      t.starting = t.submit().then(() => false);
      t.starting.catch(() => {});
    } else {
      // rpm-ostree's rule: a client that leaves before Start() abandons the transaction.
      o.ctx.signal.addEventListener('abort', () => {
        if (t.starting === null) t.remove();
      });
    }
    t.removeIfUnclaimed();
    return t;
  }

  /** The peer-to-peer address clients connect to. */
  get address(): string {
    return this.server?.address ?? '';
  }

  get title(): string {
    return this.o.title;
  }

  /** Goes after UNCLAIMED_MS unless a client connected (and, once finished, as soon as its clients are gone). */
  private removeIfUnclaimed(): void {
    setTimeout(() => {
      if (!this.everConnected && (this.starting === null || this.finished !== null)) this.remove();
    }, UNCLAIMED_MS).unref();
  }

  private connected(bus: dbus.MessageBus, peer: PeerCredentials): void {
    this.everConnected = true;
    this.buses.set(bus, peer);
    bus.addMethodHandler(() => {
      this.caller = peer;
      return false;
    });
    bus.export('/', this.iface);
  }

  private disconnected(bus: dbus.MessageBus): void {
    if (!this.buses.delete(bus)) return;
    try {
      bus.unexport('/', this.iface);
    } catch {
      // Already gone with its connection.
    }
    if (this.finished !== null && this.buses.size === 0) this.remove();
  }

  /** Closes its socket and its clients' connections now (the daemon stops). */
  close(): void {
    this.remove();
  }

  private remove(): void {
    if (this.removed) return;
    this.removed = true;
    this.server?.close();
    for (const bus of this.buses.keys()) bus.unexport('/', this.iface);
    this.buses.clear();
    this.o.onRemoved();
  }

  private emit(name: string, ...args: unknown[]): void {
    (this.iface[name] as Signal)(...args);
  }

  /** Queues the work on the first call; later calls answer false (and repeat Finished after the end). */
  private async start(): Promise<boolean> {
    const caller = this.caller;
    if (caller === null || (caller.uid !== 0 && caller.uid !== this.o.ctx.peer?.uid)) {
      throw accessDenied('Only the user who requested this transaction, or root, may start it');
    }
    if (this.starting !== null) {
      await this.starting.catch(() => false);
      if (this.finished !== null) this.emit('Finished', ...this.finished);
      return false;
    }
    this.starting = this.submit();
    return this.starting;
  }

  private async submit(): Promise<boolean> {
    const watchCtx = (): CallContext => ({ ...this.o.ctx, transactionEvent: (_transaction, event) => this.onEvent(event) });
    let started: boolean;
    try {
      const { transaction, joined } = await this.o.run();
      this.id = transaction;
      this.o.onSubmitted(transaction);
      started = !joined;
    } catch (err) {
      const dbusError = this.o.toDbusError(err);
      this.onEvent({ type: 'Finished', success: false, errorMessage: dbusError.text });
      throw dbusError;
    }
    // Follow it to the end in the background: Transaction.Watch replays past events first.
    void this.o.dispatcher.call('Transaction.Watch', { id: this.id }, watchCtx()).catch(() => {
      if (this.finished === null) this.onEvent({ type: 'Finished', success: false, errorMessage: 'The transaction could not be followed' });
    });
    return started;
  }

  private async cancel(): Promise<void> {
    const caller = this.caller;
    if (caller === null) throw accessDenied('The caller could not be identified');
    if (this.starting === null) {
      // Nothing of it in the engine: it ends here, and a later Start() only repeats Finished.
      this.starting = Promise.resolve(false);
      this.onEvent({ type: 'Finished', success: false, errorMessage: 'Cancelled before it started' });
      return;
    }
    await this.starting.catch(() => false);
    if (this.id === null) return;
    try {
      // Authorized as on the socket, for this caller: the transaction's uid and root.
      await this.o.dispatcher.call('Transaction.Cancel', { id: this.id }, { ...this.o.ctx, peer: caller });
    } catch (err) {
      throw this.o.toDbusError(err);
    }
  }

  /** A transaction event as the signal rpm-ostree's clients expect. */
  private onEvent(event: TransactionEventData): void {
    const { type } = event;
    const text = event.text ?? '';
    switch (type) {
      case 'Message':
      case 'TaskBegin':
      case 'TaskEnd':
        return this.emit(type, text);
      case 'PercentProgress':
        return this.emit(type, text, Math.max(0, Math.min(100, Math.trunc(Number(event.percentage ?? 0)))));
      case 'DownloadProgress': {
        const now = Math.floor(Date.now() / 1000);
        if (this.downloadStart === 0) this.downloadStart = now;
        return this.emit(type, ...downloadProgressArgs(event, this.downloadStart, now));
      }
      case 'SignatureProgress':
        return this.emit(type, signatureVariants(event.signatures ?? []), event.commit ?? '');
      case 'ProgressEnd':
        return this.emit(type);
      case 'Finished':
        if (this.finished !== null) return;
        this.finished = [event.success === true, event.errorMessage ?? ''];
        this.emit('Finished', ...this.finished);
        if (this.buses.size === 0 && this.everConnected) this.remove();
        else if (!this.everConnected) this.removeIfUnclaimed();
        return;
      default:
        // Queued, Started: no rpm-ostree signal.
        return;
    }
  }
}
