/**
 * Building a layered commit: base commit + the requested packages, always from the base
 * (rpm-ostree's model). Resolve with apt against the base's dpkg database and the merge
 * deployment's APT configuration → download (cached) → hardlinked checkout → dpkg with
 * maintainer scripts in bubblewrap → commit. Each step is a task; nothing outside the
 * transaction's scratch dir (removed at the end, or by recovery) and the cache changes until
 * the commit, and a commit nothing refers to is pruned by the next cleanup.
 */
import type { LayerPlan } from '../../api/types/layer-plan.js';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AptEnvironment, hostArchitecture } from '../../backends/apt/apt-environment.js';
import { debContents, downloadPackages, installedSizes, pendingDownloads, type FetchedPackage, type PendingDownload } from '../../backends/apt/download.js';
import { refreshLists, refreshReason } from '../../backends/apt/metadata-refresh.js';
import { layerSpecs, resolvePackages, ResolveError, type PlannedPackage } from '../../backends/apt/resolve.js';
import { DpkgError, dpkgConfigure, dpkgPurge, dpkgUnpack, withServiceStartsRefused } from '../../backends/dpkg/sandboxed-dpkg.js';
import { packagesWithScripts } from '../../backends/dpkg/maintainer-scripts.js';
import { PlantedPathError } from '../../backends/fs/in-tree.js';
import { DPKG_STATUS } from '../../backends/dpkg/status-file.js';
import { readCommitFile } from '../../backends/ostree/commit-file.js';
import { loadCommitNode, type CommitNode } from '../../backends/ostree/write/history.js';
import type { SysrootSession } from '../../backends/ostree/write/session.js';
import { OperationError, type OperationContext } from '../operation-context.js';
import { task } from '../steps/task.js';
import { mergeDeploymentRoot } from '../steps/deployment-lookup.js';
import { InitramfsError, regenerateInitramfs } from '../../backends/initramfs/regenerate.js';
import { appendEtcOverlay } from '../../backends/initramfs/etc-overlay.js';
import { NO_OVERRIDES, type BaseOverrides, type ClientLayerOrigin } from '../../backends/ostree/write/deployment-writer.js';
import { commitLayer } from './layer-commit.js';
import { checkoutLocalDebs } from './local-debs.js';
import { finishTree, prepareTree } from './tree-checkout.js';
import { runCommand } from '../../util/run-command.js';

/** What a layer would bring (dry run), in the result of OS.PkgChange. */

/** The transaction's scratch dir under the repo's tmp/ (recovery removes `apt-ostree-<id>-*`). */
export function scratchDir(session: SysrootSession, ctx: OperationContext): string {
  return join(session.repoPath, 'tmp', `apt-ostree-${ctx.transactionId}-layer`);
}

/** apt configured for `osname` on `base`: the merge deployment's /etc/apt, the base's dpkg status. */
export async function openApt(ctx: OperationContext, session: SysrootSession, base: CommitNode, scratch: string): Promise<AptEnvironment> {
  const etcApt = join(mergeDeploymentRoot(session, ctx.osname, 'the APT configuration'), 'etc', 'apt');
  mkdirSync(scratch, { recursive: true });
  const statusFile = join(scratch, 'base-status');
  writeFileSync(statusFile, await readCommitFile(session.repoPath, base.checksum, DPKG_STATUS));
  return new AptEnvironment({
    etcApt,
    statusFile,
    cacheDir: ctx.config.cacheDir,
    scratchDir: scratch,
    architecture: await hostArchitecture(),
    installRecommends: !ctx.config.disableRecommends,
    timeoutSeconds: ctx.config.downloadTimeout,
    maxConcurrentDownloads: ctx.config.maxConcurrentDownloads,
  });
}

/** Refreshes the lists when they are missing, stale or for other sources. */
export async function ensureFreshLists(ctx: OperationContext, apt: AptEnvironment, force = false): Promise<boolean> {
  const why = force ? 'asked to' : refreshReason(apt, ctx.config.refreshMdMaxAge);
  if (why === null) return false;
  await task(ctx, `Refreshing the package lists (${why})`, () =>
    refreshLists(apt).catch((e: unknown) => {
      throw new OperationError('Failed', e instanceof Error ? e.message : String(e));
    }),
  );
  return true;
}

/** apt's failures as the API's named errors. */
function named(e: unknown): unknown {
  if (e instanceof ResolveError) return new OperationError(e.kind, e.message);
  if (e instanceof DpkgError) return new OperationError('Failed', e.message);
  return e;
}

/** apt's specs for `requested`, local .debs (their paths: layered or replacing base packages) and `overrides`: installs, replacements by version, removals. */
function specsOf(requested: string[], overrides: BaseOverrides, localPaths: Map<string, string> = new Map()): string[] {
  return layerSpecs([...requested, ...localPaths.values(), ...overrides.replace], overrides.remove);
}

async function resolve(ctx: OperationContext, apt: AptEnvironment, specs: string[], removals: string[]): Promise<PlannedPackage[]> {
  await ensureFreshLists(ctx, apt);
  return task(ctx, `Resolving ${specs.join(', ')}`, async () => {
    const plan = await resolvePackages(apt, specs, removals);
    for (const p of plan) ctx.emit({ type: 'Message', text: `  ${p.name} ${p.version} (${p.architecture}) from ${p.origin}` });
    for (const name of removals) ctx.emit({ type: 'Message', text: `  ${name} removed` });
    return plan;
  });
}

/** The dry run: what layering `requested` (and `overrides`) onto `base` would bring. Downloads into the cache only. */
export async function planLayer(
  ctx: OperationContext,
  session: SysrootSession,
  base: CommitNode,
  requested: string[],
  overrides: BaseOverrides = NO_OVERRIDES,
  local: string[] = [],
  /** Local .debs not in the repository (a dry run does not import them): `NAME:SHA256` → path. */
  localFiles: ReadonlyMap<string, string> = new Map(),
): Promise<LayerPlan> {
  const scratch = scratchDir(session, ctx);
  try {
    const apt = await openApt(ctx, session, base, scratch);
    const localPaths = await checkoutLocalDebs(session.repoPath, [...local, ...overrides.replaceLocal], join(scratch, 'local'), localFiles);
    const specs = specsOf(requested, overrides, localPaths);
    const plan = await resolve(ctx, apt, specs, overrides.remove).catch((e: unknown) => Promise.reject(named(e)));
    const pending = await pendingDownloads(apt, specs).catch((e: unknown) => Promise.reject(named(e)));
    const fetched = await download(ctx, apt, specs, plan, localPaths, pending);
    const sizes = await installedSizes(apt, plan);
    const files = (await Promise.all(fetched.map((p) => debContents(p.deb)))).flat().sort();
    return {
      packages: plan.map(({ name, version, architecture, origin, replaces }) => ({ name, version, architecture, origin, replaces })),
      downloadSize: pending.reduce((n, d) => n + d.size, 0),
      installedSize: plan.reduce((n, p) => n + (sizes.get(p.name) ?? 0) * 1024, 0),
      files,
      removes: overrides.remove,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The .debs of `plan` into the cache, as a task with DownloadProgress in bytes. */
async function download(
  ctx: OperationContext,
  apt: AptEnvironment,
  requested: string[],
  plan: PlannedPackage[],
  localPaths: Map<string, string>,
  pending?: PendingDownload[],
): Promise<FetchedPackage[]> {
  const fetched = await task(ctx, `Downloading ${plan.length} packages`, () =>
    downloadPackages(apt, requested, plan, (p) => ctx.emit({ type: 'DownloadProgress', text: 'packages', ...p }), pending, localPaths),
  ).catch((e: unknown) => Promise.reject(named(e)));
  ctx.emit({ type: 'ProgressEnd' });
  return fetched;
}

/** A dpkg line handler emitting PercentProgress for each line matching `step`, out of `count`. */
function percentOf(ctx: OperationContext, step: RegExp, count: number): (line: string) => void {
  let done = 0;
  return (line) => {
    if (!step.test(line)) return;
    done++;
    ctx.emit({ type: 'PercentProgress', text: line, percentage: Math.min(100, Math.round((done * 100) / Math.max(1, count))) });
  };
}

/**
 * The tracked /etc files (rpm-ostree's initramfs-etc), as the merge deployment's /etc has them
 * (the /etc the new deployment's is merged from), appended to the tree's initramfs; a tracked
 * file no longer there is left out, and said.
 */
function addEtcFiles(ctx: OperationContext, session: SysrootSession, tree: string, paths: string[]): void {
  const r = appendEtcOverlay(tree, mergeDeploymentRoot(session, ctx.osname, 'the /etc files for the initramfs'), paths);
  for (const why of r.skipped) ctx.emit({ type: 'Message', text: `Not in the initramfs: ${why}` });
  if (r.included.length > 0) ctx.emit({ type: 'Message', text: `Initramfs for ${r.kernelVersion} gets ${r.included.join(' ')}` });
}

/** What {@link assembleLayer} made. */
export interface AssembledLayer {
  /** The new commit (not yet deployed). */
  node: CommitNode;
  /**
   * The removal of the scratch dir (the tree, ~the base's size in hardlinks), under way in a
   * process of its own while the deployment is written; await it before the operation ends.
   */
  scratchRemoved: Promise<void>;
}

/**
 * Builds and commits the client layer on `base`: the requested packages (apt, dpkg) and, when
 * asked, an initramfs regenerated by the tree's own generator. When it fails, the scratch dir
 * is gone before the error propagates.
 */
export async function assembleLayer(ctx: OperationContext, session: SysrootSession, base: CommitNode, layer: ClientLayerOrigin): Promise<AssembledLayer> {
  const { requested, initramfs, overrides } = layer;
  const removals = overrides.remove;
  const scratch = scratchDir(session, ctx);
  let succeeded = false;
  try {
    mkdirSync(scratch, { recursive: true });
    let plan: PlannedPackage[] = [];
    let fetched: FetchedPackage[] = [];
    const localPaths = await checkoutLocalDebs(session.repoPath, [...layer.local, ...overrides.replaceLocal], join(scratch, 'local'));
    const specs = specsOf(requested, overrides, localPaths);
    if (specs.length > 0) {
      const apt = await openApt(ctx, session, base, scratch);
      plan = await resolve(ctx, apt, specs, removals).catch((e: unknown) => Promise.reject(named(e)));
      fetched = plan.length > 0 ? await download(ctx, apt, specs, plan, localPaths) : [];
    }
    const tree = join(scratch, 'tree');
    await task(ctx, 'Checking out the base', () => prepareTree(session.repoPath, base.checksum, tree));
    // From here on scripts have had the tree: a link planted where the daemon works fails the
    // layering, naming the packages that ran scripts.
    const tampered = async (e: unknown): Promise<never> => {
      if (!(e instanceof PlantedPathError)) throw e;
      const suspects = await packagesWithScripts(fetched);
      const by =
        suspects.length > 0
          ? `a maintainer script of ${suspects.join(', ')}`
          : fetched.length > 0
            ? `a package of ${fetched.map((p) => p.name).join(', ')}`
            : "the tree's initramfs generator";
      throw new OperationError('Failed', `Refusing the layered tree: ${e.message}, not what the base has there — planted by ${by}`);
    };
    if (fetched.length > 0 || removals.length > 0) {
      await withServiceStartsRefused(tree, async () => {
        const n = fetched.length;
        if (removals.length > 0) {
          await task(ctx, `Removing ${removals.join(', ')}`, () =>
            dpkgPurge({ root: tree, packages: removals, onLine: percentOf(ctx, /^Purging /, removals.length) }),
          );
          ctx.emit({ type: 'ProgressEnd' });
        }
        if (n > 0) {
          await task(ctx, `Unpacking ${n} packages`, () =>
            dpkgUnpack({ root: tree, debs: fetched.map((p) => p.deb), onLine: percentOf(ctx, /^Unpacking /, n) }),
          );
          ctx.emit({ type: 'ProgressEnd' });
        }
        await task(ctx, n > 0 ? `Configuring ${n} packages` : 'Running triggers', () =>
          dpkgConfigure({ root: tree, onLine: percentOf(ctx, /^Setting up /, n) }),
        );
      })
        .catch(tampered)
        .catch((e: unknown) => Promise.reject(named(e)));
      ctx.emit({ type: 'ProgressEnd' });
    }
    if (initramfs.regenerate) {
      await task(ctx, 'Regenerating the initramfs', async () => {
        const r = await regenerateInitramfs(tree, initramfs.args, (line) => ctx.emit({ type: 'Message', text: `  ${line}` }));
        ctx.emit({ type: 'Message', text: `Initramfs for ${r.kernelVersion} made by ${r.generator}` });
      })
        .catch(tampered)
        .catch((e: unknown) => Promise.reject(e instanceof InitramfsError ? new OperationError('Failed', e.message) : e));
    }
    if (initramfs.etc.length > 0) {
      await task(ctx, `Adding ${initramfs.etc.join(', ')} to the initramfs`, () => addEtcFiles(ctx, session, tree, initramfs.etc))
        .catch(tampered)
        .catch((e: unknown) => Promise.reject(e instanceof InitramfsError ? new OperationError('Failed', e.message) : e));
    }
    await Promise.resolve()
      .then(() => finishTree(tree))
      .catch(tampered);
    const checksum = await task(ctx, 'Committing', () =>
      commitLayer({
        repo: session.repoPath,
        tree,
        base,
        requested,
        local: layer.local,
        overrides,
        packages: plan,
        initramfsArgs: initramfs.regenerate ? initramfs.args : null,
        initramfsEtc: initramfs.etc,
      }),
    );
    const node = loadCommitNode(session.repo, checksum);
    if (node === null) throw new OperationError('Failed', `The layered commit ${checksum} is not in the repository`);
    succeeded = true;
    // `rm` in a process of its own: the deployment is written by synchronous libostree calls
    // meanwhile, which would keep node's own asynchronous removal from progressing.
    return { node, scratchRemoved: runCommand('rm', ['-rf', '--', scratch]).then(() => undefined) };
  } finally {
    if (!succeeded) rmSync(scratch, { recursive: true, force: true });
  }
}
