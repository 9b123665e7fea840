import { defineCommand } from 'citty';
import { cliCommand } from '../cli-context.js';
import { runTransaction } from '../transaction-runner.js';
import { DEPLOYMENT_ARGS, transactionOptions } from './transaction-args.js';

/** Options that may repeat, and the OS.KernelArgs field each fills. */
const EDITS = {
  append: 'append',
  replace: 'replace',
  delete: 'delete',
  'append-if-missing': 'appendIfMissing',
  'delete-if-present': 'deleteIfPresent',
} as const;

/** Every value of a repeatable `--name VALUE` / `--name=VALUE` option, in order. */
export function repeated(rawArgs: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    if (rawArgs[i] === `--${name}` && i + 1 < rawArgs.length) values.push(rawArgs[++i]);
    else if (rawArgs[i].startsWith(`--${name}=`)) values.push(rawArgs[i].slice(name.length + 3));
  }
  return values;
}

/** `apt-ostree kargs [--append K=V] [--replace K=V] [--delete K[=V]] [--append-if-missing K] [--delete-if-present K]`. */
export const kargs = cliCommand({
  definition: defineCommand({
    meta: { name: 'kargs', description: 'Show or change the kernel arguments (a new deployment)' },
    args: {
      ...DEPLOYMENT_ARGS,
      append: { type: 'string', description: 'Add an argument (repeatable)' },
      replace: { type: 'string', description: 'KEY=VALUE or KEY=OLD=NEW (repeatable)' },
      delete: { type: 'string', description: 'Remove an argument; an error if absent (repeatable)' },
      'append-if-missing': { type: 'string', description: 'Add unless present (repeatable)' },
      'delete-if-present': { type: 'string', description: 'Remove if present (repeatable)' },
    },
  }),
  methods: ['OS.KernelArgs', 'Transaction.Watch', 'Transaction.Cancel'],
  run: async (args, ctx) => {
    const params: Record<string, unknown> = {};
    for (const [option, field] of Object.entries(EDITS)) {
      const values = repeated(ctx.rawArgs, option);
      if (values.length > 0) params[field] = values;
    }
    Object.assign(params, transactionOptions(args));
    // Without an edit the transaction only reports the current arguments.
    return runTransaction(ctx, 'OS.KernelArgs', params, args.json === true);
  },
});
