/**
 * One write operation's own view of a sysroot: a fresh OstreeSysroot (never the daemon's
 * reader object: measured here, an `.async` write racing `load()` on a shared object corrupted
 * refcounts), libostree's sysroot lock held for the session's whole life so that
 * `ostree admin` run by hand cannot interleave, and the deployment roles of docs/design-decisions.md.
 */
import { glib, takeString, type GErrorOut } from '../glib.js';
import type { Ptr } from '../koffi.js';
import { libostree } from '../libostree.js';
import { check } from './errors.js';
import { writeFfi } from './ffi.js';

/** A deployment of the loaded list. `ptr` is borrowed: valid until the list is rewritten. */
export interface DeploymentRef {
  ptr: Ptr;
  /** `<osname>-<checksum>.<serial>` */
  id: string;
  osname: string;
  checksum: string;
  serial: number;
  /** Position in the whole list (all stateroots). */
  index: number;
  pinned: boolean;
  staged: boolean;
}

/** Options of {@link SysrootSession.open}. */
interface OpenOptions {
  /** Called once if the lock is held by another process, before waiting for it. */
  onWait?: () => void;
  /** Interval between lock attempts, ms (default 100). */
  retryMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A locked, loaded OstreeSysroot. Always {@link close} it (it unlocks and frees). */
export class SysrootSession {
  private closed = false;

  private constructor(
    /** Absolute sysroot path. */
    readonly path: string,
    /** The OstreeSysroot (owned by the session). */
    readonly sysroot: Ptr,
  ) {}

  /**
   * `ostree_sysroot_new` → `ostree_sysroot_try_lock` until acquired (polling every
   * `retryMs`; libostree's blocking lock would stall the event loop) → `ostree_sysroot_load`.
   * Throws OstreeCallError when the sysroot cannot be locked or loaded.
   */
  static async open(path: string, opts: OpenOptions = {}): Promise<SysrootSession> {
    const g = glib();
    const ffi = writeFfi();
    const file = g.g_file_new_for_path(path);
    let sysroot: Ptr;
    try {
      sysroot = libostree().ostree_sysroot_new(file);
    } finally {
      g.g_object_unref(file);
    }
    let locked = false;
    try {
      let waited = false;
      for (;;) {
        const acquired: [number] = [0];
        const err: GErrorOut = [null];
        check(ffi.ostree_sysroot_try_lock(sysroot, acquired, err), err, `Locking sysroot ${path}`);
        if (acquired[0] !== 0) break;
        if (!waited) {
          waited = true;
          opts.onWait?.();
        }
        await sleep(opts.retryMs ?? 100);
      }
      locked = true;
      const err: GErrorOut = [null];
      check(ffi.ostree_sysroot_load(sysroot, null, err), err, `Loading sysroot ${path}`);
      return new SysrootSession(path, sysroot);
    } catch (e) {
      if (locked) ffi.ostree_sysroot_unlock(sysroot);
      g.g_object_unref(sysroot);
      throw e;
    }
  }

  /** Reloads the deployment list from disk (borrowed DeploymentRef pointers become invalid). */
  reload(): void {
    const err: GErrorOut = [null];
    check(writeFfi().ostree_sysroot_load(this.sysroot, null, err), err, `Loading sysroot ${this.path}`);
  }

  /** Unlocks and frees the sysroot. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    writeFfi().ostree_sysroot_unlock(this.sysroot);
    glib().g_object_unref(this.sysroot);
  }

  /** The sysroot's repository (transfer none: lives as long as the session). */
  get repo(): Ptr {
    return libostree().ostree_sysroot_repo(this.sysroot);
  }

  /** Path of the sysroot's repository. */
  get repoPath(): string {
    return `${this.path}/ostree/repo`;
  }

  /** Every deployment, in boot order. */
  deployments(): DeploymentRef[] {
    const g = glib();
    const arr = libostree().ostree_sysroot_get_deployments(this.sysroot);
    try {
      return g.ptrArrayItems(arr).map(describe);
    } finally {
      g.g_ptr_array_unref(arr);
    }
  }

  /** The booted deployment (libostree compares / with each deployment root), else null. */
  booted(): DeploymentRef | null {
    const d = libostree().ostree_sysroot_get_booted_deployment(this.sysroot);
    return d === null ? null : describe(d);
  }

  /** Deployments of `osname`, in boot order. */
  deploymentsOf(osname: string): DeploymentRef[] {
    return this.deployments().filter((d) => d.osname === osname);
  }

  /** docs/design-decisions.md: the default deployment of `osname` is its first one. */
  defaultDeployment(osname: string): DeploymentRef | null {
    return this.deploymentsOf(osname)[0] ?? null;
  }

  /**
   * docs/design-decisions.md roles. Booted into this OS: the first deployment of the OS after the booted
   * one. Not booted into it: the OS's second deployment. Null when there is none.
   */
  rollbackDeployment(osname: string): DeploymentRef | null {
    const ours = this.deploymentsOf(osname);
    const booted = this.booted();
    if (booted !== null && booted.osname === osname) {
      const at = ours.findIndex((d) => d.id === booted.id);
      return ours[at + 1] ?? null;
    }
    return ours[1] ?? null;
  }

  /**
   * libostree's merge deployment for `osname` (the booted one when booted into it, else the
   * OS's first): the /etc the new deployment starts from. Owned: release with g_object_unref.
   */
  mergeDeployment(osname: string): Ptr | null {
    return writeFfi().ostree_sysroot_get_merge_deployment(this.sysroot, osname);
  }

  /** Absolute path of a deployment's root directory. */
  deploymentDir(d: Ptr): string {
    const rel = takeString(writeFfi().ostree_sysroot_get_deployment_dirpath(this.sysroot, d)) ?? '';
    return `${this.path}/${rel}`;
  }

  /** Points `refspec` (`[remote:]ref`) at `checksum`, or deletes it when null. */
  setRef(refspec: string, checksum: string | null): void {
    const { remote, ref } = parseRefspec(refspec);
    const err: GErrorOut = [null];
    check(writeFfi().ostree_repo_set_ref_immediate(this.repo, remote, ref, checksum, null, err), err, `Setting ${refspec}`);
  }

  /** `ostree_repo_resolve_rev` on the sysroot repo; null when the ref does not exist. */
  resolveRev(refspec: string): string | null {
    const ffi = writeFfi();
    const out: [Ptr | null] = [null];
    const err: GErrorOut = [null];
    check(ffi.ostree_repo_resolve_rev(this.repo, refspec, 1, out, err), err, `Resolving ${refspec}`);
    return takeString(out[0]);
  }
}

/** Describes a deployment pointer (borrowed). */
export function describe(d: Ptr): DeploymentRef {
  const ost = libostree();
  const osname = ost.ostree_deployment_get_osname(d);
  const checksum = ost.ostree_deployment_get_csum(d);
  const serial = ost.ostree_deployment_get_deployserial(d);
  return {
    ptr: d,
    id: `${osname}-${checksum}.${serial}`,
    osname,
    checksum,
    serial,
    index: ost.ostree_deployment_get_index(d),
    pinned: ost.ostree_deployment_is_pinned(d) !== 0,
    staged: ost.ostree_deployment_is_staged(d) !== 0,
  };
}

/** Splits `REMOTE:REF` (remote null for a local ref) with libostree's own parser. */
export function parseRefspec(refspec: string): { remote: string | null; ref: string } {
  const ffi = writeFfi();
  const remote: [Ptr | null] = [null];
  const ref: [Ptr | null] = [null];
  const err: GErrorOut = [null];
  check(ffi.ostree_parse_refspec(refspec, remote, ref, err), err, `Parsing refspec ${refspec}`);
  return { remote: takeString(remote[0]), ref: takeString(ref[0]) ?? '' };
}
