/**
 * Running a program of (or on) a tree with the tree as `/`, in bubblewrap: the host's root is
 * not there at all; the tree gets a minimal /dev, its own /proc (its /proc/sys read-only), /tmp
 * and /run (empty tmpfs); no network (nor abstract Unix sockets), no System V IPC, its own PID
 * namespace (no host process to see or signal), a new session (no TIOCSTI into a terminal),
 * and it dies with its parent. It runs as the real root (files get their real owners) but with
 * only the capabilities dpkg and maintainer scripts need: owners and modes of any file, setuid
 * and setgid bits, file capabilities — never mount, mknod, chroot, raw I/O, modules, ptrace,
 * network administration. bwrap sets no_new_privs: nothing inside gains more by exec.
 *
 * It never runs on the tree itself but on an overlay view of it (tree-overlay.ts), and what it
 * changed is merged into the tree by renames afterwards (overlay-merge.ts): the tree's files are
 * hardlinks to the repository's objects, and nothing in the sandbox may write one in place.
 *
 * bwrap creates its mount points by following paths inside the tree, so the tree's dev, proc,
 * tmp and run must be real directories when it starts: checked before each run.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { directoryInTree } from './in-tree.js';
import { mergeOverlayUpper } from './overlay-merge.js';
import { makeTreeOverlay, overlayLaunch, overlayMountFailure, removeTreeOverlay } from './tree-overlay.js';

/** Output kept for the error message: the last lines, each cut at a length (a script may print without end). */
const KEPT_LINES = 2000;
const MAX_LINE = 16 * 1024;

/**
 * What stays inside the sandbox (bwrap `--cap-drop ALL --cap-add ...`). Not CAP_DAC_READ_SEARCH:
 * CAP_DAC_OVERRIDE reads and searches anything already, and CAP_DAC_READ_SEARCH adds
 * open_by_handle_at, which opens any inode of a filesystem the sandbox sees a mount of (a .deb
 * or a host tool bound in is on the host's): the host's root directory by its handle.
 */
export const SANDBOX_CAPABILITIES = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_SETUID', 'CAP_SETGID', 'CAP_SETFCAP'] as const;

/** The directories of the tree bwrap mounts over. */
const MOUNT_POINTS = ['dev', 'proc', 'tmp', 'run'];

/** A file bound read-only into the sandbox, or data written to a file there (`--ro-bind-data`). */
export type SandboxExtra =
  | { kind: 'bind'; source: string; dest: string }
  | { kind: 'data'; content: string; dest: string; mode: number }
  | { kind: 'symlink'; target: string; dest: string };

interface TreeSandboxRun {
  tree: string;
  argv: string[];
  /** Only these variables (and nothing of the daemon's environment). */
  env: Record<string, string>;
  /** Placed under the tmpfs /run or /tmp only (never in the tree). */
  extras?: SandboxExtra[];
  /** Every output line (stdout and stderr), as it comes. */
  onLine?: (line: string) => void;
}

/** The bwrap argv for `run`; `dataFd(i)` is the descriptor the i-th data extra is read from. */
function treeSandboxArgv(run: Pick<TreeSandboxRun, 'tree' | 'argv' | 'env' | 'extras'>, dataFd: (i: number) => number): string[] {
  const extras: string[] = [];
  let data = 0;
  for (const x of run.extras ?? []) {
    if (!/^\/(run|tmp)\//.test(x.dest)) throw new Error(`A sandbox extra goes under /run or /tmp, not ${x.dest}`);
    if (x.kind === 'bind') extras.push('--ro-bind', x.source, x.dest);
    else if (x.kind === 'symlink') extras.push('--symlink', x.target, x.dest);
    else extras.push('--perms', x.mode.toString(8).padStart(4, '0'), '--ro-bind-data', String(dataFd(data++)), x.dest);
  }
  return [
    ...['--bind', run.tree, '/', '--dev', '/dev', '--proc', '/proc', '--ro-bind', '/proc/sys', '/proc/sys', '--tmpfs', '/tmp', '--tmpfs', '/run'],
    ...extras,
    ...['--unshare-net', '--unshare-ipc', '--unshare-pid', '--unshare-uts', '--unshare-cgroup-try'],
    ...['--new-session', '--die-with-parent', '--cap-drop', 'ALL', ...SANDBOX_CAPABILITIES.flatMap((c) => ['--cap-add', c])],
    ...['--chdir', '/', '--clearenv', ...Object.entries(run.env).flatMap(([k, v]) => ['--setenv', k, v])],
    '--',
    ...run.argv,
  ];
}

/**
 * Runs `run` in the sandbox, on an overlay view of the tree (tree-overlay.ts) whose changes are
 * merged into the tree afterwards (overlay-merge.ts), whatever the exit status; resolves with
 * the exit status (128 + n for a signal) and the last output lines.
 */
export async function runInTreeSandbox(run: TreeSandboxRun): Promise<{ code: number; lines: string[] }> {
  for (const d of MOUNT_POINTS) directoryInTree(run.tree, d);
  const overlay = makeTreeOverlay(run.tree);
  try {
    const data = (run.extras ?? []).filter((x) => x.kind === 'data');
    const { file, argv, cwd } = overlayLaunch(
      overlay,
      treeSandboxArgv({ ...run, tree: overlay.root }, (i) => 3 + i),
      data.length,
    );
    const result = await runCollecting(
      file,
      argv,
      cwd,
      data.map((x) => x.content),
      run.onLine,
    );
    const failure = overlayMountFailure(result.code, result.lines);
    if (failure !== null) throw failure;
    mergeOverlayUpper(overlay.upper, run.tree);
    return result;
  } finally {
    removeTreeOverlay(overlay);
  }
}

/** Runs `file`, writing `data[i]` to its descriptor 3 + i; its exit status and last output lines. */
async function runCollecting(
  file: string,
  argv: string[],
  cwd: string,
  data: string[],
  onLine?: (line: string) => void,
): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(file, argv, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe', ...data.map(() => 'pipe' as const)],
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    data.forEach((content, i) => {
      const pipe = child.stdio[3 + i] as unknown as NodeJS.WritableStream;
      pipe.on('error', () => {});
      pipe.end(content);
    });
    let pending = '';
    const onData = (chunk: Buffer): void => {
      const parts = (pending + chunk.toString('utf8')).split('\n');
      pending = parts.pop() ?? '';
      if (pending.length > MAX_LINE) {
        parts.push(pending);
        pending = '';
      }
      for (const whole of parts) {
        const l = whole.length > MAX_LINE ? `${whole.slice(0, MAX_LINE)}…` : whole;
        lines.push(l);
        if (lines.length > KEPT_LINES) lines.shift();
        onLine?.(l);
      }
    };
    (child.stdout as Readable).on('data', onData);
    (child.stderr as Readable).on('data', onData);
    child.on('error', reject);
    child.on('close', (c, signal) => {
      if (pending !== '') lines.push(pending);
      resolve(c ?? (signal === null ? 1 : 128));
    });
  });
  return { code, lines };
}
