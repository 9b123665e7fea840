import { defineCommand } from 'citty';
import { cliCommand, ExitCode } from '../cli-context.js';
import { REBOOT_FLAG } from '../flags/common-flags.js';
import { flagsFrom, paramsFrom } from '../flags/schema-flags.js';
import { runTransaction } from '../transaction-runner.js';
import { showCurrentDeployment } from './current-deployment.js';
import { verbArgs } from './transaction-verb.js';

const args = {
  ...verbArgs(
    'OS.SetInitramfsState',
    { reboot: REBOOT_FLAG },
    {
      enable: { type: 'boolean', description: 'Regenerate the initramfs in new deployments (dracut, else mkinitramfs)' },
      disable: { type: 'boolean', description: 'Go back to the initramfs of the base image' },
    },
  ),
  ...flagsFrom('OS.SetInitramfsState', { args: { flag: 'arg', note: 'e.g. --arg=--add-drivers --arg=dummy' } }),
};

/** `apt-ostree initramfs [--enable [--arg=A]... | --disable]`; alone, shows the state. */
export const initramfs = cliCommand({
  definition: defineCommand({
    meta: { name: 'initramfs', description: "Regenerate the initramfs with the tree's generator (--enable) or use the base's (--disable)" },
    args,
  }),
  methods: ['OS.SetInitramfsState', 'OS.GetProperties', 'Transaction.Watch', 'Transaction.Cancel'],
  run: async (parsed, ctx) => {
    const params = paramsFrom(args, parsed, ctx.rawArgs);
    if (parsed.enable === true && parsed.disable === true) {
      ctx.io.stderr.write('apt-ostree initramfs: --enable and --disable exclude each other\n');
      return ExitCode.Usage;
    }
    if (params.args !== undefined && parsed.enable !== true) {
      ctx.io.stderr.write('apt-ostree initramfs: --arg needs --enable\n');
      return ExitCode.Usage;
    }
    if (parsed.enable === true || parsed.disable === true) {
      return runTransaction(ctx, 'OS.SetInitramfsState', { regenerate: parsed.enable === true, ...params }, parsed.json === true);
    }
    return showCurrentDeployment(ctx, parsed.os, (d) => {
      if (parsed.json === true) return JSON.stringify({ regenerate: d?.regenerateInitramfs ?? false, args: d?.initramfsArgs ?? [] }) + '\n';
      const state =
        d === null || !d.regenerateInitramfs ? 'disabled' : `enabled${d.initramfsArgs.length > 0 ? `, arguments: ${d.initramfsArgs.join(' ')}` : ''}`;
      return `Initramfs regeneration: ${state}\n`;
    });
  },
});
