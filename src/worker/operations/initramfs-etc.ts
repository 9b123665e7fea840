/**
 * OS.InitramfsEtc (apt-ostree initramfs-etc, rpm-ostree's): files of /etc tracked in the
 * initramfs. The list lives in the origin (`[apt-ostree] initramfs-etc=`) as part of the client
 * layer, so every later deployment (upgrade, deploy, rebase, package change) carries it and its
 * layer's initramfs gets the files again, as the merge deployment's /etc has them then. A file
 * is tracked only when it is a regular file of that /etc now; the new deployment is of the
 * same base, layered packages and overrides as they are.
 */
import { ApiError } from '../../api/errors.js';
import type { ParamsOf } from '../../api/method-types.js';
import { etcPathProblem, readEtcFile } from '../../backends/initramfs/etc-overlay.js';
import { defineOperation } from '../define-operation.js';
import { OperationError, type OperationContext, type OperationResult } from '../operation-context.js';
import { deployCommit } from '../steps/deploy-commit.js';
import { followedBranch, mergeDeploymentRoot, requireCommit, requireDefault } from '../steps/deployment-lookup.js';
import { withSysroot } from '../steps/sysroot-session.js';

type Params = ParamsOf<'OS.InitramfsEtc'>;

/** The tracked list after `p`: untracked first (all, or some), then tracked; sorted, each once. */
function nextList(current: string[], p: Params, say: (text: string) => void): string[] {
  const untrack = new Set(p.untrack ?? []);
  for (const path of untrack) if (!current.includes(path)) say(`${path} was not tracked`);
  const kept = p.untrackAll === true ? [] : current.filter((path) => !untrack.has(path));
  return [...new Set([...kept, ...(p.track ?? [])])].sort();
}

export async function initramfsEtc(ctx: OperationContext, p: Params): Promise<OperationResult> {
  return withSysroot(ctx, async (session) => {
    const base = requireDefault(session, ctx.osname);
    const branch = followedBranch(session, base, 'change the initramfs of');
    const current = branch.initramfs.etc;
    if ((p.track ?? []).length > 0) {
      const root = mergeDeploymentRoot(session, ctx.osname, '/etc');
      for (const path of p.track ?? []) {
        const file = readEtcFile(root, path);
        if (typeof file === 'string') throw new OperationError('Failed', `Cannot track ${file} (in the /etc of the merge deployment)`);
      }
    }
    const next = nextList(current, p, (text) => ctx.emit({ type: 'Message', text }));
    const changed = next.join('\0') !== current.join('\0');
    if (!changed && p.forceSync !== true) {
      return {
        changed: false,
        deployment: null,
        message: `No changes: ${current.length > 0 ? `tracked ${current.join(' ')}` : 'no tracked files'} (forceSync makes a new deployment anyway).`,
      };
    }
    return deployCommit(ctx, session, {
      target: requireCommit(session, branch.baseChecksum, true),
      base,
      baseOriginText: branch.originText,
      overrideCommit: /^override-commit=/m.test(branch.originText) ? branch.baseChecksum : null,
      verb: next.length > 0 ? `Initramfs with ${next.join(' ')} for` : 'Initramfs without /etc files for',
      lockFinalization: p.lockFinalization,
      layering: {
        refspec: branch.refspec,
        requested: branch.requested,
        local: branch.local,
        overrides: branch.overrides,
        initramfs: { ...branch.initramfs, etc: next },
      },
    });
  });
}

/** `--track=/etc/a --untrack-all` words, for the title. */
function words(p: Params): string[] {
  return [
    ...(p.untrackAll === true ? ['--untrack-all'] : []),
    ...(p.untrack ?? []).map((path) => `--untrack=${path}`),
    ...(p.track ?? []).map((path) => `--track=${path}`),
    ...(p.forceSync === true ? ['--force-sync'] : []),
  ];
}

export default defineOperation({
  method: 'OS.InitramfsEtc',
  title: (p) => ['initramfs-etc', ...words(p)].join(' '),
  precheck: (_ctx, p) => {
    if (words(p).length === 0) throw new ApiError('Failed', 'Nothing to do: say which files to track or untrack (or forceSync)');
    for (const path of p.track ?? []) {
      const problem = etcPathProblem(path);
      if (problem !== null) throw new ApiError('Failed', problem);
    }
  },
  run: initramfsEtc,
});
