import type { CliIo } from '../../src/cli/cli-context.js';

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
