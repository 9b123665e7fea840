/**
 * Runs the flooding client (flood-client.ts) as an unprivileged user, in the background, for
 * the attack tests, the fuzzer and the bench.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './repo-root.js';

const FLOOD_CLIENT = join(REPO_ROOT, 'dist', 'test', 'support', 'flood-client.js');

export interface UserFlood {
  /** Resolves once the client's connections are open and have written their requests. */
  ready: Promise<void>;
  /** What the client printed at the end (see flood-client.ts). */
  result: Promise<Record<string, unknown>>;
  /** Ends the client early (SIGKILL to runuser's child through the process group). */
  kill(): void;
}

/** `runuser -u USER -- node flood-client.js ARGS...` */
export function floodAsUser(user: string, args: (string | number)[]): UserFlood {
  const child = spawn('runuser', ['-u', user, '--', process.execPath, FLOOD_CLIENT, ...args.map(String)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    if (out.includes('{"ready":true}\n')) onReady();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const result = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once('close', (code) => {
      onReady();
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last !== '' && !last.includes('"ready"')) resolve(JSON.parse(last) as Record<string, unknown>);
      else reject(new Error(`flood client exited ${code}: ${err.trim()}`));
    });
  });
  result.catch(() => {});
  return {
    ready,
    result,
    kill: () => {
      if (child.exitCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}
