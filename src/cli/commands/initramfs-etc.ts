/**
 * rpm-ostree's `initramfs-etc` (OS.InitramfsEtc): `--track=/etc/FILE`, `--untrack=/etc/FILE`
 * (both repeatable), `--untrack-all`, `--force-sync`; alone, shows the tracked files.
 */
import { defineCommand } from 'citty';
import { cliCommand } from '../cli-context.js';
import { LOCK_FINALIZATION_FLAG, REBOOT_FLAG } from '../flags/common-flags.js';
import { paramsFrom } from '../flags/schema-flags.js';
import { runTransaction } from '../transaction-runner.js';
import { showCurrentDeployment } from './current-deployment.js';
import { verbArgs } from './transaction-verb.js';

const args = verbArgs('OS.InitramfsEtc', {
  track: { flag: 'track', note: 'e.g. --track=/etc/crypttab' },
  untrack: { flag: 'untrack' },
  untrackAll: { flag: 'untrack-all' },
  forceSync: { flag: 'force-sync' },
  reboot: REBOOT_FLAG,
  lockFinalization: LOCK_FINALIZATION_FLAG,
});

export const initramfsEtc = cliCommand({
  definition: defineCommand({
    meta: { name: 'initramfs-etc', description: 'Put files of /etc into the initramfs of new deployments (--track), or take them out (--untrack)' },
    args,
  }),
  methods: ['OS.InitramfsEtc', 'OS.GetProperties', 'Transaction.Watch', 'Transaction.Cancel'],
  run: async (parsed, ctx) => {
    const params = paramsFrom(args, parsed, ctx.rawArgs);
    const asks = ['track', 'untrack', 'untrackAll', 'forceSync'].some((field) => field in params);
    if (asks) return runTransaction(ctx, 'OS.InitramfsEtc', params, parsed.json === true);
    return showCurrentDeployment(ctx, parsed.os, (d) => {
      const tracked = d?.initramfsEtc ?? [];
      if (parsed.json === true) return JSON.stringify({ tracked }) + '\n';
      return tracked.length > 0 ? `Tracked files:\n${tracked.map((p) => `  ${p}\n`).join('')}` : 'No tracked files.\n';
    });
  },
});
