import { defineCommand } from 'citty';
import { cliCommand } from '../cli-context.js';
import { runTransaction } from '../transaction-runner.js';
import { DEPLOYMENT_ARGS, transactionOptions } from './transaction-args.js';

/** `apt-ostree rollback [--reboot] [--json]`. */
export const rollback = cliCommand({
  definition: defineCommand({
    meta: { name: 'rollback', description: 'Make the rollback deployment the default' },
    args: {
      ...DEPLOYMENT_ARGS,
    },
  }),
  methods: ['OS.Rollback', 'Transaction.Watch', 'Transaction.Cancel'],
  run: (args, ctx) =>
    runTransaction(
      ctx,
      'OS.Rollback',
      transactionOptions(args),
      args.json === true,
    ),
});
