import { defineCommand } from 'citty';
import { cliCommand, ExitCode } from '../cli-context.js';
import { flagsFrom } from '../flags/schema-flags.js';

/** `apt-ostree cancel [ID]`. */
export const cancel = cliCommand({
  definition: defineCommand({
    meta: { name: 'cancel', description: 'Cancel a transaction (default: the running one)' },
    args: flagsFrom('Transaction.Cancel', { id: { flag: 'id', positional: true, note: 'default: the running one' } }),
  }),
  methods: ['Transaction.Cancel'],
  run: async (args, ctx) => {
    const client = await ctx.connect();
    try {
      const params = args.id !== undefined && args.id !== '' ? { id: args.id } : {};
      const { transaction } = await client.call<{ transaction: string }>('Transaction.Cancel', params);
      ctx.io.stdout.write(`Cancelled transaction ${transaction}\n`);
      return ExitCode.Ok;
    } finally {
      client.close();
    }
  },
});
