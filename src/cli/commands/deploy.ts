import { defineCommand } from 'citty';
import { cliCommand, ExitCode } from '../cli-context.js';
import { runTransaction } from '../transaction-runner.js';

/** `apt-ostree deploy REVISION [--reboot] [--allow-downgrade] [--json]`. */
export const deploy = cliCommand({
  definition: defineCommand({
    meta: { name: 'deploy', description: 'Deploy a given commit (checksum or version) of the current refspec' },
    args: {
      revision: { type: 'positional', description: 'Commit checksum or version', required: false },
      reboot: { type: 'boolean', description: 'Reboot after a successful deploy' },
      'allow-downgrade': { type: 'boolean', description: 'Allow a commit older than the current one' },
      os: { type: 'string', description: 'Stateroot to act on (default: the booted one)' },
      json: { type: 'boolean', description: 'Print the raw event stream and result as JSON lines' },
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
        ...(args.reboot ? { reboot: true } : {}),
        ...(args['allow-downgrade'] ? { allowDowngrade: true } : {}),
        ...(args.os !== undefined ? { osname: args.os } : {}),
      },
      args.json === true,
    );
  },
});
