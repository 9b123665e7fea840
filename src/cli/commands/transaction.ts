import { defineCommand } from 'citty';
import type { TransactionObject } from '../../api/method-types.js';
import { cliCommand, ExitCode } from '../cli-context.js';
import { flagsFrom } from '../flags/schema-flags.js';
import { ProgressRenderer } from '../format/progress-renderer.js';
import { watch } from '../transaction-runner.js';

/** `apt-ostree transaction list [--json]` and `apt-ostree transaction watch [ID] [--json]`. */
export const transaction = cliCommand({
  definition: defineCommand({
    meta: { name: 'transaction', description: 'List the running and queued transactions, or watch one' },
    args: {
      action: { type: 'positional', description: 'list or watch', required: true },
      ...flagsFrom('Transaction.Watch', { id: { flag: 'id', positional: true, note: 'watch; default: the running one' } }),
      json: { type: 'boolean', description: 'JSON output' },
    },
  }),
  methods: ['Transaction.List', 'Transaction.Watch'],
  run: async (args, ctx) => {
    if (args.action !== 'list' && args.action !== 'watch') {
      ctx.io.stderr.write('apt-ostree transaction: expected "list" or "watch"\n');
      return ExitCode.Usage;
    }
    const renderer = new ProgressRenderer(ctx.io.stdout, ctx.io.stdout.isTTY === true);
    const json = args.json === true;
    const client = await ctx.connect((event, p) => {
      if (json) ctx.io.stdout.write(JSON.stringify({ method: event, params: p }) + '\n');
      else renderer.event(event.replace(/^Transaction\./, ''), p);
    });
    try {
      if (args.action === 'list') {
        const { transactions } = await client.call<{ transactions: TransactionObject[] }>('Transaction.List');
        if (json) ctx.io.stdout.write(JSON.stringify({ transactions }, null, 2) + '\n');
        else if (transactions.length === 0) ctx.io.stdout.write('No transaction is running.\n');
        else for (const t of transactions) ctx.io.stdout.write(`${t.id}  ${t.state.padEnd(8)}  ${t.title}\n`);
        return ExitCode.Ok;
      }
      let id = args.id;
      if (id === undefined || id === '') {
        const { transactions } = await client.call<{ transactions: TransactionObject[] }>('Transaction.List');
        if (transactions.length === 0) {
          ctx.io.stdout.write('No transaction is running.\n');
          return ExitCode.Ok;
        }
        id = transactions[0].id;
      }
      return await watch(ctx, client, id, json, renderer);
    } finally {
      client.close();
    }
  },
});
