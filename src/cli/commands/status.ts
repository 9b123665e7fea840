import { defineCommand } from 'citty';
import type { DeploymentObject as Deployment, ResultOf } from '../../api/method-types.js';
import { cliCommand, ExitCode } from '../cli-context.js';
import { formatStatus } from '../format/status-text.js';
import { rpmOstreeStatusJson } from '../format/status-json.js';
import { osObjectPath } from '../../api/dbus-object-paths.js';

const definition = defineCommand({
  meta: { name: 'status', description: 'Show the deployments and what the daemon is doing' },
  args: {
    json: { type: 'boolean', description: "Print the status as JSON, in rpm-ostree's shape (deployments, transaction, cached-update)" },
    booted: { type: 'boolean', alias: 'b', description: 'Only show the booted deployment' },
    verbose: { type: 'boolean', alias: 'v', description: "Also show each deployment's stateroot, id, index and kernel arguments" },
    'pending-exit-77': { type: 'boolean', description: 'Exit with 77 when a deployment is pending (the next boot is not the booted deployment)' },
  },
});

/**
 * rpm-ostree's test for `--pending-exit-77`: the booted OS's first deployment (the next boot's,
 * staged or not) is not the booted one. Nothing is pending on a system not booted into the sysroot.
 */
export function hasPendingDeployment(deployments: readonly Pick<Deployment, 'booted' | 'osname'>[]): boolean {
  const booted = deployments.find((d) => d.booted);
  if (booted === undefined) return false;
  return deployments.find((d) => d.osname === booted.osname) !== booted;
}

/** `apt-ostree status [--json] [-b|--booted] [-v|--verbose] [--pending-exit-77]`. */
export const status = cliCommand({
  definition,
  methods: ['Sysroot.GetProperties', 'OS.GetProperties'],
  async run(args, ctx) {
    const client = await ctx.connect();
    try {
      const sysroot = await client.call<ResultOf<'Sysroot.GetProperties'>>('Sysroot.GetProperties');
      // An empty sysroot has no OS to ask about; there is no cached update then either.
      const os = sysroot.deployments.length > 0 ? await client.call<ResultOf<'OS.GetProperties'>>('OS.GetProperties') : null;
      const deployments = args.booted === true ? sysroot.deployments.filter((d) => d.booted) : sysroot.deployments;
      if (args.json === true) {
        ctx.io.stdout.write(rpmOstreeStatusJson(sysroot, deployments, os?.cachedUpdate ?? null, os === null ? '/' : osObjectPath(os.name)));
      } else {
        ctx.io.stdout.write(
          formatStatus({
            deployments: sysroot.deployments,
            transaction: sysroot.activeTransaction,
            sysrootPath: sysroot.path,
            bootedOnly: args.booted === true,
            verbose: args.verbose === true,
            cachedUpdate: os?.cachedUpdate ?? null,
            automaticUpdates: { policy: sysroot.automaticUpdatePolicy, lastRun: sysroot.automaticUpdateLastRun, driver: sysroot.updateDriver },
          }),
        );
      }
      return args['pending-exit-77'] === true && hasPendingDeployment(sysroot.deployments) ? ExitCode.PendingDeployment : ExitCode.Ok;
    } finally {
      client.close();
    }
  },
});
