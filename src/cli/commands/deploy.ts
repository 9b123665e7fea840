import { defineCommand } from 'citty';
import { cliCommand, ExitCode } from '../cli-context.js';
import { runTransaction } from '../transaction-runner.js';
import { FETCHING_DEPLOYMENT_ARGS, stagingOptions, transactionOptions } from './transaction-args.js';

/** `apt-ostree deploy REVISION [--reboot] [--lock-finalization] [--cache-only] [--download-only] [--allow-downgrade] [--json]`. */
export const deploy = cliCommand({
  definition: defineCommand({
    meta: { name: 'deploy', description: 'Deploy a given commit (checksum or version) of the current refspec' },
    args: {
      ...FETCHING_DEPLOYMENT_ARGS,
      revision: { type: 'positional', description: 'Commit checksum or version', required: false },
      'allow-downgrade': { type: 'boolean', description: 'Allow a commit older than the current one' },
    },
  }),
  methods: ['OS.Deploy', 'Transaction.Watch', 'Transaction.Cancel'],
  run: async (args, ctx) => {
    if (args.revision === undefined || args.revision === '') {
      ctx.io.stderr.write('apt-ostree deploy: a REVISION (commit checksum or version) is required\n');
      return ExitCode.Usage;
    }
    return runTransaction(
      ctx,
      'OS.Deploy',
      {
        revision: args.revision,
        ...(args['allow-downgrade'] ? { allowDowngrade: true } : {}),
        ...stagingOptions(args),
        ...transactionOptions(args),
      },
      args.json === true,
    );
  },
});
