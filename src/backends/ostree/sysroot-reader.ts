/**
 * The daemon's read model of an OSTree sysroot, through libostree (no `ostree`
 * subprocess). One OstreeSysroot object is kept between calls so that
 * ostree_sysroot_load_if_changed can tell, with one stat, whether anything (including
 * an `ostree admin deploy` run by hand) changed since the last read.
 */
import { readLiveState } from '../live/live-state.js';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { glib, takeError, takeString, type GErrorOut } from './glib.js';
import { libostree } from './libostree.js';
import type { Ptr } from './koffi.js';
import { CommitLoadError, CommitMetadataCache, layeredPackageName, type CommitInfo } from './commit-metadata.js';
import { parseOrigin, type OriginInfo } from './origin-file.js';
import { splitKernelCmdline } from './kernel-cmdline.js';
import type { Deployment } from '../../api/types/deployment.js';

/** Everything the daemon shows about a sysroot at one moment. Deeply frozen: it is shared by every caller until the next change. */
export interface SysrootSnapshot {
  /** Absolute sysroot path. */
  path: string;
  /** Id of the booted deployment (libostree's get_booted_deployment), else null. */
  booted: string | null;
  /** In libostree order (index order). */
  deployments: Deployment[];
  /** Sorted names of directories in <sysroot>/ostree/deploy (os-init'd stateroots). */
  stateroots: string[];
  /** Increments every time a (re)load actually changed the snapshot. */
  generation: number;
}

/** The sysroot could not be loaded; `message` is libostree's GError message, verbatim. */
export class SysrootLoadError extends Error {
  constructor(
    /** Absolute path of the sysroot that failed to load. */
    readonly sysroot: string,
    message: string,
    /** GError domain (e.g. `g-io-error-quark`), '' when the error did not come from GLib. */
    readonly domain = '',
    /** GError code within `domain`. */
    readonly code = 0,
  ) {
    super(message);
    this.name = 'SysrootLoadError';
  }
}

/** Reads an OSTree sysroot through libostree, caching the snapshot until libostree reports a change. */
export class OstreeSysrootReader {
  /** Absolute sysroot path. */
  readonly path: string;
  private sysroot: Ptr | null = null;
  private snapshot: SysrootSnapshot | null = null;
  private generation = 0;
  /** Set by {@link invalidate}: rebuild on the next read. */
  private stale = false;
  private readonly commits = new CommitMetadataCache();

  /** Lazy: neither koffi nor the disk is touched until the first {@link read}. */
  constructor(path: string) {
    this.path = resolve(path);
  }

  /**
   * ostree_sysroot_load_if_changed; rebuilds the snapshot only when libostree says it
   * changed; returns the (cached) snapshot. Throws SysrootLoadError.
   */
  read(): SysrootSnapshot {
    const ost = libostree();
    if (this.sysroot === null) {
      const g = glib();
      const file = g.g_file_new_for_path(this.path);
      try {
        this.sysroot = ost.ostree_sysroot_new(file);
      } finally {
        g.g_object_unref(file);
      }
    }
    const changed: [number] = [0];
    const err: GErrorOut = [null];
    if (!ost.ostree_sysroot_load_if_changed(this.sysroot, changed, null, err)) {
      const e = takeError(err);
      // A failed load leaves the object half-initialized; start over next time so a
      // sysroot created after the daemon started is picked up.
      this.dropSysroot();
      throw new SysrootLoadError(this.path, e?.message ?? 'loading sysroot failed', e?.domain, e?.code);
    }
    if (changed[0] === 0 && this.snapshot !== null && !this.stale) return this.snapshot;
    this.stale = false;
    try {
      return this.rebuild(this.sysroot);
    } catch (e) {
      // libostree now considers itself up to date; without this the next read()
      // would return the stale snapshot instead of retrying.
      this.dropSysroot();
      throw e;
    }
  }

  /** The next {@link read} rebuilds the snapshot (apply-live's state is not in ostree/deploy). */
  invalidate(): void {
    this.stale = true;
  }

  /** Drop the libostree object and load from scratch (Sysroot.Reload). */
  reload(): SysrootSnapshot {
    this.dropSysroot();
    return this.read();
  }

  /** Free libostree objects. A later {@link read} starts over. */
  close(): void {
    this.dropSysroot();
  }

  private dropSysroot(): void {
    if (this.sysroot !== null) {
      glib().g_object_unref(this.sysroot);
      this.sysroot = null;
    }
  }

  private rebuild(sysroot: Ptr): SysrootSnapshot {
    // libostree 2022.7 already refuses a directory without ostree/repo; this keeps a
    // wrong --sysroot from ever being shown as an empty sysroot should that change.
    const repoDir = join(this.path, 'ostree', 'repo');
    if (!existsSync(repoDir)) {
      throw new SysrootLoadError(this.path, `not an OSTree sysroot: ${repoDir} does not exist`);
    }
    const g = glib();
    const ost = libostree();
    const repo = ost.ostree_sysroot_repo(sysroot);
    const bootedPtr = ost.ostree_sysroot_get_booted_deployment(sysroot);
    const booted = bootedPtr === null ? null : deploymentId(bootedPtr);
    const arr = ost.ostree_sysroot_get_deployments(sysroot);
    let deployments: Deployment[];
    try {
      deployments = g.ptrArrayItems(arr).map((d) => this.readDeployment(repo, d, booted));
    } finally {
      g.g_ptr_array_unref(arr);
    }
    this.commits.retainOnly(new Set(deployments.map((d) => d.checksum)));
    const next: SysrootSnapshot = {
      path: this.path,
      booted,
      deployments,
      stateroots: listStateroots(this.path),
      generation: this.generation,
    };
    // A touched mtime without a real change keeps the old object, so callers can
    // compare snapshots by identity and `generation` only moves on real changes.
    if (this.snapshot !== null && sameContent(this.snapshot, next)) return this.snapshot;
    next.generation = ++this.generation;
    // Every caller shares this object until the next change: freeze it so a careless
    // caller (sorting, filtering in place) throws instead of corrupting the cache.
    this.snapshot = deepFreeze(next);
    return next;
  }

  /**
   * One deployment as the API shows it: refspec, requested packages and initramfs settings from
   * its origin file; version, base commit and layered packages from the commit's metadata
   * (timestamp 0 when the commit cannot be loaded); kernel arguments from the boot entry.
   */
  private readDeployment(repo: Ptr, d: Ptr, bootedId: string | null): Deployment {
    const ost = libostree();
    const osname = ost.ostree_deployment_get_osname(d);
    const checksum = ost.ostree_deployment_get_csum(d);
    const serial = ost.ostree_deployment_get_deployserial(d);
    const id = `${osname}-${checksum}.${serial}`;
    const origin = readOrigin(d);
    const commit = this.commitInfo(repo, checksum);
    const bootconfig = ost.ostree_deployment_get_bootconfig(d);
    const options = bootconfig === null ? null : ost.ostree_bootconfig_parser_get(bootconfig, 'options');
    const live = id === bootedId ? readLiveState({ checksum, serial }) : null;
    return {
      ...(live?.commit != null ? { liveCommit: live.commit } : {}),
      ...(live?.inprogress != null ? { liveInprogress: live.inprogress } : {}),
      id,
      osname,
      checksum,
      serial,
      index: ost.ostree_deployment_get_index(d),
      booted: id === bootedId,
      staged: ost.ostree_deployment_is_staged(d) !== 0,
      pinned: ost.ostree_deployment_is_pinned(d) !== 0,
      unlocked: ost.ostree_deployment_unlocked_state_to_string(ost.ostree_deployment_get_unlocked(d)),
      origin: origin?.followedRefspec ?? null,
      version: commit?.version ?? null,
      timestamp: commit?.timestamp ?? 0,
      baseChecksum: commit?.clientLayer ? commit.baseCommit : null,
      requestedPackages: origin?.requestedPackages ?? [],
      layeredPackages: (commit?.packages ?? []).map(layeredPackageName),
      localPackages: origin?.baseRefspec !== null ? (origin?.requestedLocal ?? []) : [],
      removedBasePackages: origin?.baseRefspec !== null ? (origin?.overrideRemove ?? []) : [],
      replacedBasePackages: origin?.baseRefspec !== null ? (origin?.overrideReplace ?? []) : [],
      requestedBaseLocalReplacements: origin?.baseRefspec !== null ? (origin?.overrideReplaceLocal ?? []) : [],
      kernelArgs: options === null ? [] : splitKernelCmdline(options),
      regenerateInitramfs: origin?.regenerateInitramfs ?? false,
      initramfsArgs: origin?.initramfsArgs ?? [],
      initramfsEtc: origin?.baseRefspec !== null ? (origin?.initramfsEtc ?? []) : [],
    };
  }

  // A deployment whose commit is missing from the repo is still listed (as
  // `ostree admin status` does), with no version and timestamp 0.
  private commitInfo(repo: Ptr, checksum: string): CommitInfo | null {
    try {
      return this.commits.get(repo, checksum);
    } catch (e) {
      if (e instanceof CommitLoadError) return null;
      throw e;
    }
  }
}

function deploymentId(d: Ptr): string {
  const ost = libostree();
  return `${ost.ostree_deployment_get_osname(d)}-${ost.ostree_deployment_get_csum(d)}.${ost.ostree_deployment_get_deployserial(d)}`;
}

function readOrigin(d: Ptr): OriginInfo | null {
  const kf = libostree().ostree_deployment_get_origin(d);
  if (kf === null) return null;
  const text = takeString(glib().g_key_file_to_data(kf, null, null));
  return text === null ? null : parseOrigin(text);
}

function listStateroots(sysroot: string): string[] {
  try {
    return readdirSync(join(sysroot, 'ostree', 'deploy'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return []; // an init-fs'd sysroot without any os-init has no deploy dir contents
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function sameContent(a: SysrootSnapshot, b: SysrootSnapshot): boolean {
  return (
    a.path === b.path &&
    a.booted === b.booted &&
    JSON.stringify(a.deployments) === JSON.stringify(b.deployments) &&
    JSON.stringify(a.stateroots) === JSON.stringify(b.stateroots)
  );
}
