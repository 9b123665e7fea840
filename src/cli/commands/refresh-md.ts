import { defineCommand } from 'citty';
import { cliCommand } from '../cli-context.js';
import { runTransaction } from '../transaction-runner.js';
import { TRANSACTION_ARGS, transactionOptions } from './transaction-args.js';

/** `apt-ostree refresh-md [--force] [--json]`. */
export const refreshMd = cliCommand({
  definition: defineCommand({
    meta: { name: 'refresh-md', description: 'Refresh the APT package lists' },
    args: {
      ...TRANSACTION_ARGS,
      force: { type: 'boolean', description: 'Refresh even if the lists are fresh' },
    },
  }),
  methods: ['OS.RefreshMd', 'Transaction.Watch', 'Transaction.Cancel'],
  run: (args, ctx) =>
    runTransaction(ctx, 'OS.RefreshMd', { ...(args.force === true ? { force: true } : {}), ...transactionOptions(args) }, args.json === true),
});
