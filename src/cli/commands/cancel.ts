import { defineCommand } from 'citty';
import { cliCommand, ExitCode } from '../cli-context.js';

/** `apt-ostree cancel [ID]`. */
export const cancel = cliCommand({
  definition: defineCommand({
    meta: { name: 'cancel', description: 'Cancel a transaction (default: the running one)' },
    args: { id: { type: 'positional', description: 'Transaction id', required: false } },
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
