import { defineCommand } from 'citty';
import { cliCommand } from '../cli-context.js';
import { runTransaction } from '../transaction-runner.js';

/** `apt-ostree upgrade [--download-only] [--reboot] [--allow-downgrade] [--json]`. */
export const upgrade = cliCommand({
  definition: defineCommand({
    meta: { name: 'upgrade', description: 'Pull the newest commit of the origin and deploy it' },
    args: {
      'download-only': { type: 'boolean', description: 'Pull, but do not deploy' },
      reboot: { type: 'boolean', description: 'Reboot after a successful upgrade' },
      'allow-downgrade': { type: 'boolean', description: 'Allow the remote to go back in time' },
      os: { type: 'string', description: 'Stateroot to act on (default: the booted one)' },
      json: { type: 'boolean', description: 'Print the raw event stream and result as JSON lines' },
    },
  }),
  methods: ['OS.Upgrade', 'Transaction.Watch', 'Transaction.Cancel'],
  run: (args, ctx) =>
    runTransaction(
      ctx,
      'OS.Upgrade',
      {
        ...(args['download-only'] ? { downloadOnly: true } : {}),
        ...(args.reboot ? { reboot: true } : {}),
        ...(args['allow-downgrade'] ? { allowDowngrade: true } : {}),
        ...(args.os !== undefined ? { osname: args.os } : {}),
      },
      args.json === true,
    ),
});
