import { parseArgs } from 'node:util';
import { ApiError } from '../api/errors.js';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config/daemon-config.js';
import { DEFAULT_LIMITS } from '../transports/connection-limits.js';
import { Daemon } from './daemon.js';
import { createLogger, type LogLevel } from '../util/logger.js';
import { notifySystemd } from './sd-notify.js';

export const USAGE = `Usage: apt-ostreed [OPTIONS]

The apt-ostree system daemon: serves JSON-RPC 2.0 (NDJSON) and Varlink on a Unix socket, and
org.projectatomic.aptostree1 on the system bus when one is reachable.

Options:
  --sysroot DIR     OSTree sysroot to manage (default: /)
  --socket PATH     Socket to listen on unless socket-activated (default: /run/apt-ostreed.sock)
  --state-dir DIR   History and cached update (default: /var/lib/apt-ostree)
  --cache-dir DIR   Downloaded packages and APT lists (default: /var/cache/apt-ostree)
  --config FILE     Configuration file (default: ${DEFAULT_CONFIG_PATH})
  --log-level L     error, warn, info or debug (default: info)
  --verbose         The same as --log-level debug
  --max-connections N   Open client connections at most (default: ${DEFAULT_LIMITS.maxConnections})
  --client-timeout S    Disconnect a client stalled in the middle of a message after S seconds
                        (default: ${DEFAULT_LIMITS.partialMessageTimeoutMs / 1000})
  --max-connections-per-uid N  Open connections of one non-root user at most
                        (default: ${DEFAULT_LIMITS.maxConnectionsPerUid})
  --idle-timeout S      Close a connection that sent nothing for S seconds and has nothing in
                        flight or subscribed (default: ${DEFAULT_LIMITS.idleTimeoutMs / 1000})
  --no-dbus         Do not serve org.projectatomic.aptostree1 on the system bus
  -h, --help        Show this help
`;

/** Starts the daemon; returns the exit code when it cannot start. */
export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        sysroot: { type: 'string', default: '/' },
        socket: { type: 'string', default: '/run/apt-ostreed.sock' },
        'state-dir': { type: 'string', default: '/var/lib/apt-ostree' },
        'cache-dir': { type: 'string', default: '/var/cache/apt-ostree' },
        config: { type: 'string', default: DEFAULT_CONFIG_PATH },
        'log-level': { type: 'string', default: 'info' },
        verbose: { type: 'boolean', default: false },
        'max-connections': { type: 'string', default: String(DEFAULT_LIMITS.maxConnections) },
        'client-timeout': { type: 'string', default: String(DEFAULT_LIMITS.partialMessageTimeoutMs / 1000) },
        'max-connections-per-uid': { type: 'string', default: String(DEFAULT_LIMITS.maxConnectionsPerUid) },
        'idle-timeout': { type: 'string', default: String(DEFAULT_LIMITS.idleTimeoutMs / 1000) },
        'no-dbus': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    process.stderr.write(`apt-ostreed: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const level = values.verbose ? 'debug' : values['log-level'];
  if (!['error', 'warn', 'info', 'debug'].includes(level)) {
    process.stderr.write(`apt-ostreed: --log-level must be error, warn, info or debug\n`);
    return 2;
  }
  const maxConnections = Number(values['max-connections']);
  const clientTimeout = Number(values['client-timeout']);
  const maxConnectionsPerUid = Number(values['max-connections-per-uid']);
  const idleTimeout = Number(values['idle-timeout']);
  if (![maxConnections, maxConnectionsPerUid].every((n) => Number.isInteger(n) && n >= 1) || !(clientTimeout > 0) || !(idleTimeout > 0)) {
    process.stderr.write(
      'apt-ostreed: --max-connections and --max-connections-per-uid must be positive integers, --client-timeout and --idle-timeout positive\n',
    );
    return 2;
  }
  // Root keeps its reserved slots however small --max-connections is (tests set 40).
  const reservedRootConnections = Math.min(DEFAULT_LIMITS.reservedRootConnections, Math.floor(maxConnections / 4));
  const limits = {
    ...DEFAULT_LIMITS,
    maxConnections,
    reservedRootConnections,
    maxConnectionsPerUid,
    partialMessageTimeoutMs: clientTimeout * 1000,
    idleTimeoutMs: idleTimeout * 1000,
  };
  const log = createLogger(level as LogLevel);
  let config;
  try {
    config = loadConfig(values.config);
  } catch (err) {
    if (err instanceof ApiError) {
      log.error(err.message);
      return 1;
    }
    throw err;
  }
  const daemon = new Daemon(
    {
      sysroot: values.sysroot,
      socket: values.socket,
      stateDir: values['state-dir'],
      cacheDir: values['cache-dir'],
      configFile: values.config,
    },
    config,
    log,
    limits,
  );
  let where: string;
  try {
    where = await daemon.listen();
  } catch (err) {
    log.error(`cannot listen on ${values.socket}`, (err as Error).message);
    return 1;
  }
  log.info(`listening on ${where}, sysroot ${values.sysroot}`);
  notifySystemd(`READY=1\nSTATUS=${daemon.statusLine()}`);
  if (!values['no-dbus']) {
    daemon.startDbus().catch((err: unknown) => log.warn('D-Bus shim failed', (err as Error).message));
  }
  const stop = (signal: string) => {
    log.info(`${signal}: stopping`);
    daemon.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  daemon.onIdleExit = () => stop('idle');
  process.on('SIGHUP', () => {
    try {
      daemon.reloadConfig();
    } catch (err) {
      log.error(`configuration not reloaded, the previous one stays: ${(err as Error).message}`);
    }
  });
  return -1;
}
