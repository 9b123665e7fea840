import { defineCommand } from 'citty';
import { cliCommand, ExitCode } from '../cli-context.js';
import { runTransaction } from '../transaction-runner.js';
import { TRANSACTION_ARGS, transactionOptions } from './transaction-args.js';

/** `apt-ostree finalize-deployment CHECKSUM [--json]`: release a locked staged deployment and reboot. */
export const finalizeDeployment = cliCommand({
  definition: defineCommand({
    meta: {
      name: 'finalize-deployment',
      description: 'Let the staged deployment with this commit be finalized, and reboot',
    },
    args: {
      ...TRANSACTION_ARGS,
      checksum: { type: 'positional', description: 'Commit checksum of the staged deployment (see status)', required: false },
    },
  }),
  methods: ['OS.FinalizeDeployment', 'Transaction.Watch', 'Transaction.Cancel'],
  run: async (args, ctx) => {
    if (args.checksum === undefined || !/^[0-9a-f]{64}$/.test(args.checksum)) {
      ctx.io.stderr.write('apt-ostree finalize-deployment: the full CHECKSUM (64 hex digits) of the staged deployment is required\n');
      return ExitCode.Usage;
    }
    return runTransaction(ctx, 'OS.FinalizeDeployment', { checksum: args.checksum, ...transactionOptions(args) }, args.json === true);
  },
});
