/**
 * OS.PkgChange (apt-ostree install / uninstall): the requested set of the default deployment
 * changes, and a new deployment is built from its base commit with the new set — always from
 * the base, so removing a package leaves no trace of it. Removing a package of the base image
 * is an override (OS.Override, which changes the layer through here too); a dry run reports
 * the plan and changes nothing.
 */
import { DPKG_STATUS, installedPackageNames, specName } from '../../backends/dpkg/status-file.js';
import { readCommitFile } from '../../backends/ostree/commit-file.js';
import type { SysrootSession } from '../../backends/ostree/write/session.js';
import { OperationError, type OperationContext, type OperationResult } from '../operation-context.js';
import { deployCommit } from '../steps/deploy-commit.js';
import { followedBranch, requireCommit, requireDefault } from '../steps/deployment-lookup.js';
import { withSysroot } from '../steps/sysroot-session.js';
import { planLayer } from '../layering/assemble-layer.js';
import type { ParamsOf } from '../../api/method-types.js';
import { refuseApplyLive, thenApplyLive } from '../steps/then-apply-live.js';
import { defineOperation } from '../define-operation.js';
import { adjustLayering, adjustsAnything, type LayeringAdjustments } from '../steps/layering-adjustments.js';
import { ApiError } from '../../api/errors.js';
import { packageChangeWords, refuseIfLayeringLocked } from '../prechecks.js';
import { importReceivedDeb, inspectReceivedDeb, localEntry, parseLocalEntry, type ReceivedDeb } from '../layering/local-debs.js';
import { hasOverrides, NO_OVERRIDES, type BaseOverrides } from '../../backends/ostree/write/deployment-writer.js';
import { receivedDir } from '../../services/received-dir.js';
import { task } from '../steps/task.js';
import { changeOverrides, changesOverrides, sameOverrides, type OverrideChange } from '../layering/override-change.js';

/** Installed package names of a commit's dpkg database. */
async function basePackages(session: SysrootSession, commit: string): Promise<Set<string>> {
  return installedPackageNames((await readCommitFile(session.repoPath, commit, DPKG_STATUS)).toString('utf8'));
}

/** The new requested set, or a clear refusal. */
export function changeRequested(
  current: string[],
  inBase: Set<string>,
  p: Pick<ParamsOf<'OS.PkgChange'>, 'add' | 'remove' | 'idempotent' | 'allowInactive'>,
): string[] {
  const next = [...current];
  const indexOf = (spec: string): number => {
    const exact = next.indexOf(spec);
    return exact >= 0 ? exact : next.findIndex((r) => specName(r) === specName(spec));
  };
  for (const spec of p.remove ?? []) {
    const at = indexOf(spec);
    if (at >= 0) next.splice(at, 1);
    else if (inBase.has(specName(spec))) {
      throw new OperationError(
        'Failed',
        `${specName(spec)} is part of the base image, not a layered package; to remove it from the base: apt-ostree override remove ${specName(spec)}`,
      );
    } else if (p.idempotent !== true) throw new OperationError('Failed', `${spec} is not a requested package`);
  }
  for (const spec of p.add ?? []) {
    if (indexOf(spec) >= 0) {
      if (p.idempotent === true) continue;
      throw new OperationError('Failed', `${spec} is already requested`);
    }
    if (inBase.has(specName(spec)) && p.allowInactive !== true) {
      throw new OperationError('Failed', `${specName(spec)} is already in the base image; pass allowInactive to request it anyway`);
    }
    next.push(spec);
  }
  return next;
}

/** The daemon's additions to a request that passed files: their sha256s (received-files.ts), local packages to layer. */
export interface Received {
  receivedFiles?: string[];
}

/** Base packages to replace by files the request passed: their sha256s (OS.Override replaceLocalPackages). */
export interface ReceivedReplacements {
  overrideReplaceLocalFiles?: string[];
}

/** Checks each received file (a Debian package: its name and version); nothing is imported yet. */
async function inspectAll(ctx: OperationContext, sha256s: string[] = []): Promise<ReceivedDeb[]> {
  const debs: ReceivedDeb[] = [];
  for (const sha256 of sha256s) {
    const deb = await task(ctx, 'Checking a local package', () => inspectReceivedDeb(receivedDir(ctx.config.cacheDir), sha256));
    ctx.emit({ type: 'Message', text: `  ${deb.name} ${deb.version} (local, sha256 ${deb.sha256})` });
    debs.push(deb);
  }
  return debs;
}

/**
 * The local packages after the request: those uninstalled by name go (and leave `remove`),
 * those received replace any of the same name.
 */
function changeLocal(current: string[], received: ReceivedDeb[], p: { remove?: string[] }) {
  const names = new Set(current.map((e) => parseLocalEntry(e).name));
  const remove = (p.remove ?? []).filter((spec) => !names.has(spec));
  let local = current.filter((e) => !(p.remove ?? []).includes(parseLocalEntry(e).name));
  for (const deb of received) local = [...local.filter((e) => parseLocalEntry(e).name !== deb.name), localEntry(deb)];
  return { local, remove };
}

/** Override words for messages: `name`, `name=version`, `name (local)`. */
function overrideWords(o: BaseOverrides): string[] {
  return [...o.remove, ...o.replace, ...o.replaceLocal.map((e) => `${parseLocalEntry(e).name} (local)`)];
}

export async function pkgChange(
  ctx: OperationContext,
  params: ParamsOf<'OS.PkgChange'> & LayeringAdjustments & OverrideChange & Received & ReceivedReplacements,
): Promise<OperationResult> {
  return withSysroot(ctx, async (session) => {
    const d = requireDefault(session, ctx.osname);
    const branch = followedBranch(session, d, 'change the packages of');
    const base = requireCommit(session, branch.baseChecksum, true);
    const kept = adjustLayering(branch, params);
    const inBase = await basePackages(session, base.checksum);
    const received = await inspectAll(ctx, params.receivedFiles);
    const replacing = await inspectAll(ctx, params.overrideReplaceLocalFiles);
    const { local, remove } = changeLocal(kept.local, received, params);
    const requested = changeRequested(kept.requested, inBase, { ...params, remove });
    const change = { ...params, overrideReplaceLocal: [...(params.overrideReplaceLocal ?? []), ...replacing.map(localEntry)] };
    const overrides = changesOverrides(change) ? changeOverrides(kept.overrides, inBase, requested, change) : kept.overrides;
    const same =
      requested.length === branch.requested.length &&
      requested.every((r, i) => r === branch.requested[i]) &&
      local.join(';') === branch.local.join(';') &&
      sameOverrides(overrides, branch.overrides) &&
      !adjustsAnything(branch, { noInitramfs: params.noInitramfs });
    if (same) return { changed: false, deployment: null, message: 'No change: the requested packages and overrides are the same.' };

    // The received files the new deployment uses: not in the repository yet.
    const used = [...received, ...replacing].filter((deb) => local.includes(localEntry(deb)) || overrides.replaceLocal.includes(localEntry(deb)));
    const names = (entries: string[]) => entries.map((e) => parseLocalEntry(e).name);
    if (params.dryRun === true) {
      // A dry run checks the files and plans with them where they are: nothing enters the repository.
      const plan =
        requested.length === 0 && local.length === 0 && !hasOverrides(overrides)
          ? { packages: [], downloadSize: 0, installedSize: 0, files: [], removes: [] }
          : await planLayer(ctx, session, base, requested, overrides, local, new Map(used.map((deb) => [localEntry(deb), deb.path])));
      const layering = [...requested, ...names(local), ...overrides.replace, ...overrideWords({ ...NO_OVERRIDES, replaceLocal: overrides.replaceLocal })];
      const what = [
        layering.length > 0 ? `${plan.packages.length} packages for ${layering.join(', ')}` : '',
        overrides.remove.length > 0 ? `${overrides.remove.join(', ')} removed` : '',
      ].filter((w) => w !== '');
      return {
        changed: false,
        deployment: null,
        plan,
        message: `Dry run: ${what.length === 0 ? 'the base alone' : what.join('; ')}; nothing changed.`,
      };
    }
    for (const deb of used) await task(ctx, `Importing the local package ${deb.name}`, () => importReceivedDeb(session.repoPath, deb));
    const added = [...requested.filter((r) => !branch.requested.includes(r)), ...names(local.filter((e) => !branch.local.includes(e)))];
    const removed = [...branch.requested.filter((r) => !requested.includes(r)), ...names(branch.local.filter((e) => !local.includes(e)))];
    const newOnly = (xs: string[], ys: string[]) => xs.filter((x) => !ys.includes(x));
    const replacedNow = overrideWords({ ...overrides, remove: [] });
    const replacedBefore = overrideWords({ ...branch.overrides, remove: [] });
    const reset = newOnly(overrideWords(branch.overrides), overrideWords(overrides));
    const verb = [
      added.length > 0 ? `added ${added.join(', ')}` : '',
      removed.length > 0 ? `removed ${removed.join(', ')}` : '',
      newOnly(overrides.remove, branch.overrides.remove).length > 0
        ? `base packages removed: ${newOnly(overrides.remove, branch.overrides.remove).join(', ')}`
        : '',
      newOnly(replacedNow, replacedBefore).length > 0 ? `base packages replaced: ${newOnly(replacedNow, replacedBefore).join(', ')}` : '',
      reset.length > 0 ? `overrides reset: ${reset.join(', ')}` : '',
    ]
      .filter((w) => w !== '')
      .join('; ');
    return deployCommit(ctx, session, {
      target: base,
      base: d,
      baseOriginText: branch.originText,
      // Keep a pin to the base commit (libostree drops override-commit from copied origins).
      overrideCommit: /^override-commit=/m.test(branch.originText) ? base.checksum : null,
      verb: `Packages ${verb}:`,
      lockFinalization: params.lockFinalization,
      layering: { refspec: branch.refspec, requested, local, overrides, initramfs: kept.initramfs },
    });
  });
}

export default defineOperation({
  method: 'OS.PkgChange',
  title: (p) => ['pkg-change', ...packageChangeWords(p.add, p.remove), ...(p.localPackages ?? []).map((_, i) => `+(local .deb ${i + 1})`)].join(' '),
  precheck: (ctx, p) => {
    refuseIfLayeringLocked(ctx, p.add, p.remove, p.localPackages === undefined ? undefined : p.localPackages.map(String));
    if ((p.add ?? []).length === 0 && (p.remove ?? []).length === 0 && (p.localPackages ?? []).length === 0) {
      throw new ApiError('Failed', 'Nothing to install or uninstall');
    }
    if (p.applyLive === true) refuseApplyLive(ctx, p);
  },
  receivesFiles: (p) => ({ param: 'localPackages', refs: p.localPackages ?? [] }),
  run: async (ctx, p) => thenApplyLive(ctx, p.applyLive, await pkgChange(ctx, p)),
});
