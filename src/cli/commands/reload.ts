import { defineCommand } from 'citty';
import { cliCommand, ExitCode } from '../cli-context.js';

/** `apt-ostree reload`: the daemon reloads the sysroot state from disk. */
export const reload = cliCommand({
  definition: defineCommand({
    meta: { name: 'reload', description: 'Make the daemon reload the sysroot state from disk' },
    args: {},
  }),
  methods: ['Sysroot.Reload'],
  run: async (_args, ctx) => {
    const client = await ctx.connect();
    try {
      await client.call('Sysroot.Reload');
      return ExitCode.Ok;
    } finally {
      client.close();
    }
  },
});
