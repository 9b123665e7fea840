/**
 * dpkg installing .debs into a tree, maintainer scripts included, inside bubblewrap: the
 * host is read-only except the tree, the tree gets its own /dev, /proc, /tmp and /run, there
 * is no network, no IPC and a PID namespace of its own; dpkg chroots into the tree for the
 * maintainer scripts (../shared/FACTS.md), and a policy-rc.d refuses every service start.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A dpkg run that failed: the message names the package and the script when dpkg did. */
export class DpkgError extends Error {}

export interface DpkgRunOptions {
  /** The tree (its /etc, /var and dpkg database writable copies). */
  root: string;
  /** Every output line, as it comes. */
  onLine?: (line: string) => void;
}

/** The bwrap argv that runs `argv` with `root` as the only writable place. */
export function sandboxArgv(root: string, argv: string[]): string[] {
  return [
    ...['--ro-bind', '/', '/', '--bind', root, root],
    ...['--dev', join(root, 'dev'), '--proc', join(root, 'proc'), '--tmpfs', join(root, 'tmp'), '--tmpfs', join(root, 'run')],
    ...['--unshare-net', '--unshare-ipc', '--unshare-pid', '--unshare-uts', '--unshare-cgroup-try', '--die-with-parent'],
    '--',
    ...argv,
  ];
}

const POLICY_RC_D = 'usr/sbin/policy-rc.d';

/** dpkg's words for a failing maintainer script: `installed X package post-installation script subprocess returned error exit status 1`. */
const SCRIPT_FAILURE = /(?:installed |new |old )?(\S+) package (pre-installation|post-installation|pre-removal|post-removal) script subprocess returned error exit status (\d+)/;

/**
 * Runs `fn` with a policy-rc.d in `root` that refuses every service start (unless the tree
 * ships its own), removed afterwards.
 */
export async function withServiceStartsRefused<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const policy = join(root, POLICY_RC_D);
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) writeFileSync(policy, '#!/bin/sh\n# apt-ostree: no service starts while layering\nexit 101\n', { mode: 0o755 });
  try {
    return await fn();
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
}

/** Unpacks `debs` into `root` (preinst scripts run; triggers wait for the configure step). */
export function dpkgUnpack(opts: DpkgRunOptions & { debs: string[] }): Promise<void> {
  return runDpkg(opts, ['--no-triggers', '--unpack', '--', ...opts.debs]);
}

/** Configures every unpacked package of `root` (postinst scripts), then runs the pending triggers. */
export function dpkgConfigure(opts: DpkgRunOptions): Promise<void> {
  return runDpkg(opts, ['--configure', '--pending']);
}

/** dpkg with `action` on the tree, in the sandbox; fails with a {@link DpkgError}. */
async function runDpkg(opts: DpkgRunOptions, action: string[]): Promise<void> {
  const { root } = opts;
  const dpkg = ['dpkg', `--root=${root}`, `--admindir=${join(root, 'usr/share/dpkg/database')}`, '--force-confdef', '--force-confold', ...action];
  const lines: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('bwrap', sandboxArgv(root, dpkg), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive', HOME: '/root' },
    });
    let pending = '';
    const onData = (chunk: Buffer): void => {
      pending += chunk.toString('utf8');
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const l of parts) {
        lines.push(l);
        opts.onLine?.(l);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (c, signal) => {
      if (pending !== '') lines.push(pending);
      resolve(c ?? (signal === null ? 1 : 128));
    });
  });
  if (code !== 0) throw new DpkgError(describeFailure(lines, code));
}

/**
 * The failing package and script when dpkg named them, else dpkg's error lines, each with the
 * indented lines that follow it: dpkg gives the cause there (`dpkg: error processing archive
 * X (--unpack):` then ` cannot copy extracted data ... (No space left on device)`).
 */
export function describeFailure(lines: string[], code: number): string {
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
