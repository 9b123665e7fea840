import { defineCommand } from 'citty';
import { cliCommand } from '../cli-context.js';
import { runTransaction } from '../transaction-runner.js';
import { FETCHING_DEPLOYMENT_ARGS, stagingOptions, transactionOptions } from './transaction-args.js';

/** `apt-ostree upgrade [--reboot] [--lock-finalization] [--cache-only] [--download-only] [--allow-downgrade] [--json]`. */
export const upgrade = cliCommand({
  definition: defineCommand({
    meta: { name: 'upgrade', description: 'Pull the newest commit of the origin and deploy it' },
    args: {
      ...FETCHING_DEPLOYMENT_ARGS,
      'allow-downgrade': { type: 'boolean', description: 'Allow the remote to go back in time' },
    },
  }),
  methods: ['OS.Upgrade', 'Transaction.Watch', 'Transaction.Cancel'],
  run: (args, ctx) =>
    runTransaction(
      ctx,
      'OS.Upgrade',
      {
        ...(args['allow-downgrade'] ? { allowDowngrade: true } : {}),
        ...stagingOptions(args),
        ...transactionOptions(args),
      },
      args.json === true,
    ),
});
