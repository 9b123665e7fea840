/**
 * Making and ordering deployments: origins, `ostree_sysroot_deploy_tree` (libostree does the
 * three-way /etc merge from the merge deployment), writing the boot list, and cleanup.
 *
 * Every write of the list uses NO_CLEAN / do_postclean=FALSE and is followed by
 * {@link cleanupSysroot}, as rpm-ostree does: libostree's built-in post-clean prints
 * "Freed objects" on stdout (g_print) and blocks on the repo's exclusive lock if a pull holds
 * it, and doing it separately lets a failed cleanup be reported without failing a
 * deployment that is already written.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { glib, takeError, takeString, type GErrorOut } from '../glib.js';
import type { Ptr } from '../koffi.js';
import { libostree } from '../libostree.js';
import { check } from './errors.js';
import { PruneFlags, WriteFlags, writeFfi } from './ffi.js';
import type { SysrootSession } from './session.js';

/** The regenerated-initramfs state a deployment carries in its origin. */
export interface InitramfsState {
  regenerate: boolean;
  /** Arguments for the generator. */
  args: string[];
  /**
   * Files of /etc put into the initramfs (rpm-ostree's `initramfs-etc`): absolute paths, kept
   * in the origin as `[apt-ostree] initramfs-etc=` and appended to every new layer's image.
   */
  etc: string[];
}

/**
 * Overrides of base packages a deployment carries in its origin (`[overrides]`): base packages
 * removed, base packages replaced by other versions from the sources (`name=version`), and
 * base packages replaced by local .deb files (`NAME:SHA256`, kept in the repo as aptostree/local/…).
 */
export interface BaseOverrides {
  remove: string[];
  replace: string[];
  replaceLocal: string[];
}

export const NO_OVERRIDES: BaseOverrides = { remove: [], replace: [], replaceLocal: [] };

/** Whether any base package is overridden. */
export const hasOverrides = (o: BaseOverrides): boolean => o.remove.length + o.replace.length + o.replaceLocal.length > 0;

/** What the client adds to a base: the branch followed, layered packages, overrides, initramfs state. */
export interface ClientLayerOrigin {
  refspec: string;
  requested: string[];
  /** Local .debs layered, `NAME:SHA256` (each kept in the repo as aptostree/local/…). */
  local: string[];
  overrides: BaseOverrides;
  initramfs: InitramfsState;
}

/** Whether a client layer changes the base at all (else the deployment is the plain base). */
export function hasClientLayer(layer: Omit<ClientLayerOrigin, 'refspec'>): boolean {
  return layer.requested.length > 0 || layer.local.length > 0 || layer.initramfs.regenerate || layer.initramfs.etc.length > 0 || hasOverrides(layer.overrides);
}

/** Text of a deployment's origin file, null when it has none. */
export function originText(d: Ptr): string | null {
  const kf = libostree().ostree_deployment_get_origin(d);
  return kf === null ? null : takeString(glib().g_key_file_to_data(kf, null, null));
}

/**
 * The origin of a new deployment made from `base`'s: a copy of its key file (so groups such
 * as `[apt-ostree]` carry over), without libostree's transient state (`override-commit`,
 * `unlocked`, `[libostree-transient]`), with `[origin] override-commit` set when the new
 * deployment is pinned to a commit that is not the branch tip (what `ostree admin upgrade`
 * and rpm-ostree both honour). With `layer`, the origin is made plain (`refspec=`) or
 * layered (`baserefspec=` + `[packages] requested=a;b;` and/or `[apt-ostree]
 * regenerate-initramfs=true` + `initramfs-args=a;b;` and/or `initramfs-etc=/etc/a;/etc/b;`,
 * docs/design-decisions.md) following `refspec`.
 * Owned GKeyFile: g_key_file_unref.
 */
export function newOrigin(baseOriginText: string, overrideCommit: string | null, layer: ClientLayerOrigin | null = null): Ptr {
  const ffi = writeFfi();
  const kf = ffi.g_key_file_new();
  try {
    const err: GErrorOut = [null];
    // (gsize)-1: NUL-terminated; flags KEEP_COMMENTS | KEEP_TRANSLATIONS.
    check(ffi.g_key_file_load_from_data(kf, baseOriginText, 0xffffffffffffffffn, 3, err), err, 'Reading origin');
    ffi.ostree_deployment_origin_remove_transient_state(kf);
    if (overrideCommit !== null) ffi.g_key_file_set_string(kf, 'origin', 'override-commit', overrideCommit);
    if (layer !== null) {
      ffi.g_key_file_remove_key(kf, 'origin', 'refspec', null);
      ffi.g_key_file_remove_key(kf, 'origin', 'baserefspec', null);
      ffi.g_key_file_remove_group(kf, 'packages', null);
      ffi.g_key_file_remove_group(kf, 'apt-ostree', null);
      ffi.g_key_file_remove_group(kf, 'overrides', null);
      const list = (xs: string[]): string => xs.map((x) => `${x};`).join('');
      // Any client-side change (packages, overrides, a regenerated initramfs, /etc files in it) makes the commit a layer on a base.
      ffi.g_key_file_set_string(kf, 'origin', hasClientLayer(layer) ? 'baserefspec' : 'refspec', layer.refspec);
      if (layer.requested.length > 0) ffi.g_key_file_set_string(kf, 'packages', 'requested', list(layer.requested));
      if (layer.local.length > 0) ffi.g_key_file_set_string(kf, 'packages', 'requested-local', list(layer.local));
      if (layer.overrides.remove.length > 0) ffi.g_key_file_set_string(kf, 'overrides', 'remove', list(layer.overrides.remove));
      if (layer.overrides.replace.length > 0) ffi.g_key_file_set_string(kf, 'overrides', 'replace', list(layer.overrides.replace));
      if (layer.overrides.replaceLocal.length > 0) ffi.g_key_file_set_string(kf, 'overrides', 'replace-local', list(layer.overrides.replaceLocal));
      if (layer.initramfs.regenerate) {
        ffi.g_key_file_set_string(kf, 'apt-ostree', 'regenerate-initramfs', 'true');
        if (layer.initramfs.args.length > 0) ffi.g_key_file_set_string(kf, 'apt-ostree', 'initramfs-args', list(layer.initramfs.args));
      }
      if (layer.initramfs.etc.length > 0) ffi.g_key_file_set_string(kf, 'apt-ostree', 'initramfs-etc', list(layer.initramfs.etc));
    }
    return kf;
  } catch (e) {
    ffi.g_key_file_unref(kf);
    throw e;
  }
}

/**
 * `ostree_sysroot_deploy_tree` (or, with `stage`, `ostree_sysroot_stage_tree`): checks out `checksum` as a new deployment of `osname` with
 * `origin`, /etc merged from `merge`, and the kernel arguments of `kargsFrom`'s boot entry
 * (NULL there: libostree takes the merge deployment's). The boot list is not touched; a
 * staged deployment is recorded in /run/ostree/staged-deployment and written into the boot
 * list by `ostree admin finalize-staged` at shutdown (it replaces an earlier staged one).
 * Returns the new deployment (owned: g_object_unref).
 */
export function deployTree(
  session: SysrootSession,
  osname: string,
  checksum: string,
  origin: Ptr,
  merge: Ptr | null,
  kargsFrom: Ptr | null,
  /** A whole new command line instead of `kargsFrom`'s (OS.KernelArgs). */
  kargsOverride: string | null = null,
  stage = false,
): Ptr {
  const ffi = writeFfi();
  const ost = libostree();
  let kargv: Ptr | null = null;
  const bootconfig = kargsFrom === null ? null : ost.ostree_deployment_get_bootconfig(kargsFrom);
  const options = kargsOverride ?? (bootconfig === null ? null : ost.ostree_bootconfig_parser_get(bootconfig, 'options'));
  if (options !== null) {
    // libostree's own parser keeps quoting exactly as its deploy code expects it.
    const kargs = ffi.ostree_kernel_args_from_string(options);
    try {
      kargv = ffi.ostree_kernel_args_to_strv(kargs);
    } finally {
      ffi.ostree_kernel_args_free(kargs);
    }
  }
  try {
    const out: [Ptr | null] = [null];
    const err: GErrorOut = [null];
    const call = stage ? ffi.ostree_sysroot_stage_tree : ffi.ostree_sysroot_deploy_tree;
    check(call(session.sysroot, osname, checksum, origin, merge, kargv, out, null, err), err, `${stage ? 'Staging' : 'Deploying'} ${checksum}`);
    if (out[0] === null) throw new Error('ostree_sysroot_deploy_tree returned no deployment');
    return out[0];
  } finally {
    ffi.g_strfreev(kargv);
  }
}

/**
 * Writes the boot list with `deployment` first (`ostree_sysroot_simple_write_deployment`,
 * NO_CLEAN): kept are the merge deployment (the booted one when booted, else the previous
 * default: it becomes the rollback), pinned deployments and other stateroots' deployments;
 * an older rollback or pending deployment of the OS is dropped, as rpm-ostree does.
 * The session reloads: earlier borrowed DeploymentRef pointers are invalid afterwards.
 */
export function writeAsDefault(session: SysrootSession, osname: string, deployment: Ptr, merge: Ptr | null): void {
  const err: GErrorOut = [null];
  check(
    writeFfi().ostree_sysroot_simple_write_deployment(session.sysroot, osname, deployment, merge, WriteFlags.NO_CLEAN, null, err),
    err,
    'Writing the boot configuration',
  );
}

/**
 * Writes exactly this boot list (`ostree_sysroot_write_deployments_with_options`, no
 * post-clean): how a rollback reorders, since 2022.7 has no set-default. The session reloads.
 */
export function writeDeploymentList(session: SysrootSession, deployments: Ptr[]): void {
  const g = glib();
  const ffi = writeFfi();
  const arr = ffi.g_ptr_array_new();
  // The array must own references: the reload inside the write frees the old list.
  const held = deployments.map((d) => g.g_object_ref(d));
  try {
    for (const d of held) ffi.g_ptr_array_add(arr, d);
    const err: GErrorOut = [null];
    check(ffi.ostree_sysroot_write_deployments_with_options(session.sysroot, arr, { do_postclean: 0 }, null, err), err, 'Writing the boot configuration');
  } finally {
    g.g_ptr_array_unref(arr);
    for (const d of held) g.g_object_unref(d);
  }
}

/** Newest modification time (ms) of the remote refs: the last pull that completed. */
function lastCompletedPull(repoPath: string): number {
  let newest = 0;
  const walk = (dir: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(join(repoPath, 'refs', 'remotes'));
  return newest;
}

/**
 * Checksums of the commits the repository holds partly (`state/<checksum>.commitpartial`) whose
 * pull may still be resumed: those marked after the last pull that completed. Once a later
 * pull has completed (the remote moved on, or the same commit came whole), older partial
 * commits are stale and pruned like anything else, so they cannot pile up.
 */
function resumablePartialCommits(repoPath: string): string[] {
  const stateDir = join(repoPath, 'state');
  let names: string[];
  try {
    names = readdirSync(stateDir);
  } catch {
    return []; // no state/ yet
  }
  const since = lastCompletedPull(repoPath);
  const out: string[] = [];
  for (const name of names) {
    const checksum = /^([0-9a-f]{64})\.commitpartial$/.exec(name)?.[1];
    if (checksum === undefined) continue;
    try {
      if (statSync(join(stateDir, name)).mtimeMs > since) out.push(checksum);
    } catch {
      // removed meanwhile
    }
  }
  return out;
}

/** What {@link cleanupSysroot} did. */
interface CleanupResult {
  objectsTotal: number;
  objectsPruned: number;
  bytesFreed: number;
}

/**
 * The equivalent of `ostree admin cleanup`, without its stdout output:
 * `ostree_sysroot_prepare_cleanup` (removes deployment directories and boot versions not in
 * the boot list, regenerates the `ostree/B/S/N` deployment refs) then
 * `ostree_sysroot_cleanup_prune_repo` with REFS_ONLY (keeps what refs and deployments
 * reach, at depth 0: older history commits go, as with `ostree admin cleanup`).
 *
 * Unlike `ostree admin cleanup`, what an interrupted pull fetched is kept: the objects of a
 * partial commit (`state/<checksum>.commitpartial`) marked since the last completed pull count
 * as reachable, so that a pull that failed (the remote went away, Cancel, a stall) resumes
 * where it stopped instead of fetching everything again. libostree left them in its staging
 * dir, which the repo transaction of `prepare_cleanup` moves into objects/; a plain prune
 * would delete them.
 */
export function cleanupSysroot(session: SysrootSession, prune = true): CleanupResult {
  const ffi = writeFfi();
  const err: GErrorOut = [null];
  check(ffi.ostree_sysroot_prepare_cleanup(session.sysroot, null, err), err, 'Cleaning up deployments');
  if (!prune) return { objectsTotal: 0, objectsPruned: 0, bytesFreed: 0 };
  const reachable = ffi.ostree_repo_traverse_new_reachable();
  try {
    for (const commit of resumablePartialCommits(session.repoPath)) {
      // A partial commit that cannot be traversed is pruned as before.
      if (ffi.ostree_repo_traverse_commit_union(session.repo, commit, 0, reachable, null, err) === 0) takeError(err);
    }
    const total: [number] = [0];
    const pruned: [number] = [0];
    const size: [bigint | number] = [0];
    check(
      ffi.ostree_sysroot_cleanup_prune_repo(session.sysroot, { flags: PruneFlags.REFS_ONLY, reachable }, total, pruned, size, null, err),
      err,
      'Pruning the repository',
    );
    return { objectsTotal: total[0], objectsPruned: pruned[0], bytesFreed: Number(size[0]) };
  } finally {
    ffi.g_hash_table_unref(reachable);
  }
}
