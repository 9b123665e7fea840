import { defineCommand } from 'citty';
import type { TransactionObject } from '../../api/method-types.js';
import { cliCommand, ExitCode } from '../cli-context.js';
import { flagsFrom } from '../flags/schema-flags.js';

/** One line per transaction: when, how it ended, what it was. */
export function formatHistory(transactions: TransactionObject[]): string {
  if (transactions.length === 0) return 'No transactions yet.\n';
  return (
    transactions
      .map((t) => {
        const when = (t.finishedAt ?? t.createdAt).replace(/\.\d{3}Z$/, 'Z');
        const error = t.error === null ? '' : `\n    ${t.error.message}`;
        return `${when}  ${t.state.padEnd(9)}  ${t.title}  (${t.id})${error}`;
      })
      .join('\n') + '\n'
  );
}

/** `apt-ostree history [--limit N] [--json]`. */
export const history = cliCommand({
  definition: defineCommand({
    meta: { name: 'history', description: 'Show finished transactions, newest first' },
    args: {
      ...flagsFrom('Transaction.History', { limit: { flag: 'limit' } }),
      json: { type: 'boolean', description: 'Print the Transaction objects as JSON' },
    },
  }),
  methods: ['Transaction.History'],
  run: async (args, ctx) => {
    const limit = args.limit === undefined ? 50 : Number(args.limit);
    if (!Number.isInteger(limit) || limit < 1) {
      ctx.io.stderr.write('apt-ostree history: --limit must be a positive integer\n');
      return ExitCode.Usage;
    }
    const client = await ctx.connect();
    try {
      const { transactions } = await client.call<{ transactions: TransactionObject[] }>('Transaction.History', { limit });
      ctx.io.stdout.write(args.json ? JSON.stringify({ transactions }, null, 2) + '\n' : formatHistory(transactions));
      return ExitCode.Ok;
    } finally {
      client.close();
    }
  },
});
