/**
 * dpkg installing .debs into a tree, maintainer scripts included, in the tree sandbox
 * (../fs/tree-sandbox.ts): the tree is `/`, so dpkg runs without --root and needs no chroot;
 * the .debs are bound read-only under /run; the tree's own dpkg runs when it has one, else the
 * host's, bound at a path of its own (host-dpkg.ts). A policy-rc.d refuses every service start.
 */
import { writeFileSync, rmSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { regularFileInTree } from '../fs/in-tree.js';
import { runInTreeSandbox, type SandboxExtra } from '../fs/tree-sandbox.js';
import { hostDpkgTools, treeHasDpkg } from './host-dpkg.js';

/** A dpkg run that failed: the message names the package and the script when dpkg did. */
export class DpkgError extends Error {}

interface DpkgRunOptions {
  /** The tree (its /etc, /var and dpkg database writable copies). */
  root: string;
  /** Every output line, as it comes. */
  onLine?: (line: string) => void;
}

const TREE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DEBS = '/run/apt-ostree/debs';

const POLICY_RC_D = 'usr/sbin/policy-rc.d';

/** dpkg's words for a failing maintainer script: `installed X package post-installation script subprocess returned error exit status 1`. */
const SCRIPT_FAILURE =
  /(?:installed |new |old )?(\S+) package (pre-installation|post-installation|pre-removal|post-removal) script subprocess returned error exit status (\d+)/;

/**
 * Runs `fn` with a policy-rc.d in `root` that refuses every service start (unless the tree
 * ships its own), removed afterwards.
 */
export async function withServiceStartsRefused<T>(root: string, fn: () => Promise<T>): Promise<T> {
  // Before any script ran: the base's own tree.
  const policy = join(root, POLICY_RC_D);
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) writeFileSync(policy, '#!/bin/sh\n# apt-ostree: no service starts while layering\nexit 101\n', { mode: 0o755 });
  try {
    return await fn();
  } finally {
    // After the scripts: usr/sbin may be a link to anywhere now; only a real file in the tree goes.
    const planted = ownPolicy ? regularFileInTree(root, POLICY_RC_D) : null;
    if (planted !== null) rmSync(planted);
  }
}

/** Unpacks `debs` into `root` (preinst scripts run; triggers wait for the configure step). */
export function dpkgUnpack(opts: DpkgRunOptions & { debs: string[] }): Promise<void> {
  // Under their own names (apt's NAME_VERSION_ARCH.deb, one per package): dpkg's messages name them.
  const inside = opts.debs.map((deb) => `${DEBS}/${basename(deb)}`);
  if (new Set(inside).size !== inside.length) throw new DpkgError(`Two packages to unpack share a file name: ${opts.debs.join(', ')}`);
  const binds: SandboxExtra[] = opts.debs.map((deb, i) => ({ kind: 'bind', source: deb, dest: inside[i] }));
  return runDpkg(opts, ['--no-triggers', '--unpack', '--', ...inside], binds);
}

/**
 * Purges base packages from `root` (overrides: prerm/postrm scripts run, conffiles go too).
 * apt's resolution already checked that nothing left depends on them.
 */
export function dpkgPurge(opts: DpkgRunOptions & { packages: string[] }): Promise<void> {
  return runDpkg(opts, ['--no-triggers', '--purge', '--', ...opts.packages]);
}

/** Configures every unpacked package of `root` (postinst scripts), then runs the pending triggers. */
export function dpkgConfigure(opts: DpkgRunOptions): Promise<void> {
  return runDpkg(opts, ['--configure', '--pending']);
}

/** dpkg with `action` on the tree as `/`, in the sandbox; fails with a {@link DpkgError}. */
async function runDpkg(opts: DpkgRunOptions, action: string[], binds: SandboxExtra[] = []): Promise<void> {
  const host = treeHasDpkg(opts.root) ? null : hostDpkgTools();
  const dpkg = [host?.dpkg ?? 'dpkg', '--admindir=/usr/share/dpkg/database', '--force-confdef', '--force-confold', ...action];
  const { code, lines } = await runInTreeSandbox({
    tree: opts.root,
    argv: dpkg,
    env: { PATH: host === null ? TREE_PATH : `${TREE_PATH}:${host.pathSuffix}`, LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive', HOME: '/root' },
    extras: [...(host?.extras ?? []), ...binds],
    onLine: opts.onLine,
  });
  if (code !== 0) throw new DpkgError(describeFailure(lines, code));
}

/**
 * The failing package and script when dpkg named them, else dpkg's error lines, each with the
 * indented lines that follow it: dpkg gives the cause there (`dpkg: error processing archive
 * X (--unpack):` then ` cannot copy extracted data ... (No space left on device)`).
 */
function describeFailure(lines: string[], code: number): string {
  for (const l of lines) {
    const m = SCRIPT_FAILURE.exec(l);
    if (m !== null) return `The ${m[2]} script of ${m[1]} failed (exit status ${m[3]})`;
  }
  const errors: string[] = [];
  let inError = false;
  for (const l of lines) {
    if (/^dpkg: (error|dependency problems)/.test(l) || /^E: /.test(l)) {
      errors.push(l);
      inError = true;
    } else if (inError && /^\s+\S/.test(l)) {
      errors[errors.length - 1] += ` ${l.trim()}`;
    } else {
      inError = false;
    }
  }
  return `dpkg failed (exit ${code}): ${(errors.length > 0 ? errors : lines.slice(-5)).join('; ')}`;
}
