import { defineCommand } from 'citty';
import type { DeploymentObject as Deployment, ResultOf } from '../../api/method-types.js';
import { cliCommand, ExitCode, type CliContext } from '../cli-context.js';
import { OS_FLAG } from '../flags/common-flags.js';
import { flagsFrom } from '../flags/schema-flags.js';
import { formatPackageDiff, type DiffEntryView } from '../format/package-diff-text.js';
import { dbList, dbVersion } from './db-list.js';

type Roles = ResultOf<'OS.GetProperties'>;

/** A deployment named on the command line: its id, or its index in `apt-ostree status` order. */
function pick(deployments: readonly Deployment[], word: string): Deployment | string {
  const found = /^\d+$/.test(word) ? deployments[Number(word)] : deployments.find((d) => d.id === word);
  return found ?? `no deployment ${word} (give a deployment id or an index from \`apt-ostree status\`)`;
}

/** rpm-ostree's defaults: booted → pending when there is one, else rollback → default. */
function defaults(os: Roles): [Deployment, Deployment] | string {
  const { bootedDeployment: booted, defaultDeployment: dflt, rollbackDeployment: rollback } = os;
  if (booted !== null && dflt !== null && dflt.id !== booted.id) return [booted as Deployment, dflt as Deployment];
  if (rollback !== null && dflt !== null) return [rollback as Deployment, dflt as Deployment];
  return 'only one deployment: nothing to compare it with';
}

async function dbDiff(words: string[], args: { json?: boolean; os?: string }, ctx: CliContext): Promise<number> {
  if (words.length > 2) {
    ctx.io.stderr.write('apt-ostree db diff: at most FROM and TO\n');
    return ExitCode.Usage;
  }
  const client = await ctx.connect();
  try {
    const osParams = args.os !== undefined ? { osname: args.os } : {};
    const os = await client.call<Roles>('OS.GetProperties', osParams);
    const { deployments } = await client.call<ResultOf<'Sysroot.GetDeployments'>>('Sysroot.GetDeployments');
    let pair: [Deployment, Deployment] | string;
    if (words.length === 0) pair = defaults(os);
    else {
      const from = pick(deployments, words[0]);
      const to = words.length > 1 ? pick(deployments, words[1]) : (((os.bootedDeployment ?? os.defaultDeployment) as Deployment | null) ?? 'no deployment');
      pair = typeof from === 'string' ? from : typeof to === 'string' ? to : [from, to];
    }
    if (typeof pair === 'string') {
      ctx.io.stderr.write(`apt-ostree db diff: ${pair}\n`);
      return ExitCode.Failed;
    }
    const [from, to] = pair;
    const { changes } = await client.call<{ changes: DiffEntryView[] }>('OS.GetDeploymentsAptDiff', { ...osParams, from: from.id, to: to.id });
    if (args.json === true) {
      ctx.io.stdout.write(JSON.stringify({ from: from.id, to: to.id, changes }) + '\n');
    } else {
      ctx.io.stdout.write(`ostree diff commit from: ${from.id}\nostree diff commit to:   ${to.id}\n${formatPackageDiff(changes)}`);
    }
    return ExitCode.Ok;
  } finally {
    client.close();
  }
}

/** The subcommands of `apt-ostree db`. */
const SUBCOMMANDS: Record<string, (words: string[], args: { json?: boolean; os?: string }, ctx: CliContext) => Promise<number>> = {
  diff: dbDiff,
  list: dbList,
  version: dbVersion,
};

/**
 * `apt-ostree db diff [FROM [TO]]`, `db list [DEPLOYMENT] [PATTERN...]`, `db version
 * [DEPLOYMENT]`, with `--json`: the package database of deployments.
 */
export const db = cliCommand({
  definition: defineCommand({
    meta: {
      name: 'db',
      description:
        'Package database queries: `db diff [FROM [TO]]` (the package changes), `db list [DEPLOYMENT] [PATTERN...]` (the installed packages, names matching the globs), `db version [DEPLOYMENT]` (COUNT:SHA1 of the installed packages, like the rpmdb version); deployments as ids or status indexes',
    },
    args: {
      ...flagsFrom('OS.GetDeploymentsAptDiff', { osname: OS_FLAG }),
      json: { type: 'boolean', description: 'Print JSON: {from, to, changes}, {deployment, packages} or {deployment, dpkgDatabaseVersion}' },
    },
  }),
  methods: ['OS.GetDeploymentsAptDiff', 'OS.ListPackages', 'OS.GetProperties', 'Sysroot.GetDeployments'],
  run: async (args, ctx) => {
    const words = ctx.rawArgs.filter((a, i) => !a.startsWith('-') && !(i > 0 && ctx.rawArgs[i - 1] === '--os'));
    const sub = words.length > 0 && Object.hasOwn(SUBCOMMANDS, words[0]) ? SUBCOMMANDS[words[0]] : undefined;
    if (sub === undefined) {
      ctx.io.stderr.write('apt-ostree db: expected `diff [FROM [TO]]`, `list [DEPLOYMENT] [PATTERN...]` or `version [DEPLOYMENT]`\n');
      return ExitCode.Usage;
    }
    return sub(words.slice(1), args, ctx);
  },
});
