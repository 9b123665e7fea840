/**
 * `apt-ostree status --json | head -1`: the reader goes away and writes to stdout fail with
 * EPIPE. Like git and rpm-ostree (killed by SIGPIPE), the CLI then stops at once and quietly,
 * with the exit status a shell shows for a process killed by SIGPIPE: 128 + 13 = 141. (Node
 * ignores SIGPIPE, so the error arrives as an 'error' event, which unhandled would crash with
 * a stack trace.) A broken stderr is ignored: there is nobody to tell.
 */

/** The exit status of a CLI whose stdout reader went away. */
export const BROKEN_PIPE_EXIT = 141;

/** Something that emits 'error' like a stream. */
interface ErrorEmitter {
  on(event: 'error', listener: (err: Error & { code?: string }) => void): unknown;
}

/** Makes EPIPE on `stdout` end the process with {@link BROKEN_PIPE_EXIT}; ignores it on `stderr`. */
export function exitQuietlyOnBrokenPipe(stdout: ErrorEmitter, stderr: ErrorEmitter, exit: (code: number) => void): void {
  stdout.on('error', (err) => {
    if (err.code === 'EPIPE') exit(BROKEN_PIPE_EXIT);
    else throw err;
  });
  stderr.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
  });
}
