/**
 * OS.RefreshMd (apt-ostree refresh-md): the APT lists in the cache dir, for the sources of
 * the OS's merge deployment — fetched when missing, stale or for other sources, or always
 * with `force`.
 */
import { rmSync } from 'node:fs';
import type { OperationContext } from '../operation-context.js';
import { followedBranch, requireCommit, requireDefault, withSysroot } from './common.js';
import { ensureFreshLists, openApt, scratchDir } from './layering/assemble-layer.js';

export async function refreshMd(ctx: OperationContext, params: { force?: boolean }): Promise<{ changed: boolean; message: string }> {
  return withSysroot(ctx, async (session) => {
    const d = requireDefault(session, ctx.osname);
    const base = requireCommit(session, followedBranch(session, d, 'refresh the package lists of').baseChecksum);
    const scratch = scratchDir(session, ctx);
    try {
      const apt = await openApt(ctx, session, base, scratch);
      const fetched = await ensureFreshLists(ctx, apt, params.force === true);
      return { changed: fetched, message: fetched ? 'Package lists refreshed.' : 'Package lists are up to date.' };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
}
