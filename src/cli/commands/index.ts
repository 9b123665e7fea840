import type { CliCommand } from '../cli-context.js';
import { status } from './status.js';

/** Every verb of `apt-ostree`, by name. */
export const COMMANDS: Record<string, CliCommand> = {
  status,
};
