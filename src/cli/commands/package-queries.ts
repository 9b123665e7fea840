import { defineCommand } from 'citty';
import type { PackageInfoObject } from '../../api/method-types.js';
import { cliCommand, ExitCode, type CliCommand } from '../cli-context.js';
import { osAndJsonFlags } from '../flags/common-flags.js';
import { packageArgs } from '../flags/package-words.js';
import { paramsFrom } from '../flags/schema-flags.js';

/** One line per package: `name version (arch) [status] - summary, from origin`. */
export function packageLines(packages: PackageInfoObject[]): string {
  return packages.map((p) => `${p.name} ${p.version} (${p.architecture}) [${p.status}] - ${p.summary}${p.origin ? `, from ${p.origin}` : ''}\n`).join('');
}

function queryCommand(name: 'search' | 'whatprovides', method: 'OS.Search' | 'OS.WhatProvides', description: string): CliCommand {
  const args = osAndJsonFlags(method);
  return cliCommand({
    definition: defineCommand({ meta: { name, description }, args }),
    methods: [method],
    run: async (parsed, ctx) => {
      const words = packageArgs(ctx.rawArgs);
      if (words.length === 0) {
        ctx.io.stderr.write(`apt-ostree ${name}: at least one ${name === 'search' ? 'TERM' : 'NAME'} is required\n`);
        return ExitCode.Usage;
      }
      const client = await ctx.connect();
      try {
        const params = { ...(method === 'OS.Search' ? { names: words } : { provides: words }), ...paramsFrom(args, parsed, ctx.rawArgs) };
        const { packages } = await client.call<{ packages: PackageInfoObject[] }>(method, params);
        ctx.io.stdout.write(parsed.json === true ? JSON.stringify({ packages }) + '\n' : packageLines(packages) || 'No packages found.\n');
        return ExitCode.Ok;
      } finally {
        client.close();
      }
    },
  });
}

export const search = queryCommand('search', 'OS.Search', 'Search the APT lists by name and description');
export const whatprovides = queryCommand('whatprovides', 'OS.WhatProvides', 'Packages that provide the given names');
