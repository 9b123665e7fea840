/**
 * The D-Bus compatibility shim: `org.projectatomic.aptostree1` on the system bus,
 * with the same dispatcher, validation and authorization as the socket. This first part serves
 * the Sysroot object (`/org/projectatomic/aptostree1/Sysroot`) and one object per OS (the path
 * GetOS returns) with their properties and methods; a transaction method answers at once with
 * the peer-to-peer address of a transaction object (transaction-object.ts), as rpm-ostree's.
 * Loaded only when a system bus is reachable, after the socket serves; no bus, or a bus that
 * refuses the name, is logged once.
 * The bus connection receives Unix file descriptors (fd-bus-connection.ts): those a call brings
 * (rpm-ostree's `ah` handles, e.g. `install-local-packages`) become the call's passed
 * descriptors, checked and closed as the socket's (docs/fd-passing.md#over-d-bus).
 *
 * dbus-next's decorator API does not work from TypeScript (it implements an old decorator proposal): interfaces are classes
 * configured with `configureMembers`, and the caller of a method is learned from the message
 * (a method handler registered first) and the bus (`GetConnectionUnixUser/ProcessID`).
 *
 * Over 300 lines: the bus connection, the caller lookup and the Sysroot and OS objects share the
 * connection's state (the objects exported, the transactions' paths); the transaction objects,
 * their properties and the variant conversions are in their own files.
 */
import dbus from 'dbus-next';
import { ApiError, ERROR_PREFIX, JsonRpcCode, ProtocolError } from '../../api/errors.js';
import { BUS_NAME, DBUS_PROPERTIES, dbusInterfaceName, type DbusMethod } from '../../api/dbus-signatures.js';
import { DBUS_PROPERTY_ALIASES, dbusMembersOf } from '../../api/dbus-extra-members.js';
import { addRefusedMembers, objectManagerInterface, OBJECT_MANAGER_PATH, type ManagedObject } from './compat-members.js';
import type { MethodName } from '../../api/method-table.js';
import { findMethod } from '../../api/method-table.js';
import { osObjectPath } from '../../services/deployment-roles.js';
import type { CallContext } from '../../dispatcher/call-context.js';
import type { Dispatcher } from '../../dispatcher/dispatcher.js';
import { asKnownError } from '../../dispatcher/known-error.js';
import type { Logger } from '../../util/logger.js';
import { BusClients, busPeer } from './bus-clients.js';
import { CachedProperties } from './cached-properties.js';
import { DbusTransactionObject, type Submitted } from './transaction-object.js';
import { removeStaleTransactionSockets } from './peer-to-peer/peer-server.js';
import { applyOptionDict } from './option-keys.js';
import { connectFdBus, unixPathOf, type MessageFds } from './fd-bus-connection.js';
import { closeAll, ReceivedFds } from '../fd-passing/received-fds.js';
import { bootedOsName, bootedOsPath, clientDescription, inValue, outValue, propertyValue, signatureOf } from './dbus-values.js';

export const SYSROOT_PATH = '/org/projectatomic/aptostree1/Sysroot';

/** What the shim reads synchronously (D-Bus property getters cannot wait). */
export interface ShimModel {
  sysrootProperties(): Record<string, unknown>;
  osProperties(osname: string): Record<string, unknown>;
  /** Stateroot names; each gets an object at its GetOS path. */
  osNames(): { name: string; objectPath: string }[];
  /**
   * What the properties are read from, compared by identity (the sysroot's snapshot, the
   * configuration): when any of it is another object, the properties are read again.
   */
  propertySources(): readonly unknown[];
  /** Calls `listener` when deployments, the active transaction or the cached update may have changed. */
  onChange(listener: () => void): void;
  /** Where transaction objects make their sockets (next to the daemon's socket). */
  transactionDirectory: string;
}

/** What the shim knows of a transaction started over D-Bus: ActiveTransaction and ActiveTransactionPath. */
interface DbusTransactionRecord {
  address: string;
  /** The D-Bus method called, and by whom. */
  member: string;
  sender: string;
}

type AnyInterface = dbus.interface.Interface & Record<string, unknown>;

export class DbusShim {
  private sender = '';
  /** The method call being dispatched (its descriptors are taken by call()). */
  private message: dbus.Message | null = null;
  /** The transaction objects not yet gone (their clients may still connect). */
  private readonly transactionObjects = new Set<DbusTransactionObject>();
  /** One "connection" per bus client (its unique name): aborted when it leaves the bus. */
  private readonly clients = new BusClients();
  private readonly osObjects = new Map<string, AnyInterface>();
  private sysrootObject: AnyInterface | null = null;
  /** The property values of every object, kept between reads. */
  private readonly cachedProperties: CachedProperties[] = [];
  /** Transaction id → its D-Bus object's address and caller (ActiveTransactionPath, ActiveTransaction). */
  private readonly dbusTransactions = new Map<string, DbusTransactionRecord>();

  private constructor(
    private readonly bus: dbus.MessageBus,
    private readonly dispatcher: Dispatcher,
    private readonly model: ShimModel,
    private readonly log: Logger,
    private readonly takeFds: (msg: dbus.Message) => MessageFds | undefined = () => undefined,
    /** Leaves the bus at once (the descriptor-reading connection's reader must not outlive it). */
    private readonly closeBus: () => void = () => {},
  ) {}

  /**
   * The system bus: a connection that receives descriptors (fd-bus-connection.ts) when the bus
   * is a `unix:path=` socket; else dbus-next's own, without them.
   */
  private static async connect(log: Logger): Promise<{ bus: dbus.MessageBus; takeFds?: (msg: dbus.Message) => MessageFds | undefined; close?: () => void }> {
    const path = unixPathOf(process.env.DBUS_SYSTEM_BUS_ADDRESS ?? 'unix:path=/var/run/dbus/system_bus_socket');
    if (path === null) return { bus: dbus.systemBus() };
    const onError = (err: Error): void => log.warn(`D-Bus: ${err.message}`);
    const connection = await connectFdBus(path, onError);
    if (!connection.unixFds) log.info('D-Bus: the bus does not pass file descriptors (install-local-packages is refused)');
    return { bus: connection.bus, takeFds: (msg) => connection.takeFds(msg), close: () => connection.close() };
  }

  /** Connects, exports the objects and owns the name; null (logged once) when that is not possible. */
  static async start(dispatcher: Dispatcher, model: ShimModel, log: Logger): Promise<DbusShim | null> {
    let bus: dbus.MessageBus | null = null;
    try {
      const connected = await DbusShim.connect(log);
      bus = connected.bus;
      const shim = new DbusShim(bus, dispatcher, model, log, connected.takeFds, connected.close);
      bus.addMethodHandler((msg: dbus.Message) => {
        shim.sender = msg.sender;
        shim.message = msg;
        return false;
      });
      shim.exportObjects();
      await shim.clients.watch(shim.bus);
      const reply = await bus.requestName(BUS_NAME, dbus.NameFlag.DO_NOT_QUEUE);
      if (reply !== dbus.RequestNameReply.PRIMARY_OWNER && reply !== dbus.RequestNameReply.ALREADY_OWNER) {
        throw new Error(`the name ${BUS_NAME} is owned by another process`);
      }
      log.info(`D-Bus: serving ${BUS_NAME} on the system bus`);
      // The owner of the name is the one daemon with transactions there: sockets left by one that was killed go.
      removeStaleTransactionSockets(model.transactionDirectory, log);
      return shim;
    } catch (err) {
      log.info(`D-Bus shim not started (the socket keeps serving): ${(err as Error).message}`);
      bus?.disconnect();
      return null;
    }
  }

  /** Leaves the bus; every transaction's socket is closed and removed (none is left in /run). */
  stop(): void {
    for (const t of [...this.transactionObjects]) t.close();
    this.bus.disconnect();
    this.closeBus();
  }

  /** Whether a transaction object waits for its clients (the daemon does not exit idle then). */
  get busy(): boolean {
    return this.transactionObjects.size > 0;
  }

  private exportObjects(): void {
    this.sysrootObject = this.interfaceFor('Sysroot', () => this.model.sysrootProperties(), null);
    this.bus.export(SYSROOT_PATH, this.sysrootObject);
    for (const os of this.model.osNames()) {
      const iface = this.interfaceFor('OS', () => this.model.osProperties(os.name), os.name);
      this.osObjects.set(os.name, iface);
      this.bus.export(os.objectPath, iface);
      this.bus.export(
        os.objectPath,
        this.interfaceFor('OSExperimental', () => ({}), os.name),
      );
    }
    this.bus.export(
      OBJECT_MANAGER_PATH,
      objectManagerInterface(() => this.managedObjects()),
    );
    this.model.onChange(() => {
      for (const cached of this.cachedProperties) cached.clear();
      this.propertiesChanged();
    });
  }

  /** The Sysroot and OS objects with their properties (ObjectManager.GetManagedObjects). */
  private managedObjects(): ManagedObject[] {
    const propertiesOf = (iface: AnyInterface, kind: 'Sysroot' | 'OS'): Record<string, dbus.Variant> =>
      Object.fromEntries(DBUS_PROPERTIES[kind].map((p) => [p.name, new dbus.Variant(p.type, iface[p.name])]));
    const objects: ManagedObject[] = [];
    if (this.sysrootObject !== null)
      objects.push({ path: SYSROOT_PATH, interfaces: { [dbusInterfaceName('Sysroot')]: propertiesOf(this.sysrootObject, 'Sysroot') } });
    for (const os of this.model.osNames()) {
      const iface = this.osObjects.get(os.name);
      if (iface !== undefined)
        objects.push({ path: os.objectPath, interfaces: { [dbusInterfaceName('OS')]: propertiesOf(iface, 'OS'), [dbusInterfaceName('OSExperimental')]: {} } });
    }
    return objects;
  }

  /** PropertiesChanged with the current values of every property that can change. */
  private propertiesChanged(): void {
    const emit = (iface: AnyInterface | null, names: string[]): void => {
      if (iface === null) return;
      try {
        dbus.interface.Interface.emitPropertiesChanged(iface, Object.fromEntries(names.map((n) => [n, iface[n]])), []);
      } catch (err) {
        this.log.debug(`D-Bus: PropertiesChanged not sent: ${(err as Error).message}`);
      }
    };
    emit(this.sysrootObject, ['Booted', 'ActiveTransaction', 'ActiveTransactionPath', 'Deployments']);
    for (const iface of this.osObjects.values()) {
      emit(iface, ['BootedDeployment', 'DefaultDeployment', 'RollbackDeployment', 'CachedUpdate', 'HasCachedUpdateAptDiff', 'HasCachedUpdateRpmDiff']);
    }
  }

  /** A configured dbus-next interface of `kind` whose properties come from `read()` (kept between reads). */
  private interfaceFor(kind: 'Sysroot' | 'OS' | 'OSExperimental', read: () => Record<string, unknown>, osname: string | null): AnyInterface {
    const cached = new CachedProperties(read, () => this.model.propertySources());
    this.cachedProperties.push(cached);
    // One class per object: configureMembers configures a class (its prototype).
    class Iface extends dbus.interface.Interface {}
    const proto = Iface.prototype as unknown as Record<string, unknown>;
    const props: Record<string, dbus.interface.PropertyOptions> = {};
    for (const p of kind === 'OSExperimental' ? [] : DBUS_PROPERTIES[kind]) {
      props[p.name] = { signature: p.type, access: 'read' };
      Object.defineProperty(proto, p.name, {
        get: () => {
          const all = cached.get();
          if (p.name === 'ActiveTransactionPath') return this.activeRecord(all)?.address ?? '';
          if (p.name === 'ActiveTransaction') return this.activeTransaction(all);
          if (p.name === 'Booted') return bootedOsPath(all);
          return propertyValue(p.name, p.type, all[p.field]);
        },
      });
    }
    if (kind === 'OS') {
      for (const [alias, name] of Object.entries(DBUS_PROPERTY_ALIASES)) {
        const p = DBUS_PROPERTIES.OS.find((x) => x.name === name);
        if (p === undefined) continue;
        props[alias] = { signature: p.type, access: 'read' };
        Object.defineProperty(proto, alias, { get: () => propertyValue(p.name, p.type, cached.get()[p.field]) });
      }
    }
    const methods: Record<string, dbus.interface.MethodOptions> = {};
    for (const { member, method, sig, fixed } of dbusMembersOf(kind)) {
      methods[member] = { inSignature: signatureOf(sig.in), outSignature: sig.out.map((a) => a.type).join('') };
      proto[member] = (...args: unknown[]) => this.call(method, member, sig, args, osname, fixed);
    }
    addRefusedMembers(kind, proto, methods, (err) => this.dbusError(err));
    Iface.configureMembers({ properties: props, methods });
    return new Iface(dbusInterfaceName(kind)) as unknown as AnyInterface;
  }

  /** A D-Bus method call → the dispatcher (validate → authorize → act) → out-arguments. */
  private async call(method: MethodName, member: string, sig: DbusMethod, args: unknown[], osname: string | null, fixed = {}): Promise<unknown> {
    const sender = this.sender;
    // Taken now, while the message is dispatched (the connection closes what is not taken).
    const passed = this.message === null ? undefined : this.takeFds(this.message);
    this.message = null;
    const params: Record<string, unknown> = osname === null ? { ...fixed } : { ...fixed, osname };
    let fds: ReceivedFds | undefined;
    try {
      fds = this.acceptFds(member, passed, sender);
      const handles = new Set<number>();
      sig.in.forEach((a, i) => {
        if (a === 'options') applyOptionDict(method, 'options', false, args[i] as Record<string, dbus.Variant>, params, fds?.count, handles);
        else if (a.type === 'a{sv}') {
          params[a.field] ??= {};
          applyOptionDict(method, a.name, true, args[i] as Record<string, dbus.Variant>, params, fds?.count, handles);
        } else {
          const value = inValue(method, a, args[i]);
          if (value !== undefined) params[a.field] = value;
        }
      });
    } catch (err) {
      fds?.release();
      throw this.dbusError(err);
    }
    /** What the transaction method's handler said it submitted (ctx.transactionSubmitted). */
    let submitted: { transaction: string; joined: boolean } | null = null;
    /** The operation's title for these params (told by its precheck). */
    let title = method.slice(method.indexOf('.') + 1).toLowerCase();
    const ctx: CallContext = {
      transport: 'dbus',
      peer: await busPeer(this.bus, sender, this.log),
      transactionEvent: () => {},
      transactionSubmitted: (s) => {
        submitted = s;
      },
      transactionTitle: (t) => {
        title = t;
      },
      signal: this.clients.signal(sender),
      ...(fds === undefined ? {} : { fds }),
    };
    /** A transaction method's descriptors live until its handler ran (on Start()) or its object is gone. */
    let keepFds = false;
    let result: Record<string, unknown>;
    try {
      const object = async (runMethod: () => Promise<unknown>, startNow: boolean): Promise<string> => {
        const run = async (): Promise<Submitted> => {
          let answer: unknown;
          try {
            answer = await runMethod();
          } finally {
            fds?.release();
          }
          const { transaction } = answer as { transaction: string };
          // Every transaction handler says what it submitted (answerSubmission) before it answers.
          if (submitted?.transaction !== transaction) throw new Error(`the handler did not announce transaction ${transaction}`);
          return { transaction, joined: submitted.joined };
        };
        let id: string | null = null;
        const transaction: DbusTransactionObject = await DbusTransactionObject.create({
          directory: this.model.transactionDirectory,
          dispatcher: this.dispatcher,
          run,
          startNow,
          ctx,
          title,
          client: clientDescription(ctx.peer, sender, params.initiatingCommandLine),
          toDbusError: (err) => this.dbusError(err),
          onSubmitted: (transactionId) => {
            id = transactionId;
            this.dbusTransactions.set(transactionId, { address: transaction.address, member, sender });
            this.propertiesChanged();
          },
          onRemoved: () => {
            fds?.release();
            this.transactionObjects.delete(transaction);
            if (id !== null) this.dbusTransactions.delete(id);
          },
          log: this.log,
        });
        this.transactionObjects.add(transaction);
        return transaction.address;
      };
      if (method === 'OS.AutomaticUpdateTrigger') {
        // The policy decides whether anything starts: it runs now; the object follows what it started.
        const started = (await this.dispatcher.call(method, { ...params, detach: true }, ctx)) as { enabled: boolean; transaction?: string };
        result = { enabled: started.enabled, transaction: started.transaction === undefined ? '' : await object(async () => started, true) };
      } else if (findMethod(method)?.kind === 'transaction') {
        // Validated and authorized now; queued when a client calls Start() on the object.
        result = { transaction: await object(await this.dispatcher.prepare(method, { ...params, detach: true }, ctx), false) };
        keepFds = true;
      } else {
        result = (await this.dispatcher.call(method, params, ctx)) as Record<string, unknown>;
      }
    } catch (err) {
      throw this.dbusError(err);
    } finally {
      if (!keepFds) fds?.release();
    }
    const out = sig.out.map((a) => outValue(a, result[a.field]));
    return out.length === 1 ? out[0] : out.length === 0 ? undefined : out;
  }

  /**
   * The descriptors a call's message brought, checked as the socket checks them (at most
   * MAX_FDS_PER_MESSAGE, each a regular file open for reading): InvalidArgs, and all closed, if
   * any is refused. Their lifetime follows `sender`'s bus connection, as the socket's follows
   * its connection.
   */
  private acceptFds(member: string, passed: MessageFds | undefined, sender: string): ReceivedFds | undefined {
    if (passed === undefined) return undefined;
    const refuse = (why: string): ProtocolError => new ProtocolError(JsonRpcCode.InvalidParams, `${member}: the message's file descriptors: ${why}`);
    if (passed.problem !== null) {
      closeAll(passed.fds);
      throw refuse(passed.problem);
    }
    const received = ReceivedFds.accept(passed.fds, this.clients.signal(sender));
    if (typeof received === 'string') throw refuse(received);
    return received;
  }

  /** The running transaction's D-Bus record, when it was started over D-Bus. */
  private activeRecord(props: Record<string, unknown>): DbusTransactionRecord | undefined {
    const id = (props.activeTransaction as { id?: string } | null)?.id;
    return id === undefined ? undefined : this.dbusTransactions.get(id);
  }

  /**
   * ActiveTransaction as rpm-ostree fills it: (the D-Bus method called, the caller's bus name,
   * the OS object); ("", "", "") when nothing runs. A transaction started on the socket shows
   * its method's name and no bus name.
   */
  private activeTransaction(props: Record<string, unknown>): [string, string, string] {
    const t = props.activeTransaction as { method?: string; params?: { osname?: unknown } } | null;
    if (t === null || t === undefined) return ['', '', ''];
    const record = this.activeRecord(props);
    const method = t.method ?? '';
    const osname = typeof t.params?.osname === 'string' ? t.params.osname : bootedOsName(props);
    return [record?.member ?? method.slice(method.indexOf('.') + 1), record?.sender ?? '', osname === null ? '/' : osObjectPath(osname)];
  }

  /**
   * An error's D-Bus form, `org.projectatomic.aptostree1.Error.<Name>` (invalid params are the
   * bus's InvalidArgs; InternalError is Failed). The shim's own steps (polkit, the bus) can fail
   * outside the dispatcher: such errors become InternalError the same way.
   */
  private dbusError(err: unknown): dbus.DBusError {
    const known = asKnownError(err, this.log);
    if (known instanceof ApiError) return new dbus.DBusError(ERROR_PREFIX + known.errorName, known.message);
    switch (known.errorName) {
      case 'InvalidParams':
        return new dbus.DBusError('org.freedesktop.DBus.Error.InvalidArgs', known.message);
      case 'InternalError':
        return new dbus.DBusError(ERROR_PREFIX + 'Failed', known.message);
      default:
        return new dbus.DBusError(ERROR_PREFIX + known.errorName, known.message);
    }
  }
}
