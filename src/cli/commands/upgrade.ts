import { defineCommand } from 'citty';
import { cliCommand } from '../cli-context.js';
import { ALLOW_DOWNGRADE_FLAG, FETCHING_FLAGS } from '../flags/common-flags.js';
import { paramsFrom } from '../flags/schema-flags.js';
import { formatPackageDiff, type DiffEntryView } from '../format/package-diff-text.js';
import { runTransaction } from '../transaction-runner.js';
import { verbArgs } from './transaction-verb.js';

/** The package changes of the update `--preview` found. */
function previewText(result: Record<string, unknown>): string {
  const update = result.cachedUpdate as { packageDiff: DiffEntryView[] } | null | undefined;
  return update ? formatPackageDiff(update.packageDiff) : '';
}

/** The fields of the options that say how to deploy, which a check ignores. */
const STAGING_FIELDS: readonly string[] = ['lockFinalization', 'cacheOnly', 'downloadOnly'];

const args = verbArgs(
  'OS.Upgrade',
  { ...FETCHING_FLAGS, allowDowngrade: ALLOW_DOWNGRADE_FLAG, check: { flag: 'check' } },
  {
    preview: { type: 'boolean', description: 'Like --check, and print the package changes' },
    'trigger-automatic-update-policy': {
      type: 'boolean',
      description: 'Do what AutomaticUpdatePolicy says (none, check or stage): the job of apt-ostreed-automatic.timer',
    },
  },
);

/**
 * `apt-ostree upgrade [--reboot] [--lock-finalization] [--cache-only] [--download-only]
 * [--allow-downgrade] [--check | --preview | --trigger-automatic-update-policy] [--json]`.
 */
export const upgrade = cliCommand({
  definition: defineCommand({ meta: { name: 'upgrade', description: 'Pull the newest commit of the origin and deploy it' }, args }),
  methods: ['OS.Upgrade', 'OS.AutomaticUpdateTrigger', 'Transaction.Watch', 'Transaction.Cancel'],
  run: (parsed, ctx) => {
    const json = parsed.json === true;
    const params = paramsFrom(args, parsed, ctx.rawArgs);
    if (parsed['trigger-automatic-update-policy'] === true) {
      const { osname } = params;
      return runTransaction(ctx, 'OS.AutomaticUpdateTrigger', osname === undefined ? {} : { osname }, json, { describeResult: previewText });
    }
    if (parsed.check === true || parsed.preview === true) {
      // A check deploys nothing: the staging options do not apply.
      const checkParams = Object.entries(params).filter(([field]) => !STAGING_FIELDS.includes(field));
      return runTransaction(ctx, 'OS.Upgrade', { ...Object.fromEntries(checkParams), check: true }, json, {
        describeResult: parsed.preview === true ? previewText : undefined,
      });
    }
    return runTransaction(ctx, 'OS.Upgrade', params, json);
  },
});
