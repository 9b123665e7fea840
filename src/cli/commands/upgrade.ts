import { defineCommand } from 'citty';
import { cliCommand } from '../cli-context.js';
import { runTransaction } from '../transaction-runner.js';
import { DEPLOYMENT_ARGS, transactionOptions } from './transaction-args.js';

/** `apt-ostree upgrade [--download-only] [--reboot] [--allow-downgrade] [--json]`. */
export const upgrade = cliCommand({
  definition: defineCommand({
    meta: { name: 'upgrade', description: 'Pull the newest commit of the origin and deploy it' },
    args: {
      ...DEPLOYMENT_ARGS,
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
        ...transactionOptions(args),
      },
      args.json === true,
    ),
});
