import { defineCommand } from 'citty';
import { cliCommand, ExitCode } from '../cli-context.js';
import { runTransaction } from '../transaction-runner.js';
import { FETCHING_DEPLOYMENT_ARGS, stagingOptions, transactionOptions } from './transaction-args.js';

/** `apt-ostree rebase REFSPEC [REVISION] [--reboot] [--lock-finalization] [--cache-only] [--download-only] [--json]`. */
export const rebase = cliCommand({
  definition: defineCommand({
    meta: { name: 'rebase', description: 'Follow another branch (REMOTE:REF, or REF on the current remote)' },
    args: {
      ...FETCHING_DEPLOYMENT_ARGS,
      refspec: { type: 'positional', description: 'REMOTE:REF or REF', required: false },
      revision: { type: 'positional', description: 'Commit checksum of the new branch', required: false },
    },
  }),
  methods: ['OS.Rebase', 'Transaction.Watch', 'Transaction.Cancel'],
  run: async (args, ctx) => {
    if (args.refspec === undefined || args.refspec === '') {
      ctx.io.stderr.write('apt-ostree rebase: a REFSPEC is required\n');
      return ExitCode.Usage;
    }
    return runTransaction(
      ctx,
      'OS.Rebase',
      {
        refspec: args.refspec,
        ...(args.revision !== undefined && args.revision !== '' ? { revision: args.revision } : {}),
        ...stagingOptions(args),
        ...transactionOptions(args),
      },
      args.json === true,
    );
  },
});
