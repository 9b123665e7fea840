import { defineCommand } from 'citty';
import { cliCommand, ExitCode } from '../cli-context.js';
import { runTransaction } from '../transaction-runner.js';
import { TRANSACTION_ARGS, transactionOptions } from './transaction-args.js';

/** `apt-ostree cleanup [-b] [-p] [-r] [-m]` (rpm-ostree's flags). */
export const cleanup = cliCommand({
  definition: defineCommand({
    meta: { name: 'cleanup', description: 'Remove the pending or rollback deployment, unused base refs, cached metadata' },
    args: {
      ...TRANSACTION_ARGS,
      base: { type: 'boolean', alias: 'b', description: 'Remove unused base refs of layered deployments' },
      pending: { type: 'boolean', alias: 'p', description: 'Remove the pending deployment' },
      rollback: { type: 'boolean', alias: 'r', description: 'Remove the rollback deployment' },
      repomd: { type: 'boolean', alias: 'm', description: 'Remove cached metadata' },
    },
  }),
  methods: ['OS.Cleanup', 'Transaction.Watch', 'Transaction.Cancel'],
  run: async (args, ctx) => {
    const elements = [
      ...(args.base ? ['base'] : []),
      ...(args.pending ? ['pending-deploy'] : []),
      ...(args.rollback ? ['rollback-deploy'] : []),
      ...(args.repomd ? ['metadata'] : []),
    ];
    if (elements.length === 0) {
      ctx.io.stderr.write('apt-ostree cleanup: say what to remove: -b, -p, -r and/or -m\n');
      return ExitCode.Usage;
    }
    return runTransaction(ctx, 'OS.Cleanup', { elements, ...transactionOptions(args) }, args.json === true);
  },
});
