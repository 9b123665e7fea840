/**
 * What the live writer (writer-main.ts) is asked to do: a plan computed by the worker from two
 * deployment trees, carried as JSON on the writer's stdin. Every path is checked again by the
 * writer before anything is touched: relative, under usr/ or etc/, no `.` or `..` parts.
 */

export interface LiveCopy {
  /** Absolute directory the paths are relative to (a deployment root, or its usr/ for /etc's files). */
  from: string;
  /** Paths relative to `from`, copied to the same relative path under the plan's root; a directory before what it holds. */
  paths: string[];
  /** Leave paths that exist alone (new default files of /etc: a file the admin has is theirs). */
  noClobber: boolean;
}

export interface LivePlan {
  /** The running system's root: `/` (a test passes a folder). */
  root: string;
  /** The sysroot, for `ostree admin unlock`. */
  sysroot: string;
  /** Make /usr a transient overlay first (`ostree admin unlock --transient`, in the host's mount namespace). */
  unlock: boolean;
  /** Remount <root>/usr read-write in the writer's own mount namespace (the overlay is read-only for everyone else). */
  remountUsr: boolean;
  copies: LiveCopy[];
  /** Paths to delete under the root, what a directory holds before the directory. */
  remove: string[];
  /** Then, in the host's view: systemd-tmpfiles --create for /run and /var, ldconfig, systemctl daemon-reload. */
  refresh: { tmpfiles: boolean; ldconfig: boolean; daemonReload: boolean };
}

/** Why `rel` is not a path the writer may touch, or null. */
export function livePathProblem(rel: string): string | null {
  if (typeof rel !== 'string' || rel.length === 0 || rel.length > 4096) return 'empty or too long';
  if (rel.includes('\0')) return 'contains NUL';
  const parts = rel.split('/');
  if (parts[0] !== 'usr' && parts[0] !== 'etc') return 'not under usr/ or etc/';
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return 'has an empty, . or .. part';
  return null;
}

/** The plan in `v`, checked, or an Error naming what is wrong. */
export function checkLivePlan(v: unknown): LivePlan {
  const p = v as LivePlan;
  const fail = (what: string): never => {
    throw new Error(`invalid live plan: ${what}`);
  };
  if (typeof p !== 'object' || p === null) fail('not an object');
  if (typeof p.root !== 'string' || !p.root.startsWith('/')) fail('root');
  if (typeof p.sysroot !== 'string' || !p.sysroot.startsWith('/')) fail('sysroot');
  if (typeof p.unlock !== 'boolean' || typeof p.remountUsr !== 'boolean') fail('unlock/remountUsr');
  if (!Array.isArray(p.copies) || !Array.isArray(p.remove)) fail('copies/remove');
  for (const c of p.copies) {
    if (typeof c.from !== 'string' || !c.from.startsWith('/') || !Array.isArray(c.paths) || typeof c.noClobber !== 'boolean') fail('a copy');
    for (const rel of c.paths) {
      const problem = livePathProblem(rel);
      if (problem !== null) fail(`${JSON.stringify(rel)}: ${problem}`);
    }
  }
  for (const rel of p.remove) {
    const problem = livePathProblem(rel);
    if (problem !== null) fail(`${JSON.stringify(rel)}: ${problem}`);
  }
  const r = p.refresh as LivePlan['refresh'] | undefined;
  if (typeof r !== 'object' || r === null || ![r.tmpfiles, r.ldconfig, r.daemonReload].every((b) => typeof b === 'boolean')) fail('refresh');
  return p;
}
