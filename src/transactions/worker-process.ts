import { fork, type ChildProcess } from 'node:child_process';
import { bundlePath } from '../util/bundle-path.js';
import type { Logger } from '../util/logger.js';
import type { OperationEvent } from '../worker/operation-context.js';
import type { FromWorker, RunMessage } from '../worker/protocol.js';

const WORKER_BUNDLE = 'apt-ostreed-worker.cjs';

/** How a worker ended. */
export type WorkerOutcome =
  { kind: 'done'; result: Record<string, unknown> } | { kind: 'failed'; errorName: string; message: string } | { kind: 'died'; message: string };

interface WorkerHooks {
  onEvent(event: OperationEvent): void;
  /** The worker holds the sysroot lock; `refs` are what to restore if it does not finish. */
  onLocked(refs: Record<string, string>): void;
  /** Decide whether the worker may write the deployment list; false → it is killed instead. */
  onPointOfNoReturn(): boolean;
}

const NO_HOOKS: WorkerHooks = { onEvent: () => {}, onLocked: () => {}, onPointOfNoReturn: () => false };

/**
 * One worker child process; it runs one operation and exits. The event loop of the daemon
 * never blocks on libostree: pulls, deploys and cleanups happen here. `kill()` stops it at
 * once (SIGKILL), which is how Cancel interrupts even a pull inside libostree. A worker may be
 * forked ahead of time (`preload`): it then loads libostree while it waits for its operation.
 */
export class WorkerProcess {
  private readonly child: ChildProcess;
  private readonly ended: Promise<WorkerOutcome>;
  private hooks: WorkerHooks = NO_HOOKS;
  private started = false;
  private stderr = '';

  constructor(log: Logger, options: { preload: boolean }) {
    this.child = fork(bundlePath(WORKER_BUNDLE), [], {
      // A process group of its own: kill() reaches what the worker started (apt-get, dpkg-deb,
      // ostree commit, bwrap) too, not only the worker.
      detached: true,
      // libostree prints "Freed objects" on stdout; neither stream is a protocol channel.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
      env: {
        ...process.env,
        APT_OSTREED_WORKER_PRELOAD: options.preload ? '1' : '0',
        APT_OSTREED_PARENT_PID: String(process.pid),
      },
    });
    this.child.stdout?.on('data', (d: Buffer) => log.debug(`worker ${this.child.pid}: ${d.toString().trim()}`));
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    let settled: WorkerOutcome | null = null;
    this.ended = new Promise((resolve) => {
      this.child.on('message', (m: FromWorker) => {
        switch (m.type) {
          case 'event':
            this.hooks.onEvent(m.event);
            break;
          case 'locked':
            this.hooks.onLocked(m.refs);
            break;
          case 'pointOfNoReturn':
            if (this.hooks.onPointOfNoReturn()) this.child.send({ type: 'proceed' });
            else this.kill();
            break;
          case 'done':
            settled = { kind: 'done', result: m.result as Record<string, unknown> };
            break;
          case 'failed':
            settled = { kind: 'failed', errorName: m.errorName, message: m.message };
            break;
        }
      });
      // 'close' rather than 'exit': a child that could not be started (EAGAIN, ENOENT) emits
      // 'error' and 'close' but never 'exit'.
      this.child.on('close', (code, signal) => {
        if (settled !== null) return resolve(settled);
        const how = signal !== null ? `killed by ${signal}` : `exited with code ${code}`;
        const detail = this.stderr.trim() === '' ? '' : `: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`;
        resolve({ kind: 'died', message: `the worker process ${how}${detail}` });
      });
      this.child.on('error', (err) => {
        if (settled === null) settled = { kind: 'died', message: `the worker process failed: ${err.message}` };
      });
    });
  }

  /** Still running and not given an operation yet. */
  get idle(): boolean {
    return !this.started && this.child.exitCode === null && this.child.signalCode === null && this.child.connected;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Gives the worker its operation; resolves when the worker has ended. */
  run(message: RunMessage, hooks: WorkerHooks): Promise<WorkerOutcome> {
    this.started = true;
    this.hooks = hooks;
    this.child.send(message);
    return this.ended;
  }

  /** SIGKILL to the worker and every process it started (its process group). */
  kill(): void {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const pid = this.child.pid;
    try {
      if (pid === undefined) throw new Error('not started');
      process.kill(-pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
  }
}
