/**
 * What an operation starts from: the default deployment, the branch it follows (from its
 * origin), and commits that must be in the repository.
 */
import type { BaseOverrides, InitramfsState } from '../../backends/ostree/write/deployment-writer.js';
import { NO_OVERRIDES, originText } from '../../backends/ostree/write/deployment-writer.js';
import { loadCommitNode, type CommitNode } from '../../backends/ostree/write/history.js';
import { parseRefspec, type DeploymentRef, type SysrootSession } from '../../backends/ostree/write/session.js';
import { parseOrigin } from '../../backends/ostree/origin-file.js';
import { glib } from '../../backends/ostree/glib.js';
import { OperationError } from '../operation-context.js';
import { commitLabel } from './format.js';

/** The default deployment of the context's OS, or a clear failure. */
export function requireDefault(session: SysrootSession, osname: string): DeploymentRef {
  const d = session.defaultDeployment(osname);
  if (d === null) throw new OperationError('Failed', `No deployment of stateroot '${osname}' in ${session.path}`);
  return d;
}

/** What a deployment follows, from its origin. */
export interface FollowedBranch {
  /** `[origin] refspec`, or `baserefspec` of a layered deployment. */
  refspec: string;
  /** null for a local branch (nothing to pull). */
  remote: string | null;
  ref: string;
  /** The origin file text (the new deployment's origin is made from it). */
  originText: string;
  /** `[packages] requested`: layered onto every new base ([] for a plain deployment). */
  requested: string[];
  /** `[packages] requested-local`: local .debs (`NAME:SHA256`), layered onto every new base. */
  local: string[];
  /** `[overrides]`: base packages removed or replaced, re-applied to every new base. */
  overrides: BaseOverrides;
  /** The base commit: the deployment's own commit, or for a layered one the commit it was built on. */
  baseChecksum: string;
  /** `[apt-ostree]` regenerate-initramfs / initramfs-args / initramfs-etc: re-applied to every new base. */
  initramfs: InitramfsState;
}

/** The branch `d` follows (plain or layered); an origin pinned to a bare checksum is refused. */
export function followedBranch(session: SysrootSession, d: DeploymentRef, verb: string): FollowedBranch {
  const text = originText(d.ptr);
  if (text === null) throw new OperationError('Failed', `Deployment ${d.id} has no origin file; cannot ${verb} it`);
  const origin = parseOrigin(text);
  const refspec = origin.refspec ?? origin.baseRefspec;
  if (refspec === null) throw new OperationError('Failed', `Deployment ${d.id} has no [origin] refspec; cannot ${verb} it`);
  const { remote, ref } = parseRefspec(refspec);
  if (/^[0-9a-f]{64}$/.test(ref)) {
    throw new OperationError('Failed', `Deployment ${d.id} follows a fixed commit (${refspec}), not a branch; cannot ${verb} it`);
  }
  const commit = loadCommitNode(session.repo, d.checksum);
  const baseChecksum = commit?.clientLayer === true && commit.baseCommit !== null ? commit.baseCommit : d.checksum;
  return {
    refspec,
    remote,
    ref,
    originText: text,
    requested: origin.baseRefspec !== null ? origin.requestedPackages : [],
    baseChecksum,
    local: origin.baseRefspec !== null ? origin.requestedLocal : [],
    overrides:
      origin.baseRefspec !== null
        ? { remove: origin.overrideRemove, replace: origin.overrideReplace, replaceLocal: origin.overrideReplaceLocal }
        : NO_OVERRIDES,
    initramfs: { regenerate: origin.regenerateInitramfs, args: origin.initramfsArgs, etc: origin.baseRefspec !== null ? origin.initramfsEtc : [] },
  };
}

/** Loads a commit that must be in the sysroot repo (with `complete`: its whole tree too, e.g. for cacheOnly). */
export function requireCommit(session: SysrootSession, checksum: string, complete = false): CommitNode {
  const c = loadCommitNode(session.repo, checksum);
  if (c === null) throw new OperationError('Failed', `Commit ${checksum} is not in the repository`);
  if (complete && c.partial) {
    throw new OperationError('Failed', `Commit ${commitLabel(c)} is only partly in the repository; it cannot be deployed without fetching (cacheOnly)`);
  }
  return c;
}

/**
 * The directory of `osname`'s merge deployment (the booted one when booted, else the default):
 * the /etc a new deployment's is merged from. `what` names what is taken from it, for the error.
 */
export function mergeDeploymentRoot(session: SysrootSession, osname: string, what: string): string {
  const merge = session.mergeDeployment(osname);
  if (merge === null) throw new OperationError('Failed', `No deployment of ${osname} to take ${what} from`);
  try {
    return session.deploymentDir(merge);
  } finally {
    glib().g_object_unref(merge);
  }
}
