/**
 * OS.RefreshMd (apt-ostree refresh-md): the APT lists in the cache dir, for the sources of
 * the OS's merge deployment — fetched when missing, stale or for other sources, or always
 * with `force`.
 */
import { rmSync } from 'node:fs';
import type { OperationContext } from '../operation-context.js';
import { followedBranch, requireCommit, requireDefault } from '../steps/deployment-lookup.js';
import { withSysroot } from '../steps/sysroot-session.js';
import { ensureFreshLists, openApt, scratchDir } from '../layering/assemble-layer.js';
import type { ParamsOf } from '../../api/method-types.js';
import { defineOperation } from '../define-operation.js';

export async function refreshMd(ctx: OperationContext, params: ParamsOf<'OS.RefreshMd'>): Promise<{ changed: boolean; message: string }> {
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

export default defineOperation({
  method: 'OS.RefreshMd',
  title: (p) => (p.force === true ? 'refresh-md --force' : 'refresh-md'),
  run: refreshMd,
});
