import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MethodSpec } from '../api/method.js';
import { osObjectPath } from '../services/deployment-roles.js';
import { loadConfig } from '../config/daemon-config.js';
import { ClientRegistry } from '../services/client-registry.js';
import { IdleExit } from './idle-exit.js';
import { notifySystemd } from './sd-notify.js';
import { PolkitAuthorizer } from '../authorization/polkit-authorizer.js';
import type { PeerCredentials } from '../api/peer-credentials.js';
import type { CallContext } from '../dispatcher/call-context.js';
import type { DaemonConfig } from '../config/daemon-config.js';
import { Dispatcher } from '../dispatcher/dispatcher.js';
import type { HandlerTable } from '../dispatcher/handlers.js';
import { readHandlers } from '../handlers/read-handlers.js';
import { operationHandlers } from '../handlers/operation-handlers.js';
import { transactionHandlers } from '../handlers/transaction-handlers.js';
import { controlHandlers } from '../handlers/control-handlers.js';
import { createEventBus, type EventBus } from '../transactions/event-bus.js';
import { TransactionManager } from '../transactions/transaction-manager.js';
import { SysrootService } from '../services/sysroot-service.js';
import { takeListenFds } from '../transports/listen-fds.js';
import { JsonRpcEndpoint } from '../transports/jsonrpc/jsonrpc-endpoint.js';
import { SocketServer } from '../transports/socket-server.js';
import { VarlinkEndpoint } from '../transports/varlink/varlink-endpoint.js';
import { DEFAULT_LIMITS, type ConnectionLimits } from '../transports/connection-limits.js';
import type { Logger } from '../util/logger.js';
import { sweepReceived } from '../handlers/received-file-holds.js';
import { receivedDir } from '../services/received-dir.js';

/** Where the daemon finds and keeps things (docs/design-decisions.md, "Where things live"). */
interface DaemonPaths {
  sysroot: string;
  socket: string;
  stateDir: string;
  cacheDir: string;
  configFile: string;
}

/** Largest JSON-RPC / Varlink message accepted. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

/** The running daemon: transports → dispatcher → authorization → handlers → backends. */
export class Daemon {
  readonly sysroot: SysrootService;
  readonly bus: EventBus;
  readonly transactions: TransactionManager;
  private readonly server: SocketServer;
  private readonly authorizer: PolkitAuthorizer;
  private readonly handlers: HandlerTable;
  private readonly dispatcher: Dispatcher;
  private dbusShim: { stop(): void; readonly busy: boolean } | null = null;
  private readonly clients = new ClientRegistry(() => this.idle?.check());
  /** Set when socket-activated: exit after IdleExitTimeout seconds of idleness. */
  private idle: IdleExit | null = null;
  /** Called when the daemon decides to exit (idle); main stops and exits. */
  onIdleExit: () => void = () => {};

  constructor(
    readonly paths: DaemonPaths,
    private config: DaemonConfig,
    private readonly log: Logger,
    limits: ConnectionLimits = DEFAULT_LIMITS,
  ) {
    this.sysroot = new SysrootService(paths.sysroot);
    this.bus = createEventBus();
    this.transactions = new TransactionManager({
      sysroot: paths.sysroot,
      stateDir: paths.stateDir,
      cacheDir: paths.cacheDir,
      config: () => this.config,
      bus: this.bus,
      log,
      deploymentIds: () => this.sysroot.snapshot().deployments.map((d) => d.id),
    });
    // Files requests passed to a previous run of the daemon: their calls and transactions died with it.
    const stale = sweepReceived(receivedDir(paths.cacheDir));
    if (stale.length > 0) log.info(`removed ${stale.length} file(s) a previous run received and left in ${receivedDir(paths.cacheDir)}`);
    const operations = operationHandlers({ manager: this.transactions, sysroot: this.sysroot, config: () => this.config, cacheDir: paths.cacheDir });
    const handlers: HandlerTable = (this.handlers = {
      ...readHandlers({
        sysroot: this.sysroot,
        config: () => this.config,
        activeTransaction: () => this.transactions.active?.toJSON() ?? null,
        cacheDir: paths.cacheDir,
        stateDir: paths.stateDir,
      }),
      ...operations.handlers,
      ...transactionHandlers({ manager: this.transactions, sysroot: this.sysroot, config: () => this.config, stateDir: paths.stateDir, log }),
      ...controlHandlers({ reloadConfig: () => this.reloadConfig(), reloadSysroot: () => this.sysroot.reload(), clients: this.clients }),
    });
    this.authorizer = new PolkitAuthorizer((method, params, peer) => this.ownsTransaction(method, params, peer), log);
    const dispatcher = (this.dispatcher = new Dispatcher(handlers, operations.prechecks, this.authorizer, log));
    this.server = new SocketServer(new JsonRpcEndpoint(dispatcher), new VarlinkEndpoint(dispatcher), log, {
      maxMessageBytes: MAX_MESSAGE_BYTES,
      limits,
      onConnectionsChanged: () => this.idle?.check(),
      isSubscribed: (connection) => this.clients.has(connection),
    });
    this.bus.on('transactionEvent', ({ event }) => {
      // What a transaction changed outside ostree/deploy (apply-live's state in /run) shows at once.
      if (event.type === 'Finished') this.sysroot.invalidate();
      if (event.type === 'Finished' || event.type === 'Queued' || event.type === 'Started') {
        this.idle?.check();
        notifySystemd(`STATUS=${this.statusLine()}`);
      }
    });
  }

  /** Listen on the socket systemd passed, else bind the socket path. Returns where it listens. */
  async listen(): Promise<string> {
    const fds = takeListenFds();
    if (fds.length > 0) {
      await this.server.listenFd(fds[0].fd);
      // systemd holds the socket: when idle, exit and be started again on the next connection.
      this.idle = new IdleExit(
        {
          busy: () => this.transactions.list().length > 0 || this.clients.size > 0 || this.server.connectionCount > 0 || this.dbusShim?.busy === true,
          timeoutSeconds: () => this.config.idleExitTimeout,
        },
        () => {
          this.log.info(`idle for ${this.config.idleExitTimeout} s: exiting (socket activation starts the daemon again)`);
          this.onIdleExit();
        },
      );
      this.idle.check();
      for (const extra of fds.slice(1)) this.log.warn(`ignoring extra socket fd ${extra.fd} (${extra.name})`);
      return `fd ${fds[0].fd} (socket activation, ${fds[0].name})`;
    }
    await this.server.listenPath(this.paths.socket);
    return this.paths.socket;
  }

  /**
   * The D-Bus shim, when a system bus is reachable (`DBUS_SYSTEM_BUS_ADDRESS`, else
   * /run/dbus/system_bus_socket): dbus-next is loaded only then, after the socket serves.
   */
  async startDbus(): Promise<void> {
    const address = process.env.DBUS_SYSTEM_BUS_ADDRESS ?? 'unix:path=/run/dbus/system_bus_socket';
    const path = /unix:path=([^,;]+)/.exec(address)?.[1];
    if (path !== undefined && !existsSync(path)) {
      this.log.info(`D-Bus shim not started: no system bus at ${path} (the socket keeps serving)`);
      return;
    }
    const { DbusShim } = await import('../transports/dbus/dbus-shim.js');
    // The property handlers answer synchronously (read handlers, open to everyone).
    const propertiesCall: CallContext = { transport: 'dbus', peer: null, transactionEvent: () => {}, signal: new AbortController().signal };
    const read = (m: 'Sysroot.GetProperties' | 'OS.GetProperties', params: Record<string, unknown>) =>
      (this.handlers[m] as unknown as (p: Record<string, unknown>, ctx: CallContext) => Record<string, unknown>)(params, propertiesCall);
    this.dbusShim = await DbusShim.start(
      this.dispatcher,
      {
        sysrootProperties: () => read('Sysroot.GetProperties', {}),
        osProperties: (osname) => read('OS.GetProperties', { osname }),
        osNames: () => this.sysroot.snapshot().stateroots.map((name) => ({ name, objectPath: osObjectPath(name) })),
        propertySources: () => [this.sysroot.snapshot(), this.config],
        transactionDirectory: dirname(this.paths.socket),
        onChange: (listener) =>
          this.bus.on('transactionEvent', ({ event }) => {
            if (event.type === 'Started' || event.type === 'Finished') listener();
          }),
      },
      this.log,
    );
  }

  /** systemd's STATUS=: `idle`, or the running transaction and how many wait. */
  statusLine(): string {
    const [running, ...queued] = this.transactions.list();
    if (running === undefined) return 'idle';
    return `running transaction ${running.id} (${running.title})${queued.length > 0 ? `; ${queued.length} queued` : ''}`;
  }

  /**
   * Reads the configuration file again (Sysroot.ReloadConfig, SIGHUP). An invalid file is
   * InvalidConfig (file, line, reason) and the configuration in force stays.
   */
  reloadConfig(): void {
    this.config = loadConfig(this.paths.configFile);
    this.idle?.check();
    this.log.info(`configuration reloaded from ${this.paths.configFile}`);
  }

  /** Transaction.Cancel is free for the user who started the transaction. */
  private ownsTransaction(method: MethodSpec, params: Record<string, unknown>, peer: PeerCredentials): boolean {
    if (method.name !== 'Transaction.Cancel') return false;
    const id = typeof params.id === 'string' ? params.id : undefined;
    const tx = id === undefined ? (this.transactions.active ?? this.transactions.list()[0]) : this.transactions.find(id);
    return tx?.caller?.uid === peer.uid;
  }

  /**
   * Stops (SIGTERM, SIGINT, idle): no new connections; queued transactions and a running one
   * that has not reached its point of no return are cancelled (their callers get `Cancelled`,
   * refs restored, nothing deployed); one past it completes first; then connections close.
   */
  async stop(): Promise<void> {
    notifySystemd('STOPPING=1');
    this.idle?.cancel();
    this.server.stopAccepting();
    for (const tx of this.transactions.list().reverse()) {
      await this.transactions.cancel(tx.id).catch(async (err: unknown) => {
        // TooLateToCancel: writing the new deployment list; it finishes on its own.
        const running = this.transactions.find(tx.id);
        if (running !== undefined && !running.finished) await running.done;
        return err;
      });
    }
    // The cancelled callers' error replies are written before the connections close.
    await new Promise((r) => setTimeout(r, 50));
    this.dbusShim?.stop();
    this.authorizer.close();
    this.transactions.close();
    await this.server.close();
    this.sysroot.close();
  }
}
