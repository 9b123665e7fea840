import type { ArgsDef, CommandDef, ParsedArgs } from 'citty';
import type { MethodName } from '../api/method-table.js';
import { JsonRpcClient, type NotificationListener } from '../client/jsonrpc-client.js';

/** Where the CLI writes and what environment it sees; tests pass their own. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** The running kernel's command line (default: /proc/cmdline); tests pass their own. */
  procCmdline?: () => string;
  /** Registers a Ctrl-C handler; returns its removal. Absent: interrupts are not handled. */
  onInterrupt?: (handler: () => void) => () => void;
}

/** What every command gets besides its parsed arguments. */
export interface CliContext {
  io: CliIo;
  socketPath: string;
  /** The verb's own arguments as typed (for options that may repeat). */
  rawArgs: string[];
  connect(onNotification?: NotificationListener): Promise<JsonRpcClient>;
}

/** A CLI verb: citty's command data plus the API methods it calls (checked against the table). */
export interface CliCommand<A extends ArgsDef = ArgsDef> {
  readonly definition: CommandDef<A>;
  readonly methods: readonly MethodName[];
  /** Runs the verb; returns the exit code. */
  run(args: ParsedArgs<A>, ctx: CliContext): Promise<number>;
}

/** Declares a verb, keeping its argument types for `run` while the registry stays uniform. */
export function cliCommand<const A extends ArgsDef>(command: CliCommand<A>): CliCommand {
  return command as unknown as CliCommand;
}

/** Exit codes shared by every verb. */
/** 77 is rpm-ostree's: status --pending-exit-77, kargs --unchanged-exit-77. */
export const ExitCode = { Ok: 0, Failed: 1, Usage: 2, Cancelled: 3, PendingDeployment: 77, Unchanged: 77 } as const;
