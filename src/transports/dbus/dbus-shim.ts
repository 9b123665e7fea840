/**
 * The D-Bus compatibility shim: `org.projectatomic.aptostree1` on the system bus,
 * with the same dispatcher, validation and authorization as the socket. This first part serves
 * the Sysroot object (`/org/projectatomic/aptostree1/Sysroot`) and one object per OS (the path
 * GetOS returns) with their properties and methods; a transaction method answers the path of
 * a transaction object (transaction-object.ts) at once. Loaded only when a system bus is
 * reachable, after the socket serves; no bus, or a bus that refuses the name, is logged once.
 *
 * dbus-next's decorator API does not work from TypeScript (it implements an old decorator proposal): interfaces are classes
 * configured with `configureMembers`, and the caller of a method is learned from the message
 * (a method handler registered first) and the bus (`GetConnectionUnixUser/ProcessID`).
 *
 * Over 300 lines: the bus connection, the caller lookup and the Sysroot and OS objects share the
 * connection's state (the objects exported, the transactions' paths); the transaction objects,
 * their properties and the variant conversions are in their own files.
 */
import { randomBytes } from 'node:crypto';
import dbus from 'dbus-next';
import { ApiError, ERROR_PREFIX } from '../../api/errors.js';
import { BUS_NAME, DBUS_PROPERTIES, dbusInterfaceName, dbusMethodsOf, type DbusArg, type DbusMethod } from '../../api/dbus-signatures.js';
import type { MethodName } from '../../api/method-table.js';
import { findMethod } from '../../api/method-table.js';
import { actionId } from '../../api/polkit-actions.js';
import { PolkitClient, PolkitUnavailableError } from '../../authorization/polkit-client.js';
import { osObjectPath } from '../../services/deployment-roles.js';
import type { CallContext, PeerCredentials } from '../../dispatcher/call-context.js';
import type { Dispatcher } from '../../dispatcher/dispatcher.js';
import { asKnownError } from '../../dispatcher/known-error.js';
import type { Logger } from '../../util/logger.js';
import { CachedProperties } from './cached-properties.js';
import { DbusTransactionObject, type Submitted } from './transaction-object.js';
import { answerTransactionProperties } from './transaction-properties.js';
import { fromOptions, toVariantDict } from './variant-dict.js';

export const SYSROOT_PATH = '/org/projectatomic/aptostree1/Sysroot';
/** Transaction objects live under it, at random paths (a known path is no permission: see transaction-object.ts). */
export const TRANSACTION_PATH_PREFIX = '/org/projectatomic/aptostree1/transaction/';

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
}

type AnyInterface = dbus.interface.Interface & Record<string, unknown>;

export class DbusShim {
  private sender = '';
  /** The transaction objects on the bus, by path. */
  private readonly transactionObjects = new Map<string, DbusTransactionObject>();
  /** Asks polkit whether a caller may cancel a transaction it did not start (created on first use). */
  private polkit: PolkitClient | null = null;
  /** One "connection" per bus client (its unique name): aborted when it leaves the bus. */
  private readonly clientSignals = new Map<string, AbortController>();
  private readonly osObjects = new Map<string, AnyInterface>();
  private sysrootObject: AnyInterface | null = null;
  /** The property values of every object, kept between reads. */
  private readonly cachedProperties: CachedProperties[] = [];
  /** Transaction id → the path of its D-Bus object (ActiveTransactionPath). */
  private readonly paths = new Map<string, string>();

  private constructor(
    private readonly bus: dbus.MessageBus,
    private readonly dispatcher: Dispatcher,
    private readonly model: ShimModel,
    private readonly log: Logger,
  ) {}

  /** Connects, exports the objects and owns the name; null (logged once) when that is not possible. */
  static async start(dispatcher: Dispatcher, model: ShimModel, log: Logger): Promise<DbusShim | null> {
    let bus: dbus.MessageBus | null = null;
    try {
      bus = dbus.systemBus();
      const shim = new DbusShim(bus, dispatcher, model, log);
      bus.addMethodHandler((msg: dbus.Message) => {
        shim.sender = msg.sender;
        return answerTransactionProperties(shim.bus, msg, shim.transactionObjects, (sender) => shim.peerOf(sender));
      });
      shim.exportObjects();
      await shim.watchClients();
      const reply = await bus.requestName(BUS_NAME, dbus.NameFlag.DO_NOT_QUEUE);
      if (reply !== dbus.RequestNameReply.PRIMARY_OWNER && reply !== dbus.RequestNameReply.ALREADY_OWNER) {
        throw new Error(`the name ${BUS_NAME} is owned by another process`);
      }
      log.info(`D-Bus: serving ${BUS_NAME} on the system bus`);
      return shim;
    } catch (err) {
      log.info(`D-Bus shim not started (the socket keeps serving): ${(err as Error).message}`);
      bus?.disconnect();
      return null;
    }
  }

  stop(): void {
    this.polkit?.close();
    this.bus.disconnect();
  }

  private exportObjects(): void {
    this.sysrootObject = this.interfaceFor('Sysroot', () => this.model.sysrootProperties(), null);
    this.bus.export(SYSROOT_PATH, this.sysrootObject);
    for (const os of this.model.osNames()) {
      const iface = this.interfaceFor('OS', () => this.model.osProperties(os.name), os.name);
      this.osObjects.set(os.name, iface);
      this.bus.export(os.objectPath, iface);
    }
    this.model.onChange(() => {
      for (const cached of this.cachedProperties) cached.clear();
      this.propertiesChanged();
    });
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
      emit(iface, ['BootedDeployment', 'DefaultDeployment', 'RollbackDeployment', 'CachedUpdate', 'HasCachedUpdateAptDiff']);
    }
  }

  /** A configured dbus-next interface of `kind` whose properties come from `read()` (kept between reads). */
  private interfaceFor(kind: 'Sysroot' | 'OS', read: () => Record<string, unknown>, osname: string | null): AnyInterface {
    const cached = new CachedProperties(read, () => this.model.propertySources());
    this.cachedProperties.push(cached);
    // One class per object: configureMembers configures a class (its prototype).
    class Iface extends dbus.interface.Interface {}
    const proto = Iface.prototype as unknown as Record<string, unknown>;
    const props: Record<string, dbus.interface.PropertyOptions> = {};
    for (const p of DBUS_PROPERTIES[kind]) {
      props[p.name] = { signature: p.type, access: 'read' };
      Object.defineProperty(proto, p.name, {
        get: () => {
          const all = cached.get();
          if (p.name === 'ActiveTransactionPath') return this.activePath(all);
          if (p.name === 'Booted') return bootedOsPath(all);
          return propertyValue(p.name, p.type, all[p.field]);
        },
      });
    }
    const methods: Record<string, dbus.interface.MethodOptions> = {};
    for (const { member, method, sig } of dbusMethodsOf(kind)) {
      methods[member] = { inSignature: signatureOf(sig.in), outSignature: sig.out.map((a) => a.type).join('') };
      proto[member] = (...args: unknown[]) => this.call(method, sig, args, osname);
    }
    Iface.configureMembers({ properties: props, methods });
    return new Iface(dbusInterfaceName(kind)) as unknown as AnyInterface;
  }

  /** A D-Bus method call → the dispatcher (validate → authorize → act) → out-arguments. */
  private async call(method: MethodName, sig: DbusMethod, args: unknown[], osname: string | null): Promise<unknown> {
    const sender = this.sender;
    const params: Record<string, unknown> = osname === null ? {} : { osname };
    sig.in.forEach((a, i) => {
      if (a === 'options') Object.assign(params, fromOptions(args[i] as Record<string, dbus.Variant>));
      else if (!(a.type === 's' && args[i] === '' && a.field === 'id'))
        params[a.field] = a.type === 'a{sv}' ? fromOptions(args[i] as Record<string, dbus.Variant>) : args[i];
    });
    /** What the transaction method's handler said it submitted (ctx.transactionSubmitted). */
    let submitted: { transaction: string; joined: boolean } | null = null;
    const ctx: CallContext = {
      transport: 'dbus',
      peer: await this.peerOf(sender),
      transactionEvent: () => {},
      transactionSubmitted: (s) => {
        submitted = s;
      },
      signal: this.clientSignal(sender),
    };
    let result: Record<string, unknown>;
    try {
      const object = (runMethod: () => Promise<unknown>, startNow: boolean): string => {
        const run = async (): Promise<Submitted> => {
          const { transaction } = (await runMethod()) as { transaction: string };
          // Every transaction handler says what it submitted (answerSubmission) before it answers.
          if (submitted?.transaction !== transaction) throw new Error(`the handler did not announce transaction ${transaction}`);
          return { transaction, joined: submitted.joined };
        };
        const path = TRANSACTION_PATH_PREFIX + randomBytes(16).toString('hex');
        const transaction = new DbusTransactionObject({
          bus: this.bus,
          path,
          dispatcher: this.dispatcher,
          run,
          startNow,
          ctx,
          title: method.slice(method.indexOf('.') + 1).toLowerCase(),
          client: `uid ${ctx.peer?.uid ?? '?'} pid ${ctx.peer?.pid ?? '?'} (${sender})`,
          caller: () => this.peerOf(this.sender),
          grantsCancel: (caller) => this.grantsCancel(caller),
          toDbusError: (err) => this.dbusError(err),
          onSubmitted: (id) => this.paths.set(id, path),
          onRemoved: () => this.transactionObjects.delete(path),
        });
        this.transactionObjects.set(path, transaction);
        return path;
      };
      if (method === 'OS.AutomaticUpdateTrigger') {
        // The policy decides whether anything starts: it runs now; the object follows what it started.
        const started = (await this.dispatcher.call(method, { ...params, detach: true }, ctx)) as { enabled: boolean; transaction?: string };
        result = { enabled: started.enabled, transaction: started.transaction === undefined ? '' : object(async () => started, true) };
      } else if (findMethod(method)?.kind === 'transaction') {
        // Validated and authorized now; queued when a client calls Start() on the object.
        result = { transaction: object(await this.dispatcher.prepare(method, { ...params, detach: true }, ctx), false) };
      } else {
        result = (await this.dispatcher.call(method, params, ctx)) as Record<string, unknown>;
      }
    } catch (err) {
      throw this.dbusError(err);
    }
    const out = sig.out.map((a) => outValue(a, result[a.field]));
    return out.length === 1 ? out[0] : out.length === 0 ? undefined : out;
  }

  /** The abort signal standing for `sender`'s connection (RegisterClient ends when it leaves the bus). */
  private clientSignal(sender: string): AbortSignal {
    let c = this.clientSignals.get(sender);
    if (c === undefined) {
      c = new AbortController();
      this.clientSignals.set(sender, c);
    }
    return c.signal;
  }

  /** Watches clients leave the bus (NameOwnerChanged to no owner). */
  private async watchClients(): Promise<void> {
    await this.bus.call(
      new dbus.Message({
        destination: 'org.freedesktop.DBus',
        path: '/org/freedesktop/DBus',
        interface: 'org.freedesktop.DBus',
        member: 'AddMatch',
        signature: 's',
        body: ["type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged'"],
      }),
    );
    this.bus.on('message', (msg: dbus.Message) => {
      if (msg.member !== 'NameOwnerChanged' || msg.interface !== 'org.freedesktop.DBus') return;
      const [name, , newOwner] = msg.body as [string, string, string];
      if (newOwner !== '') return;
      this.clientSignals.get(name)?.abort();
      this.clientSignals.delete(name);
    });
  }

  /** The D-Bus object of the running transaction, when it was started over D-Bus; else "". */
  private activePath(props: Record<string, unknown>): string {
    const id = (props.activeTransaction as { id?: string } | null)?.id;
    return id === undefined ? '' : (this.paths.get(id) ?? '');
  }

  /**
   * Who `sender` is, from the bus: its uid and pid (GetConnectionUnixUser/ProcessID, recorded
   * by the bus when it connected) and its unique name, which polkit is asked about (a pid
   * read here could already name another process).
   */
  private async peerOf(sender: string): Promise<PeerCredentials | null> {
    try {
      const ask = async (member: string): Promise<number> => {
        const reply = await this.bus.call(
          new dbus.Message({
            destination: 'org.freedesktop.DBus',
            path: '/org/freedesktop/DBus',
            interface: 'org.freedesktop.DBus',
            member,
            signature: 's',
            body: [sender],
          }),
        );
        return Number(reply?.body[0]);
      };
      const [uid, pid] = await Promise.all([ask('GetConnectionUnixUser'), ask('GetConnectionUnixProcessID')]);
      return { uid, pid, gid: -1, busName: sender };
    } catch (err) {
      this.log.debug(`D-Bus: cannot learn who ${sender} is: ${(err as Error).message}`);
      return null;
    }
  }

  /** Resolves when polkit grants `caller` (its bus name) the `cancel` action; else the D-Bus error it gets. */
  private async grantsCancel(caller: PeerCredentials): Promise<void> {
    const action = actionId('cancel');
    let answer;
    try {
      answer = await (this.polkit ??= new PolkitClient()).check(action, caller, { method: 'Transaction.Cancel' }, false);
    } catch (err) {
      if (err instanceof PolkitUnavailableError) throw this.dbusError(new ApiError('AuthorizationUnavailable', err.message, { action }));
      throw this.dbusError(err);
    }
    if (!answer.authorized) {
      throw new dbus.DBusError(
        'org.freedesktop.DBus.Error.AccessDenied',
        `Not authorized: ${action} (only the user who requested this transaction, or root, may cancel it without it)`,
      );
    }
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

function signatureOf(args: readonly (DbusArg | 'options')[]): string {
  return args.map((a) => (a === 'options' ? 'a{sv}' : a.type)).join('');
}

/** Sysroot.Booted: the object of the booted deployment's OS (as rpm-ostree), "/" when not booted. */
function bootedOsPath(props: Record<string, unknown>): string {
  const deployments = (props.deployments ?? []) as { id: string; osname: string }[];
  const booted = deployments.find((d) => d.id === props.booted);
  return booted === undefined ? '/' : osObjectPath(booted.osname);
}

/** A property's value in its D-Bus type (rpm-ostree's conventions for "nothing": "", "/", {}). */
function propertyValue(name: string, type: string, value: unknown): unknown {
  if (name === 'ActiveTransaction') {
    // Every bus client reads this: the method and id only, never the title (it names the
    // packages, refspecs and kernel arguments of someone else's request).
    const t = value as { method?: string; id?: string } | null;
    return t === null || t === undefined ? ['', '', ''] : [t.method ?? '', '', t.id ?? ''];
  }
  switch (type) {
    case 'a{sv}':
      return toVariantDict(value as Record<string, unknown> | null);
    case 'aa{sv}':
      return ((value as Record<string, unknown>[] | null) ?? []).map((v) => toVariantDict(v));
    case 'b':
      return value === true;
    default:
      return value === null || value === undefined ? '' : String(value);
  }
}

interface PackageVersion {
  name: string;
  version: string;
  architecture: string;
}
interface DiffEntry {
  name: string;
  change: string;
  previous: PackageVersion | null;
  next: PackageVersion | null;
}
const packageTuple = (p: PackageVersion): dbus.Variant => new dbus.Variant('(sss)', [p.name, p.version, p.architecture]);

/** An out-argument from a result field. */
function outValue(a: DbusArg, value: unknown): unknown {
  switch (a.type) {
    case 'aa{sv}':
      return ((value as Record<string, unknown>[] | null) ?? []).map((v) => toVariantDict(v));
    case 'a{sv}':
      return toVariantDict(value as Record<string, unknown> | null);
    case 'a(sua{sv})':
      // rpm-ostree's shape: (name, type 0 added 1 removed 2 upgraded 3 downgraded, {PreviousPackage, NewPackage: (sss)}).
      return ((value as DiffEntry[] | null) ?? []).map((e) => {
        const details: Record<string, dbus.Variant> = {};
        if (e.previous !== null) details.PreviousPackage = packageTuple(e.previous);
        if (e.next !== null) details.NewPackage = packageTuple(e.next);
        return [e.name, ['added', 'removed', 'upgraded', 'downgraded'].indexOf(e.change), details];
      });
    default:
      return value;
  }
}
