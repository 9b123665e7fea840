import { defineCommand } from 'citty';
import type { ResultOf } from '../../dispatcher/handlers.js';
import { cliCommand, ExitCode } from '../cli-context.js';
import { runTransaction } from '../transaction-runner.js';
import { repeated } from './kargs.js';
import { DEPLOYMENT_ARGS, transactionOptions } from './transaction-args.js';

/** `apt-ostree initramfs [--enable [--arg=A]... | --disable]`; alone, shows the state. */
export const initramfs = cliCommand({
  definition: defineCommand({
    meta: { name: 'initramfs', description: 'Regenerate the initramfs with the tree\'s generator (--enable) or use the base\'s (--disable)' },
    args: {
      ...DEPLOYMENT_ARGS,
      enable: { type: 'boolean', description: 'Regenerate the initramfs in new deployments (dracut, else mkinitramfs)' },
      disable: { type: 'boolean', description: 'Go back to the initramfs of the base image' },
      arg: { type: 'string', description: 'An argument for the generator, e.g. --arg=--add-drivers --arg=dummy (repeatable)' },
    },
  }),
  methods: ['OS.SetInitramfsState', 'OS.GetProperties', 'Transaction.Watch', 'Transaction.Cancel'],
  run: async (args, ctx) => {
    const extra = repeated(ctx.rawArgs, 'arg');
    if (args.enable === true && args.disable === true) {
      ctx.io.stderr.write('apt-ostree initramfs: --enable and --disable exclude each other\n');
      return ExitCode.Usage;
    }
    if (extra.length > 0 && args.enable !== true) {
      ctx.io.stderr.write('apt-ostree initramfs: --arg needs --enable\n');
      return ExitCode.Usage;
    }
    if (args.enable === true || args.disable === true) {
      const params = { regenerate: args.enable === true, ...(extra.length > 0 ? { args: extra } : {}), ...transactionOptions(args) };
      return runTransaction(ctx, 'OS.SetInitramfsState', params, args.json === true);
    }
    const client = await ctx.connect();
    try {
      const os = await client.call<ResultOf<'OS.GetProperties'>>('OS.GetProperties', args.os !== undefined ? { osname: args.os } : {});
      const d = os.bootedDeployment ?? os.defaultDeployment;
      const state = d === null || !d.regenerateInitramfs ? 'disabled' : `enabled${d.initramfsArgs.length > 0 ? `, arguments: ${d.initramfsArgs.join(' ')}` : ''}`;
      ctx.io.stdout.write(args.json === true ? JSON.stringify({ regenerate: d?.regenerateInitramfs ?? false, args: d?.initramfsArgs ?? [] }) + '\n' : `Initramfs regeneration: ${state}\n`);
      return ExitCode.Ok;
    } finally {
      client.close();
    }
  },
});
