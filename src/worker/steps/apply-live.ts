/**
 * apply-live (rpm-ostree's model): the running system gets the /usr of another deployment's
 * commit — normally the pending one — without a reboot. /usr becomes a transient overlay
 * (`ostree admin unlock --transient`, gone at the next boot); the files that differ between
 * the booted tree and the target's are written into it; new default files of /etc that the
 * running /etc does not have are added; tmpfiles, the linker cache and systemd's units are
 * refreshed. Only package additions are applied unless replacements are allowed: a running
 * program whose library is swapped under it is what a reboot is for. What was written is kept
 * in /run (live-state.ts), so status shows the live commit, a later apply-live takes back what
 * its target no longer has, and an interrupted one is finished before any other.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PackageDiffEntry } from '../../api/types/package.js';
import { diffPackages } from '../../backends/dpkg/package-diff.js';
import { DPKG_STATUS, installedPackages, type InstalledPackage } from '../../backends/dpkg/status-file.js';
import { readCommitFile } from '../../backends/ostree/commit-file.js';
import { libostree } from '../../backends/ostree/libostree.js';
import type { DeploymentRef, SysrootSession } from '../../backends/ostree/write/session.js';
import type { LiveCopy, LivePlan } from '../../backends/live/live-plan.js';
import { readLiveState, writeLiveState, type LiveState } from '../../backends/live/live-state.js';
import { runLiveWriter } from '../../backends/live/live-writer.js';
import { diffTrees } from '../../backends/live/tree-diff.js';
import { OperationError, type OperationContext } from '../operation-context.js';
import { shortChecksum } from './format.js';
import { withSysroot } from './sysroot-session.js';

/** Keeps the live commit from being pruned while the running system uses it (as rpm-ostree's `rpmostree/live-apply`). */
export const LIVE_REF = 'aptostree/live-apply';

export interface ApplyLiveOptions {
  /** Commit to apply (of a deployment of the OS); default: the pending deployment's. */
  target?: string;
  /** Back to the booted commit: take back everything applied live. */
  reset?: boolean;
  /** Allow package upgrades, downgrades and removals on the running system. */
  allowReplacement?: boolean;
}

export interface ApplyLiveOutcome {
  changed: boolean;
  /** The commit the running system now has (the booted one after a reset). */
  liveCommit: string;
  message: string;
}

async function commitPackages(repo: string, commit: string): Promise<InstalledPackage[]> {
  try {
    return installedPackages((await readCommitFile(repo, commit, DPKG_STATUS)).toString('utf8'));
  } catch (e) {
    // Without them nothing tells additions from replacements: refuse rather than guess.
    throw new OperationError('Failed', `Cannot read the dpkg database of ${shortChecksum(commit)}, which the running system has: ${(e as Error).message}`);
  }
}

function packagesOf(root: string): InstalledPackage[] {
  try {
    return installedPackages(readFileSync(join(root, DPKG_STATUS), 'utf8'));
  } catch {
    return [];
  }
}

const describeEntry = (e: PackageDiffEntry): string =>
  e.change === 'added'
    ? `${e.name} ${e.next?.version ?? ''}`.trim()
    : e.change === 'removed'
      ? `${e.name} (removed)`
      : `${e.name} ${e.previous?.version ?? ''} → ${e.next?.version ?? ''}`;

function pickTarget(session: SysrootSession, osname: string, booted: DeploymentRef, o: ApplyLiveOptions): DeploymentRef {
  const ours = session.deploymentsOf(osname);
  if (o.reset === true) return booted;
  if (o.target !== undefined) {
    const d = ours.find((x) => x.checksum === o.target);
    if (d === undefined) {
      throw new OperationError('Failed', `Commit ${o.target} is not the commit of a deployment of ${osname}: deploy it first, then apply it live`);
    }
    return d;
  }
  const pending = ours[0];
  if (pending === undefined || pending.id === booted.id) {
    throw new OperationError('Failed', 'No pending deployment: there is nothing to apply live (install packages or upgrade first)');
  }
  return pending;
}

/** The unlock state of the booted deployment: none, development, hotfix or transient. */
function unlockState(d: DeploymentRef): string {
  const ost = libostree();
  return ost.ostree_deployment_unlocked_state_to_string(ost.ostree_deployment_get_unlocked(d.ptr));
}

/** What the locked part decided: nothing to do, or the writer's plan and the state to record after it. */
type Prepared =
  { done: ApplyLiveOutcome } | { plan: LivePlan; booted: { checksum: string; serial: number }; after: LiveState | null; outcome: ApplyLiveOutcome };

export async function applyLive(ctx: OperationContext, o: ApplyLiveOptions, stateDir?: string): Promise<ApplyLiveOutcome> {
  const say = (text: string): void => ctx.emit({ type: 'Message', text });
  // The plan is made holding the sysroot lock; the writer runs after it is released, since
  // `ostree admin unlock` takes the lock itself (as rpm-ostree drops its lock for it).
  const prepared: Prepared = await withSysroot(ctx, async (session) => {
    const booted = session.booted();
    if (booted === null) throw new OperationError('Failed', 'apply-live changes the running system, and this sysroot is not the booted one');
    if (booted.osname !== ctx.osname) throw new OperationError('Failed', `The booted deployment is of ${booted.osname}, not ${ctx.osname}`);
    const unlocked = unlockState(booted);
    if (unlocked === 'hotfix') throw new OperationError('Failed', 'apply-live cannot be used while /usr is unlocked for a hotfix (usroverlay --hotfix)');

    const state: LiveState | null = readLiveState(booted, stateDir);
    if (state === null) session.setRef(LIVE_REF, null); // left from an earlier boot
    const target = pickTarget(session, ctx.osname, booted, o);
    if (state?.inprogress != null && state.inprogress !== target.checksum) {
      throw new OperationError(
        'Failed',
        `An apply-live of ${shortChecksum(state.inprogress)} was interrupted: apply that commit live again first (target ${state.inprogress})`,
      );
    }
    const source = state?.commit ?? booted.checksum;
    if (source === target.checksum && state?.inprogress == null) {
      const what = target.checksum === booted.checksum ? 'the booted commit' : shortChecksum(target.checksum);
      return { done: { changed: false, liveCommit: target.checksum, message: `The running system already has ${what}.` } };
    }

    const bootedRoot = session.deploymentDir(booted.ptr);
    const targetRoot = session.deploymentDir(target.ptr);
    // The running system's packages: those of the live commit, read from the repository (its
    // deployment may be gone: a later package change replaces the staged deployment).
    const packages = diffPackages(await commitPackages(session.repoPath, source), packagesOf(targetRoot));
    const replacing = packages.filter((e) => e.change !== 'added');
    if (replacing.length > 0 && o.allowReplacement !== true && o.reset !== true) {
      throw new OperationError(
        'Failed',
        `apply-live adds packages only, and these would change on the running system: ${replacing.map(describeEntry).join(', ')}. ` +
          'Reboot into the new deployment, or allow replacement (apply-live --allow-replacement)',
      );
    }

    // Files: what the booted /usr lacks or has differently, plus what an earlier apply-live wrote
    // that the target does not have (back to the booted file, or removed).
    const usr = diffTrees(bootedRoot, targetRoot, 'usr');
    const writing = new Set([...usr.added, ...usr.changed]);
    const earlier = (state?.files ?? []).filter((f) => f.startsWith('usr/') && !writing.has(f));
    const restore = earlier.filter((f) => existsIn(bootedRoot, f));
    const gone = earlier.filter((f) => !existsIn(bootedRoot, f));
    const etcAdded = diffTrees(bootedRoot, targetRoot, 'usr/etc').added.filter((f) => !existsIn(bootedRoot, f.slice('usr/'.length)));
    const copies: LiveCopy[] = [
      { from: targetRoot, paths: [...usr.added, ...usr.changed], noClobber: false },
      { from: bootedRoot, paths: restore, noClobber: false },
      { from: join(targetRoot, 'usr'), paths: etcAdded.map((f) => f.slice('usr/'.length)), noClobber: true },
    ].filter((c) => c.paths.length > 0);
    const plan: LivePlan = {
      root: '/',
      sysroot: ctx.sysroot,
      unlock: unlocked === 'none',
      remountUsr: unlocked !== 'development',
      copies,
      remove: [...usr.removed, ...gone.sort().reverse()],
      refresh: {
        tmpfiles: usr.added.some((f) => f.startsWith('usr/lib/tmpfiles.d/')),
        ldconfig: [...usr.added, ...usr.changed].some((f) => /\.so(\.|$)/.test(f)),
        daemonReload: [...usr.added, ...usr.changed, ...usr.removed].some((f) => f.startsWith('usr/lib/systemd/')),
      },
    };
    say(
      `Applying ${shortChecksum(target.checksum)} to the running system: /usr ${usr.added.length} added, ${usr.changed.length} changed, ${usr.removed.length + gone.length} removed; ${etcAdded.length} new in /etc`,
    );
    for (const e of packages) say(`${e.change === 'added' ? 'Added' : e.change === 'removed' ? 'Removed' : 'Changed'}: ${describeEntry(e)}`);

    // Recorded before anything is written: an interruption leaves the target to finish first.
    writeLiveState(booted, { commit: state?.commit ?? null, inprogress: target.checksum, files: state?.files ?? [] }, stateDir);
    const reset = target.checksum === booted.checksum;
    session.setRef(LIVE_REF, reset ? null : target.checksum);
    const bootedId = { checksum: booted.checksum, serial: booted.serial };
    if (reset) {
      return {
        plan,
        booted: bootedId,
        after: null,
        outcome: {
          changed: true,
          liveCommit: booted.checksum,
          message: 'The running system is back to the booted commit (/usr stays an overlay until the reboot).',
        },
      };
    }
    const files = [
      ...new Set([...(state?.files ?? []).filter((f) => !gone.includes(f) && !restore.includes(f)), ...writing, ...etcAdded.map((f) => f.slice(4))]),
    ];
    const added = packages.filter((e) => e.change === 'added').map((e) => e.name);
    return {
      plan,
      booted: bootedId,
      after: { commit: target.checksum, inprogress: null, files },
      outcome: {
        changed: true,
        liveCommit: target.checksum,
        message:
          `Successfully updated the running system to ${shortChecksum(target.checksum)}` +
          (added.length > 0 ? `: added ${added.join(', ')}` : '') +
          '. The changes to /usr last until the next reboot, which boots the pending deployment as usual.',
      },
    };
  });
  if ('done' in prepared) return prepared.done;
  try {
    await runLiveWriter(prepared.plan, `apt-ostreed-live-${ctx.transactionId.replace(/[^A-Za-z0-9]/g, '')}`, say);
  } catch (e) {
    throw new OperationError('Failed', `Applying live failed: ${(e as Error).message}`);
  }
  writeLiveState(prepared.booted, prepared.after, stateDir);
  return prepared.outcome;
}

function existsIn(root: string, rel: string): boolean {
  try {
    lstatSync(join(root, rel));
    return true;
  } catch {
    return false;
  }
}
