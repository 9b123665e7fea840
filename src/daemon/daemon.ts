import { AllowAllAuthorizer } from '../authorization/authorizer.js';
import type { DaemonConfig } from '../config/daemon-config.js';
import { Dispatcher } from '../dispatcher/dispatcher.js';
import { readHandlers } from '../handlers/read-handlers.js';
import { SysrootService } from '../services/sysroot-service.js';
import { takeListenFds } from '../transports/listen-fds.js';
import { JsonRpcEndpoint } from '../transports/jsonrpc/jsonrpc-endpoint.js';
import { SocketServer } from '../transports/socket-server.js';
import type { Logger } from './logger.js';

/** Where the daemon finds and keeps things (DECISIONS.md, "Where things live"). */
export interface DaemonPaths {
  sysroot: string;
  socket: string;
  stateDir: string;
  cacheDir: string;
  configFile: string;
}

/** Largest JSON-RPC / Varlink message accepted. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** The running daemon: transports → dispatcher → authorization → handlers → backends. */
export class Daemon {
  readonly sysroot: SysrootService;
  private readonly server: SocketServer;

  constructor(
    readonly paths: DaemonPaths,
    private config: DaemonConfig,
    private readonly log: Logger,
  ) {
    this.sysroot = new SysrootService(paths.sysroot);
    const dispatcher = new Dispatcher(
      readHandlers({ sysroot: this.sysroot, config: () => this.config }),
      new AllowAllAuthorizer(),
    );
    this.server = new SocketServer(new JsonRpcEndpoint(dispatcher, log), log, { maxMessageBytes: MAX_MESSAGE_BYTES });
  }

  /** Listen on the socket systemd passed, else bind the socket path. Returns where it listens. */
  async listen(): Promise<string> {
    const fds = takeListenFds();
    if (fds.length > 0) {
      await this.server.listenFd(fds[0].fd);
      for (const extra of fds.slice(1)) this.log.warn(`ignoring extra socket fd ${extra.fd} (${extra.name})`);
      return `fd ${fds[0].fd} (socket activation, ${fds[0].name})`;
    }
    await this.server.listenPath(this.paths.socket);
    return this.paths.socket;
  }

  async stop(): Promise<void> {
    await this.server.close();
    this.sysroot.close();
  }
}
