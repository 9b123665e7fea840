import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  extraArgs?: string[];
  /** Extra environment, e.g. DBUS_SYSTEM_BUS_ADDRESS of a test bus. */
  env?: NodeJS.ProcessEnv;
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
  const cacheDir = join(dir, 'cache');
  const config = join(dir, 'apt-ostreed.conf');
  writeFileSync(config, options.config ?? '');
  const child = spawn(
    process.execPath,
    [
      DAEMON_BIN,
      '--sysroot',
      options.sysroot,
      '--socket',
      socket,
      '--state-dir',
      stateDir,
      '--cache-dir',
      cacheDir,
      '--config',
      config,
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } },
  );
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
