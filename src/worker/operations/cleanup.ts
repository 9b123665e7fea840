/**
 * OS.Cleanup: removes what the administrator names — unused base refs of layered
 * deployments and refs of local .deb files no deployment uses, the pending or the rollback
 * deployment, cached metadata — then prunes the repo.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeDeploymentList } from '../../backends/ostree/write/deployment-writer.js';
import { loadCommitNode } from '../../backends/ostree/write/history.js';
import { readRefs } from '../../backends/ostree/write/ref-snapshot.js';
import type { SysrootSession, DeploymentRef } from '../../backends/ostree/write/session.js';
import type { OperationContext } from '../operation-context.js';
import { cleanupAfterWrite } from '../steps/deploy-commit.js';
import { task } from '../steps/task.js';
import { withSysroot } from '../steps/sysroot-session.js';
import { BASE_REF_PREFIX } from '../layering/base-refs.js';
import { unusedLocalRefs } from '../layering/local-refs.js';
import type { ParamsOf } from '../../api/method-types.js';
import { defineOperation } from '../define-operation.js';

/** The pending deployment: only on a booted system, a newer default than the booted one. */
function pendingOf(session: SysrootSession, osname: string): DeploymentRef | null {
  const booted = session.booted();
  if (booted === null || booted.osname !== osname) return null;
  const first = session.deploymentsOf(osname)[0];
  return first !== undefined && first.id !== booted.id ? first : null;
}

export async function cleanup(ctx: OperationContext, params: ParamsOf<'OS.Cleanup'>): Promise<{ changed: boolean; message: string }> {
  return withSysroot(ctx, async (session) => {
    const wanted = new Set(params.elements);
    const done: string[] = [];
    const remove = new Set<string>();
    for (const [element, find] of [
      ['pending-deploy', () => pendingOf(session, ctx.osname)],
      ['rollback-deploy', () => session.rollbackDeployment(ctx.osname)],
    ] as const) {
      if (!wanted.has(element)) continue;
      const d = find();
      if (d === null) ctx.emit({ type: 'Message', text: `No ${element.replace('-deploy', '')} deployment to remove` });
      else if (d.pinned) ctx.emit({ type: 'Message', text: `Keeping ${d.id}: it is pinned` });
      else if (session.booted()?.id === d.id) ctx.emit({ type: 'Message', text: `Keeping ${d.id}: it is booted` });
      else remove.add(d.id);
    }
    if (remove.size > 0) {
      const keep = session.deployments().filter((d) => !remove.has(d.id));
      await ctx.pointOfNoReturn();
      await task(ctx, 'Writing the boot configuration', () =>
        writeDeploymentList(
          session,
          keep.map((d) => d.ptr),
        ),
      );
      done.push(`removed ${[...remove].join(', ')}`);
    }
    if (wanted.has('base')) {
      const used = new Set(
        session
          .deployments()
          .map((d) => loadCommitNode(session.repo, d.checksum)?.baseCommit ?? null)
          .filter((c): c is string => c !== null),
      );
      const unused = Object.entries(readRefs(session.repoPath)).filter(([ref, checksum]) => ref.startsWith(BASE_REF_PREFIX) && !used.has(checksum));
      for (const [ref] of unused) session.setRef(ref, null);
      if (unused.length > 0) done.push(`removed base refs ${unused.map(([r]) => r).join(', ')}`);
      // Local .deb files no origin names any more (uninstalled, reset, or their deployments gone).
      const local = unusedLocalRefs(session);
      for (const ref of local) session.setRef(ref, null);
      if (local.length > 0) done.push(`removed local package refs ${local.join(', ')}`);
    }
    if (wanted.has('metadata')) {
      // libostree's cached remote summaries, and the APT lists (rpm-ostree's `repomd`): the next layering fetches them again.
      rmSync(join(session.repoPath, 'tmp', 'cache'), { recursive: true, force: true });
      rmSync(join(ctx.config.cacheDir, 'apt', 'lists'), { recursive: true, force: true });
      done.push('removed cached metadata and package lists');
    }
    await cleanupAfterWrite(ctx, session, true);
    return { changed: done.length > 0, message: done.length > 0 ? `Cleanup: ${done.join('; ')}` : 'Nothing to clean up' };
  });
}

export default defineOperation({
  method: 'OS.Cleanup',
  title: (p) => `cleanup ${[...p.elements].sort().join(' ')}`,
  run: cleanup,
});
