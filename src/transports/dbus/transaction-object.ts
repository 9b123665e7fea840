/**
 * One transaction as rpm-ostree's clients see it: a transaction method returns the address of
 * this object at once; the work is queued when a client calls `Start()` (true for the call that
 * queued it, false when it joined an identical running one or had already been started); its
 * progress comes as signals (`Message`, `TaskBegin`, `TaskEnd`, `PercentProgress`,
 * `DownloadProgress`, `ProgressEnd`, `Finished`); `Finished` is sent again to a client that
 * calls `Start()` after the end. The object lives on the system bus under the daemon's name at
 * `/org/projectatomic/aptostree1/transaction/N` (rpm-ostree hands out a peer-to-peer address
 * instead; DECISIONS.md allows either) and is removed a while after it finished.
 */
import dbus from 'dbus-next';
import { DBUS_TRANSACTION_INTERFACE } from '../../api/dbus-signatures.js';
import type { CallContext } from '../../dispatcher/call-context.js';
import type { Dispatcher } from '../../dispatcher/dispatcher.js';
import { dbusInterfaceName } from '../../generators/dbus-xml.js';

/** How long a finished transaction object stays on the bus (clients read Finished). */
const LINGER_MS = 5 * 60_000;

export interface TransactionObjectOptions {
  bus: dbus.MessageBus;
  path: string;
  dispatcher: Dispatcher;
  /** Runs the authorized transaction method (detached): its `{transaction}`. */
  run: () => Promise<unknown>;
  /** Already started (AutomaticUpdateTrigger): follow it now; Start() answers false. */
  startNow: boolean;
  /** The caller's context (peer credentials): Cancel is authorized with it. */
  ctx: CallContext;
  title: string;
  client: string;
  /** Turns an error into the D-Bus error the caller gets. */
  toDbusError: (err: unknown) => dbus.DBusError;
  /** The transaction id once it is queued. */
  onSubmitted: (id: string) => void;
}

type Signal = (...args: unknown[]) => unknown;

export class DbusTransactionObject {
  private readonly iface: dbus.interface.Interface & Record<string, Signal | unknown>;
  private id: string | null = null;
  private finished: [boolean, string] | null = null;
  private starting: Promise<boolean> | null = null;
  private downloadStart = 0;

  constructor(private readonly o: TransactionObjectOptions) {
    const title = (): string => this.o.title;
    const client = (): string => this.o.client;
    const start = (): Promise<boolean> => this.start();
    const cancel = (): Promise<void> => this.cancel();
    class TransactionIface extends dbus.interface.Interface {
      get Title(): string {
        return title();
      }
      get InitiatingClientDescription(): string {
        return client();
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

  private emit(name: string, ...args: unknown[]): void {
    (this.iface[name] as Signal)(...args);
  }

  /** Queues the work on the first call; later calls answer false (and repeat Finished after the end). */
  private async start(): Promise<boolean> {
    if (this.starting !== null) {
      await this.starting;
      if (this.finished !== null) this.emit('Finished', ...this.finished);
      return false;
    }
    this.starting = this.submit();
    return this.starting;
  }

  private async submit(): Promise<boolean> {
    const watchCtx = (): CallContext => ({ ...this.o.ctx, notify: (method, params) => this.onEvent(method.replace(/^Transaction\./, ''), params) });
    let started: boolean;
    try {
      const before = (await this.o.dispatcher.call('Transaction.List', {}, this.o.ctx)) as { transactions: { id: string }[] };
      const { transaction } = (await this.o.run()) as { transaction: string };
      this.id = transaction;
      this.o.onSubmitted(transaction);
      started = !before.transactions.some((t) => t.id === transaction);
    } catch (err) {
      throw this.o.toDbusError(err);
    }
    // Follow it to the end in the background: Transaction.Watch replays past events first.
    void this.o.dispatcher
      .call('Transaction.Watch', { id: this.id }, watchCtx())
      .catch(() => {
        if (this.finished === null) this.onEvent('Finished', { success: false, errorMessage: 'The transaction could not be followed' });
      })
      .finally(() => setTimeout(() => this.o.bus.unexport(this.o.path, this.iface), LINGER_MS).unref());
    return started;
  }

  private async cancel(): Promise<void> {
    if (this.starting === null) {
      // Never started: nothing runs; it ends here, and a later Start() only repeats Finished.
      this.starting = Promise.resolve(false);
      this.onEvent('Finished', { success: false, errorMessage: 'Cancelled before it started' });
      return;
    }
    await this.starting.catch(() => false);
    if (this.id === null) return;
    try {
      await this.o.dispatcher.call('Transaction.Cancel', { id: this.id }, this.o.ctx);
    } catch (err) {
      throw this.o.toDbusError(err);
    }
  }

  /** A transaction event as the signal rpm-ostree's clients expect. */
  private onEvent(type: string, p: Record<string, unknown>): void {
    const text = String(p.text ?? '');
    const n = (k: string): number => Math.max(0, Math.trunc(Number(p[k] ?? 0)));
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
        this.finished = [p.success === true, String(p.errorMessage ?? '')];
        return this.emit('Finished', ...this.finished);
      default:
        // Queued, Started: no rpm-ostree signal.
        return;
    }
  }
}
