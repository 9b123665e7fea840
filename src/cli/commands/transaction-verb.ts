import { closeSync } from 'node:fs';
import { defineCommand, type ArgsDef, type ParsedArgs } from 'citty';
import type { MethodName } from '../../api/method-table.js';
import { cliCommand, ExitCode, type CliCommand, type CliContext } from '../cli-context.js';
import { osAndJsonFlags, type JSON_FLAG } from '../flags/common-flags.js';
import { flagsFrom, paramsFrom, type FlagArgs, type FlagSpecs, type SchemaArg } from '../flags/schema-flags.js';
import { runTransaction } from '../transaction-runner.js';

/** A usage error of a verb: printed as `apt-ostree VERB: message`, exit code 2. */
export class Usage {
  constructor(readonly message: string) {}
}

/** A request that passes open files (its params name them `{"fd": N}`); they are closed after the call. */
export class WithFiles {
  constructor(
    readonly params: Record<string, unknown>,
    readonly fds: number[],
  ) {}
}

/** The arguments of a transaction verb: `--os`, `--json`, the schema-derived ones, then its own. */
type VerbArgs<N extends MethodName, S, C> = { os: SchemaArg<'string'>; json: typeof JSON_FLAG } & FlagArgs<N, S> & C;

/** A verb that starts one transaction method and follows it, as data. */
export interface TransactionVerb<N extends MethodName, S extends FlagSpecs<N>, C extends ArgsDef> {
  readonly name: string;
  readonly description: string;
  readonly method: N;
  /** The params fields the verb exposes (besides osname, always `--os`), with their options. */
  readonly flags: S;
  /** Read methods `request` may call besides the verb's method. */
  readonly reads?: readonly MethodName[];
  /** Options of the CLI's own, mapped to params by `request`. */
  readonly cliFlags?: C;
  /**
   * The request from the parsed options and the params the schema-derived ones set (default:
   * those params), or a usage error.
   */
  readonly request?: (
    args: ParsedArgs<VerbArgs<N, S, C>>,
    params: Record<string, unknown>,
    ctx: CliContext,
  ) => Record<string, unknown> | WithFiles | Usage | Promise<Record<string, unknown> | Usage>;
}

/** The options of a transaction verb, in help order. */
export function verbArgs<N extends MethodName, const S extends FlagSpecs<N>, const C extends ArgsDef = Record<never, never>>(
  method: N,
  flags: S,
  cliFlags?: C,
): VerbArgs<N, S, C> {
  return { ...osAndJsonFlags(method), ...flagsFrom(method, flags), ...(cliFlags ?? ({} as C)) };
}

/** Builds the CLI command of a transaction verb. */
export function transactionVerb<N extends MethodName, const S extends FlagSpecs<N>, const C extends ArgsDef = Record<never, never>>(
  verb: TransactionVerb<N, S, C>,
): CliCommand {
  const args = verbArgs(verb.method, verb.flags, verb.cliFlags);
  return cliCommand({
    definition: defineCommand({ meta: { name: verb.name, description: verb.description }, args }),
    methods: [verb.method, ...(verb.reads ?? []), 'Transaction.Watch', 'Transaction.Cancel'],
    run: async (parsed, ctx) => {
      const fromFlags = paramsFrom(args, parsed, ctx.rawArgs);
      const request = verb.request === undefined ? fromFlags : await verb.request(parsed, fromFlags, ctx);
      if (request instanceof Usage) {
        ctx.io.stderr.write(`apt-ostree ${verb.name}: ${request.message}\n`);
        return ExitCode.Usage;
      }
      if (!(request instanceof WithFiles)) return runTransaction(ctx, verb.method, request, parsed.json === true);
      try {
        return await runTransaction(ctx, verb.method, request.params, parsed.json === true, { fds: request.fds });
      } finally {
        for (const fd of request.fds) closeSync(fd);
      }
    },
  });
}
