import { defineCommand } from 'citty';
import { cliCommand } from '../cli-context.js';
import { runTransaction } from '../transaction-runner.js';
import { NEW_DEPLOYMENT_ARGS, stagingOptions, transactionOptions } from './transaction-args.js';

/** `apt-ostree upgrade [--download-only] [--reboot] [--lock-finalization] [--allow-downgrade] [--json]`. */
export const upgrade = cliCommand({
  definition: defineCommand({
    meta: { name: 'upgrade', description: 'Pull the newest commit of the origin and deploy it' },
    args: {
      ...NEW_DEPLOYMENT_ARGS,
      'download-only': { type: 'boolean', description: 'Pull, but do not deploy' },
      'allow-downgrade': { type: 'boolean', description: 'Allow the remote to go back in time' },
    },
  }),
  methods: ['OS.Upgrade', 'Transaction.Watch', 'Transaction.Cancel'],
  run: (args, ctx) =>
    runTransaction(
      ctx,
      'OS.Upgrade',
      {
        ...(args['download-only'] ? { downloadOnly: true } : {}),
        ...(args['allow-downgrade'] ? { allowDowngrade: true } : {}),
        ...stagingOptions(args),
        ...transactionOptions(args),
      },
      args.json === true,
    ),
});
