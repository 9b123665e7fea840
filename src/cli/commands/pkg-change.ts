import { defineCommand } from 'citty';
import { cliCommand, ExitCode, type CliCommand } from '../cli-context.js';
import { runTransaction } from '../transaction-runner.js';
import { NEW_DEPLOYMENT_ARGS, stagingOptions, transactionOptions } from './transaction-args.js';

/** The words of `rawArgs` that are not options (nor the value of `--os`); `--` ends options. */
export function packageArgs(rawArgs: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const a = rawArgs[i];
    if (a === '--') return [...out, ...rawArgs.slice(i + 1)];
    if (a === '--os') i++;
    else if (!a.startsWith('-')) out.push(a);
  }
  return out;
}

const ARGS = {
  ...NEW_DEPLOYMENT_ARGS,
  'dry-run': { type: 'boolean', description: 'Show what would change, change nothing' },
  idempotent: { type: 'boolean', description: 'Do nothing if already (not) requested' },
} as const;

/** `apt-ostree install|uninstall PKG...`: OS.PkgChange with add or remove. */
function pkgCommand(verb: 'install' | 'uninstall'): CliCommand {
  return cliCommand({
    definition: defineCommand({
      meta: {
        name: verb,
        description: verb === 'install' ? 'Layer packages onto the base image' : 'Remove layered packages',
      },
      args: {
        ...ARGS,
        ...(verb === 'install'
          ? { 'allow-inactive': { type: 'boolean', description: 'Allow requesting a package the base already has' } }
          : {}),
      },
    }),
    methods: ['OS.PkgChange', 'Transaction.Watch', 'Transaction.Cancel'],
    run: async (args, ctx) => {
      const packages = packageArgs(ctx.rawArgs);
      if (packages.length === 0) {
        ctx.io.stderr.write(`apt-ostree ${verb}: at least one PACKAGE is required\n`);
        return ExitCode.Usage;
      }
      const a = args as typeof args & { 'allow-inactive'?: boolean };
      return runTransaction(
        ctx,
        'OS.PkgChange',
        {
          [verb === 'install' ? 'add' : 'remove']: packages,
          ...(a['dry-run'] === true ? { dryRun: true } : {}),
          ...(a.idempotent === true ? { idempotent: true } : {}),
          ...(a['allow-inactive'] === true ? { allowInactive: true } : {}),
          ...stagingOptions(a),
          ...transactionOptions(a),
        },
        a.json === true,
      );
    },
  });
}

export const install = pkgCommand('install');
export const uninstall = pkgCommand('uninstall');
