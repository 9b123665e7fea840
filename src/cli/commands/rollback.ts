import { defineCommand } from 'citty';
import { cliCommand } from '../cli-context.js';
import { runTransaction } from '../transaction-runner.js';

/** `apt-ostree rollback [--reboot] [--json]`. */
export const rollback = cliCommand({
  definition: defineCommand({
    meta: { name: 'rollback', description: 'Make the rollback deployment the default' },
    args: {
      reboot: { type: 'boolean', description: 'Reboot after a successful rollback' },
      os: { type: 'string', description: 'Stateroot to act on (default: the booted one)' },
      json: { type: 'boolean', description: 'Print the raw event stream and result as JSON lines' },
    },
  }),
  methods: ['OS.Rollback', 'Transaction.Watch', 'Transaction.Cancel'],
  run: (args, ctx) =>
    runTransaction(
      ctx,
      'OS.Rollback',
      { ...(args.reboot ? { reboot: true } : {}), ...(args.os !== undefined ? { osname: args.os } : {}) },
      args.json === true,
    ),
});
