import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import type { BootedSandbox } from './booted-sandbox.js';
import { DAEMON_BIN } from './repo-root.js';

/** A real apt-ostreed process started by a test. */
export interface DaemonHandle {
  socket: string;
  stateDir: string;
  cacheDir: string;
  process: ChildProcess;
  /** Everything the daemon wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM, wait for exit (SIGKILL after 5 s), remove its temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  sysroot: string;
  /** Configuration file content; default: an empty file (defaults). */
  config?: string;
  /** State dir to use (kept on stop, e.g. to restart a daemon on it); default: a temporary one. */
  stateDir?: string;
  /** Cache dir to use (kept on stop, e.g. the APT lists and .debs a restarted daemon finds); default: a temporary one. */
  cacheDir?: string;
  extraArgs?: string[];
  /** Extra environment, e.g. DBUS_SYSTEM_BUS_ADDRESS of a test bus. */
  env?: NodeJS.ProcessEnv;
  /**
   * Run the daemon inside this booted sandbox, on its `/` (`sysroot` is then ignored); the
   * daemon's temporary dir (socket, state, config) is bound at the same place inside under
   * /tmp, so the host reaches the socket at the usual path.
   */
  sandbox?: BootedSandbox;
}

/** Resolves once something accepts connections on `path`. */
export async function waitForSocket(path: string, timeoutMs = 10_000, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`process exited before listening on ${path}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection(path);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`nothing listens on ${path} after ${timeoutMs} ms`);
}

/** Waits for a child to exit; returns its exit code (or signal name). */
export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
}

/** Starts bin/apt-ostreed on a temporary socket with temporary state and cache dirs. */
export async function startDaemon(options: StartOptions): Promise<DaemonHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'apt-ostreed-daemon-'));
  // Other users (authorization tests) must reach the socket inside.
  chmodSync(dir, 0o755);
  const socket = join(dir, 'apt-ostreed.sock');
  const stateDir = options.stateDir ?? join(dir, 'state');
  const cacheDir = options.cacheDir ?? join(dir, 'cache');
  const config = join(dir, 'apt-ostreed.conf');
  writeFileSync(config, options.config ?? '');
  // Inside a sandbox the same dir is bound at a path of its own.
  const inside = options.sandbox === undefined ? dir : join('/tmp', basename(dir));
  const at = (p: string): string => join(inside, relative(dir, p));
  const argv = [
    options.sandbox === undefined ? DAEMON_BIN : options.sandbox.checkoutPath(DAEMON_BIN),
    '--sysroot',
    options.sandbox === undefined ? options.sysroot : '/',
    '--socket',
    at(socket),
    '--state-dir',
    at(stateDir),
    '--cache-dir',
    at(cacheDir),
    '--config',
    at(config),
    ...(options.extraArgs ?? []),
  ];
  if (options.sandbox !== undefined && (!stateDir.startsWith(dir + '/') || !cacheDir.startsWith(dir + '/'))) {
    throw new Error('a sandboxed daemon keeps its state and cache in its own temporary dir');
  }
  const [file, ...args] = options.sandbox === undefined ? [process.execPath, ...argv] : options.sandbox.command([process.execPath, ...argv], [[dir, inside]]);
  const env = { ...process.env, ...options.env };
  if (options.sandbox !== undefined) delete env.NODE_EXTRA_CA_CERTS; // its file is not inside
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout?.resume();
  let stopped = false;
  const handle: DaemonHandle = {
    socket,
    stateDir,
    cacheDir,
    process: child,
    stderr: () => stderr,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited(child);
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitForSocket(socket, 10_000, () => child.exitCode === null && child.signalCode === null);
  } catch (err) {
    await handle.stop();
    throw new Error(`${(err as Error).message}; daemon stderr:\n${stderr}`);
  }
  return handle;
}
