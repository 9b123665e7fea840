/**
 * rpm-ostree's `rebase -b BRANCH` (keep the remote, change the branch) and `rebase -m REMOTE`
 * (keep the branch, change the remote), turned into the REFSPEC of OS.Rebase. With either, the
 * only operand is the REVISION, as in rpm-ostree.
 */
import type { DeploymentObject, ResultOf } from '../../api/method-types.js';
import type { CliContext } from '../cli-context.js';
import { Usage } from './transaction-verb.js';

export const REBASE_TARGET_FLAGS = {
  branch: { type: 'string', alias: 'b', description: 'Rebase to this branch, on the current remote (with --remote: on that one)' },
  remote: { type: 'string', alias: 'm', description: 'Rebase to the current branch on this remote (with --branch: that branch)' },
} as const;

/** The branch of a refspec `REMOTE:BRANCH` or `BRANCH`. */
export function branchOf(refspec: string): string {
  const colon = refspec.indexOf(':');
  return colon < 0 ? refspec : refspec.slice(colon + 1);
}

/** The refspec the deployment the OS runs (else will boot) follows, or null. */
async function currentRefspec(ctx: CliContext, osname: unknown): Promise<string | null> {
  const client = await ctx.connect();
  try {
    const os = await client.call<ResultOf<'OS.GetProperties'>>('OS.GetProperties', typeof osname === 'string' ? { osname } : {});
    return ((os.bootedDeployment ?? os.defaultDeployment) as DeploymentObject | null)?.origin ?? null;
  } finally {
    client.close();
  }
}

/** The OS.Rebase params: REFSPEC [REVISION], or [REVISION] with -b and/or -m. */
export async function rebaseRequest(
  args: { branch?: string; remote?: string },
  params: Record<string, unknown>,
  ctx: CliContext,
): Promise<Record<string, unknown> | Usage> {
  const { branch, remote } = args;
  if (branch === undefined && remote === undefined) return params.refspec === undefined ? new Usage('a REFSPEC is required') : params;
  if (branch === '' || remote === '') return new Usage('--branch and --remote need a value');
  if (params.revision !== undefined) return new Usage('with --branch or --remote, the only operand is the REVISION');
  const { refspec: revision, ...rest } = params;
  let refspec: string;
  if (remote === undefined) {
    // The daemon keeps the current remote for a refspec without one.
    refspec = branch as string;
  } else {
    const current = branch === undefined ? await currentRefspec(ctx, params.osname) : null;
    if (branch === undefined && current === null) return new Usage('the deployment follows no branch: give --branch too');
    refspec = `${remote}:${branch ?? branchOf(current as string)}`;
  }
  return { ...rest, refspec, ...(revision === undefined ? {} : { revision }) };
}
