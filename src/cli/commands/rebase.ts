import { defineCommand } from 'citty';
import { cliCommand, ExitCode } from '../cli-context.js';
import { runTransaction } from '../transaction-runner.js';

/** `apt-ostree rebase REFSPEC [REVISION] [--reboot] [--json]`. */
export const rebase = cliCommand({
  definition: defineCommand({
    meta: { name: 'rebase', description: 'Follow another branch (REMOTE:REF, or REF on the current remote)' },
    args: {
      refspec: { type: 'positional', description: 'REMOTE:REF or REF', required: false },
      revision: { type: 'positional', description: 'Commit checksum of the new branch', required: false },
      reboot: { type: 'boolean', description: 'Reboot after a successful rebase' },
      os: { type: 'string', description: 'Stateroot to act on (default: the booted one)' },
      json: { type: 'boolean', description: 'Print the raw event stream and result as JSON lines' },
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
        ...(args.reboot ? { reboot: true } : {}),
        ...(args.os !== undefined ? { osname: args.os } : {}),
      },
      args.json === true,
    );
  },
});
