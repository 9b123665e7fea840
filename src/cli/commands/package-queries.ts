import { defineCommand } from 'citty';
import type { PackageInfo } from '../../api/types/package.js';
import { cliCommand, ExitCode, type CliCommand } from '../cli-context.js';
import { packageArgs } from './pkg-change.js';
import { TRANSACTION_ARGS } from './transaction-args.js';

/** One line per package: `name version (arch) [status] - summary, from origin`. */
export function packageLines(packages: PackageInfo[]): string {
  return packages.map((p) => `${p.name} ${p.version} (${p.architecture}) [${p.status}] - ${p.summary}${p.origin ? `, from ${p.origin}` : ''}\n`).join('');
}

function queryCommand(name: 'search' | 'whatprovides', method: 'OS.Search' | 'OS.WhatProvides', description: string): CliCommand {
  return cliCommand({
    definition: defineCommand({ meta: { name, description }, args: { ...TRANSACTION_ARGS } }),
    methods: [method],
    run: async (args, ctx) => {
      const words = packageArgs(ctx.rawArgs);
      if (words.length === 0) {
        ctx.io.stderr.write(`apt-ostree ${name}: at least one ${name === 'search' ? 'TERM' : 'NAME'} is required\n`);
        return ExitCode.Usage;
      }
      const client = await ctx.connect();
      try {
        const params = { ...(method === 'OS.Search' ? { names: words } : { provides: words }), ...(args.os !== undefined ? { osname: args.os } : {}) };
        const { packages } = await client.call<{ packages: PackageInfo[] }>(method, params);
        ctx.io.stdout.write(args.json === true ? JSON.stringify({ packages }) + '\n' : packageLines(packages) || 'No packages found.\n');
        return ExitCode.Ok;
      } finally {
        client.close();
      }
    },
  });
}

export const search = queryCommand('search', 'OS.Search', 'Search the APT lists by name and description');
export const whatprovides = queryCommand('whatprovides', 'OS.WhatProvides', 'Packages that provide the given names');
