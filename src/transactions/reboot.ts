import { spawn } from 'node:child_process';
import type { Logger } from '../util/logger.js';

/** Runs the configured reboot command (argv, never a shell), detached from the daemon. */
export function runRebootCommand(argv: string[], log: Logger): void {
  const [command, ...args] = argv;
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', (err) => log.error(`reboot command ${command} failed to start`, err.message));
  child.on('exit', (code) => {
    if (code !== 0) log.error(`reboot command ${argv.join(' ')} exited with ${code}`);
  });
  child.unref();
}
