/**
 * One transaction as rpm-ostree's clients see it: a transaction method returns the address of
 * this object at once; the work is queued when a client calls `Start()` (true for the call that
 * queued it, false when it joined an identical running one or had already been started); its
 * progress comes as signals (`Message`, `TaskBegin`, `TaskEnd`, `PercentProgress`,
 * `DownloadProgress`, `ProgressEnd`, `Finished`); `Finished` is sent again to a client that
 * calls `Start()` after the end. The object lives on the system bus under the daemon's name at
 * `/org/projectatomic/aptostree1/transaction/RANDOM` (rpm-ostree hands out a peer-to-peer
 * address instead) and is removed a while after it finished.
 *
 * Anyone on the bus may learn the path (`ActiveTransactionPath`), so the path is no secret
 * and every call checks who calls: `Start()` only from a connection of the initiating uid or
 * root; `Cancel()` from those, or from a caller polkit grants `cancel` (asked about that
 * caller); anyone else gets `org.freedesktop.DBus.Error.AccessDenied`.
 * `InitiatingClientDescription` is told in full to the initiating uid and root only.
 */
import dbus from 'dbus-next';
import { DBUS_TRANSACTION_INTERFACE, dbusInterfaceName } from '../../api/dbus-signatures.js';
import { ApiError } from '../../api/errors.js';
import type { TransactionEventData } from '../../api/types/transaction-event.js';
import type { CallContext, PeerCredentials } from '../../dispatcher/call-context.js';
import type { Dispatcher } from '../../dispatcher/dispatcher.js';

/** How long a finished transaction object stays on the bus (clients read Finished). */
const LINGER_MS = 5 * 60_000;

export interface TransactionObjectOptions {
  bus: dbus.MessageBus;
  path: string;
  dispatcher: Dispatcher;
  /** Runs the authorized transaction method (detached): its transaction, and whether it joined one. */
  run: () => Promise<Submitted>;
  /** Already started (AutomaticUpdateTrigger): follow it now; Start() answers false. */
  startNow: boolean;
  /** The initiator's context (peer credentials): the work runs with it. */
  ctx: CallContext;
  title: string;
  /** Who started it (uid, pid, bus name): told to the initiating uid and root only. */
  client: string;
  /** Who makes the current call: read synchronously when a method is entered. */
  caller: () => Promise<PeerCredentials | null>;
  /** Resolves when polkit grants `caller` the `cancel` action; rejects (D-Bus error) otherwise. */
  grantsCancel: (caller: PeerCredentials) => Promise<void>;
  /** Turns an error into the D-Bus error the caller gets. */
  toDbusError: (err: unknown) => dbus.DBusError;
  /** The transaction id once it is queued. */
  onSubmitted: (id: string) => void;
  /** The object left the bus. */
  onRemoved: () => void;
}

/** The transaction a method submitted; `joined`: it joined an identical one. */
export interface Submitted {
  transaction: string;
  joined: boolean;
}

/** What callers other than the initiating uid and root read as InitiatingClientDescription. */
export const OTHER_CLIENT = 'a client of another user';

const accessDenied = (text: string): dbus.DBusError => new dbus.DBusError('org.freedesktop.DBus.Error.AccessDenied', text);

type Signal = (...args: unknown[]) => unknown;

export class DbusTransactionObject {
  private readonly iface: dbus.interface.Interface & Record<string, Signal | unknown>;
  private id: string | null = null;
  private finished: [boolean, string] | null = null;
  private starting: Promise<boolean> | null = null;
  private downloadStart = 0;

  constructor(private readonly o: TransactionObjectOptions) {
    const title = (): string => this.o.title;
    const start = (): Promise<boolean> => this.start();
    const cancel = (): Promise<void> => this.cancel();
    class TransactionIface extends dbus.interface.Interface {
      get Title(): string {
        return title();
      }
      get InitiatingClientDescription(): string {
        // Read without knowing who asks (the shim answers Get and GetAll itself, per caller).
        return OTHER_CLIENT;
      }
      Start(): Promise<boolean> {
        return start();
      }
      Cancel(): Promise<void> {
        return cancel();
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
    o.bus.export(o.path, this.iface);
    if (o.startNow) {
      this.starting = this.submit().then(() => false);
      this.starting.catch(() => {});
    }
  }

  get title(): string {
    return this.o.title;
  }

  /** InitiatingClientDescription as `caller` may see it. */
  describeFor(caller: PeerCredentials | null): string {
    return this.isInitiatorOrRoot(caller) ? this.o.client : OTHER_CLIENT;
  }

  private isInitiatorOrRoot(caller: PeerCredentials | null): boolean {
    return caller !== null && (caller.uid === 0 || caller.uid === this.o.ctx.peer?.uid);
  }

  private emit(name: string, ...args: unknown[]): void {
    (this.iface[name] as Signal)(...args);
  }

  /** Queues the work on the first call; later calls answer false (and repeat Finished after the end). */
  private async start(): Promise<boolean> {
    const caller = await this.o.caller();
    if (!this.isInitiatorOrRoot(caller)) {
      throw accessDenied('Only the user who requested this transaction, or root, may start it');
    }
    if (this.starting !== null) {
      await this.starting;
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
      throw this.o.toDbusError(err);
    }
    // Follow it to the end in the background: Transaction.Watch replays past events first.
    void this.o.dispatcher
      .call('Transaction.Watch', { id: this.id }, watchCtx())
      .catch(() => {
        if (this.finished === null) this.onEvent({ type: 'Finished', success: false, errorMessage: 'The transaction could not be followed' });
      })
      .finally(() => this.removeLater());
    return started;
  }

  private async cancel(): Promise<void> {
    const caller = await this.o.caller();
    if (caller === null) throw accessDenied('The caller could not be identified');
    // Nothing of it in the engine (not started, or it could not be queued): the access is decided here.
    const admit = async (): Promise<void> => {
      if (!this.isInitiatorOrRoot(caller)) await this.o.grantsCancel(caller);
    };
    if (this.starting === null) {
      await admit();
      if (this.starting === null) {
        // It ends here, and a later Start() only repeats Finished.
        this.starting = Promise.resolve(false);
        this.onEvent({ type: 'Finished', success: false, errorMessage: 'Cancelled before it started' });
        this.removeLater();
        return;
      }
    }
    await this.starting.catch(() => false);
    if (this.id === null) return admit();
    try {
      // Authorized as on the socket, for this caller: free for the transaction's uid and root, else `cancel`.
      await this.o.dispatcher.call('Transaction.Cancel', { id: this.id }, { ...this.o.ctx, peer: caller });
    } catch (err) {
      if (err instanceof ApiError && err.errorName === 'NotAuthorized') throw accessDenied(err.message);
      throw this.o.toDbusError(err);
    }
  }

  /** Leaves the bus LINGER_MS after the end (clients read Finished meanwhile). */
  private removeLater(): void {
    setTimeout(() => {
      this.o.bus.unexport(this.o.path, this.iface);
      this.o.onRemoved();
    }, LINGER_MS).unref();
  }

  /** A transaction event as the signal rpm-ostree's clients expect. */
  private onEvent(event: TransactionEventData): void {
    const { type } = event;
    const text = event.text ?? '';
    const n = (k: keyof TransactionEventData): number => Math.max(0, Math.trunc(Number(event[k] ?? 0)));
    switch (type) {
      case 'Message':
      case 'TaskBegin':
      case 'TaskEnd':
        return this.emit(type, text);
      case 'PercentProgress':
        return this.emit(type, text, n('percentage'));
      case 'DownloadProgress': {
        const now = Math.floor(Date.now() / 1000);
        if (this.downloadStart === 0) this.downloadStart = now;
        return this.emit(
          type,
          [BigInt(this.downloadStart), BigInt(now - this.downloadStart)],
          [n('outstandingFetches'), 0],
          [0, n('metadataFetched'), 0],
          [n('objectsFetched'), n('objectsRequested')],
          [BigInt(n('bytesTransferred')), BigInt(n('bytesPerSecond'))],
        );
      }
      case 'ProgressEnd':
        return this.emit(type);
      case 'Finished':
        if (this.finished !== null) return;
        this.finished = [event.success === true, event.errorMessage ?? ''];
        return this.emit('Finished', ...this.finished);
      default:
        // Queued, Started: no rpm-ostree signal.
        return;
    }
  }
}
