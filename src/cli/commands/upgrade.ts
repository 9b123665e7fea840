import { defineCommand } from 'citty';
import { cliCommand } from '../cli-context.js';
import { formatPackageDiff, type DiffEntryView } from '../format/package-diff-text.js';
import { runTransaction } from '../transaction-runner.js';
import { FETCHING_DEPLOYMENT_ARGS, stagingOptions, transactionOptions } from './transaction-args.js';

/** The package changes of the update `--preview` found. */
function previewText(result: Record<string, unknown>): string {
  const update = result.cachedUpdate as { packageDiff: DiffEntryView[] } | null | undefined;
  return update ? formatPackageDiff(update.packageDiff) : '';
}

/**
 * `apt-ostree upgrade [--reboot] [--lock-finalization] [--cache-only] [--download-only]
 * [--allow-downgrade] [--check | --preview | --trigger-automatic-update-policy] [--json]`.
 */
export const upgrade = cliCommand({
  definition: defineCommand({
    meta: { name: 'upgrade', description: 'Pull the newest commit of the origin and deploy it' },
    args: {
      ...FETCHING_DEPLOYMENT_ARGS,
      'allow-downgrade': { type: 'boolean', description: 'Allow the remote to go back in time' },
      check: { type: 'boolean', description: 'Only check for an update: fetch its metadata and package database, cache it' },
      preview: { type: 'boolean', description: 'Like --check, and print the package changes' },
      'trigger-automatic-update-policy': {
        type: 'boolean',
        description: 'Do what AutomaticUpdatePolicy says (none, check or stage): the job of apt-ostreed-automatic.timer',
      },
    },
  }),
  methods: ['OS.Upgrade', 'OS.AutomaticUpdateTrigger', 'Transaction.Watch', 'Transaction.Cancel'],
  run: (args, ctx) => {
    if (args['trigger-automatic-update-policy'] === true) {
      return runTransaction(ctx, 'OS.AutomaticUpdateTrigger', transactionOptions({ os: args.os }), args.json === true, previewText);
    }
    const check = args.check === true || args.preview === true;
    return runTransaction(
      ctx,
      'OS.Upgrade',
      {
        ...(args['allow-downgrade'] ? { allowDowngrade: true } : {}),
        ...(check ? { check: true } : stagingOptions(args)),
        ...transactionOptions(args),
      },
      args.json === true,
      args.preview === true ? previewText : undefined,
    );
  },
});
