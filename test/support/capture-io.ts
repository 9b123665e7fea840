import { join } from 'node:path';
import type { CliIo } from '../../src/cli/cli-context.js';
import { main } from '../../src/cli/main.js';

/** A CliIo that records what the CLI writes. */
export function captureIo(env: NodeJS.ProcessEnv = {}): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s), isTTY: false },
    stderr: { write: (s: string) => (err += s), isTTY: false },
    env,
    out: () => out,
    err: () => err,
  };
}

/** What one CLI run printed and returned. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI in-process against the daemon on `socket()` (read at each call). */
export function cliOn(socket: () => string): (...args: string[]) => Promise<CliRun> {
  return async (...args) => {
    const io = captureIo();
    const code = await main(['--socket', socket(), ...args], io);
    return { code, out: io.out(), err: io.err() };
  };
}

/** The directory of deployment `id` (`OSNAME-CHECKSUM.SERIAL`) in `sysroot`. */
export function deploymentRoot(sysroot: string, id: string): string {
  const m = /^(.+)-([0-9a-f]{64})\.(\d+)$/.exec(id);
  if (m === null) throw new Error(`not a deployment id: ${id}`);
  return join(sysroot, 'ostree/deploy', m[1], 'deploy', `${m[2]}.${m[3]}`);
}
