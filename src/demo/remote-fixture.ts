/**
 * A remote OSTree server and a client sysroot following it, for tests, the demo and the
 * benchmark: an archive-mode repo served over HTTP on 127.0.0.1 by a small node:http
 * server, and a sysroot whose remote `origin` points at it. No network, about a second.
 *
 * Fixture code: like sysroot-builder.ts it drives the `ostree` CLI (argv arrays only).
 *
 * Over 300 lines: the server, the client sysroot and the helpers that add commits to it are one
 * fixture whose parts share its paths and refs; split, each part would need all of them passed in.
 */
import { execFile, spawnSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve, sep } from 'node:path';
import { BASE_PACKAGES, BOOKWORM_OS_RELEASE, buildTree, commitTree, createSysroot, deploy, removeSysroot, type DpkgPackage } from './sysroot-builder.js';

/** A running static file server (see {@link startStaticServer}). */
export interface StaticServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  url: string;
  port: number;
  /** Decoded path of every request received, in arrival order (e.g. `/summary`). */
  requests: string[];
  /** Closes the listener and every open (keep-alive) connection. */
  stop(): Promise<void>;
}

/** Options of {@link startStaticServer}. */
interface StaticServerOptions {
  /** Delay before answering each request, in ms (to make a pull slow enough to cancel). */
  delayMs?: number;
  /** Port to listen on (default: a free one); e.g. to start a server again at the URL of one that was stopped. */
  port?: number;
}

/**
 * Serves the regular files under `root` over HTTP on 127.0.0.1 (a free port unless `opts.port`): GET and HEAD
 * only, 404 for anything else that is not a file inside `root` (no directory listing, no
 * `..`, symlinks leaving `root` refused). The listen backlog is large: libostree opens up to
 * 8 connections at once and python's http.server (backlog 5) makes pulls stall.
 */
export function startStaticServer(root: string, opts: StaticServerOptions = {}): Promise<StaticServer> {
  const base = realpathSync(resolve(root));
  const requests: string[] = [];
  const delayMs = opts.delayMs ?? 0;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const file = requestedFile(base, req.url ?? '/');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0 }).end();
      return;
    }
    let size: number;
    try {
      if (file === null) throw new Error('outside root');
      const st = statSync(file.path);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': 10 }).end(req.method === 'HEAD' ? undefined : 'Not found\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file.path);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };

  // Delayed answers not sent yet: stop() drops them, so no timer outlives the server.
  const pending = new Set<NodeJS.Timeout>();
  const server = createServer({ keepAliveTimeout: 2000 }, (req, res) => {
    requests.push(requestedFile(base, req.url ?? '/')?.urlPath ?? req.url ?? '');
    if (delayMs <= 0) return handle(req, res);
    const timer = setTimeout(() => {
      pending.delete(timer);
      handle(req, res);
    }, delayMs);
    pending.add(timer);
  });

  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: opts.port ?? 0, backlog: 1024 }, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      resolvePromise({
        url: `http://127.0.0.1:${port}`,
        port,
        requests,
        stop: () =>
          new Promise<void>((done) => {
            for (const t of pending) clearTimeout(t);
            pending.clear();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** Maps a request URL to a path under `base`, or null when it would leave it. */
function requestedFile(base: string, url: string): { path: string; urlPath: string } | null {
  let urlPath: string;
  try {
    urlPath = decodeURIComponent(new URL(url, 'http://localhost').pathname);
  } catch {
    return null;
  }
  if (urlPath.includes('\0') || urlPath.split('/').includes('..')) return null;
  const path = resolve(base, '.' + urlPath);
  if (path !== base && !path.startsWith(base + sep)) return null;
  try {
    // A symlink inside the root must not lead outside it.
    const real = realpathSync(path);
    if (real !== base && !real.startsWith(base + sep)) return null;
  } catch {
    // Missing: the stat in the handler answers 404.
  }
  return { path, urlPath };
}

/** What {@link buildRemoteSysroot} made. */
export interface RemoteSysroot {
  /** The directory everything lives in (remove it with removeSysroot after stop()). */
  dir: string;
  /** The client sysroot, `<dir>/sysroot`. */
  sysroot: string;
  /** The client sysroot's repo, `<sysroot>/ostree/repo`. */
  repo: string;
  osname: string;
  /** Remote name in the client repo: `origin`. */
  remote: string;
  /** Branch on the server: `debian/bookworm/x86_64`. */
  ref: string;
  /** What the deployments follow: `origin:debian/bookworm/x86_64`. */
  refspec: string;
  /** The server's archive-mode repo, `<dir>/server/repo`. */
  serverRepo: string;
  server: StaticServer;
  /** The two initial commits (v1: version 12.1, v2: version 12.2). */
  commits: { v1: string; v2: string };
  /** Commit timestamps, seconds since the epoch. */
  timestamps: { v1: number; v2: number };
  /** Kernel arguments the first deployment was made with (later ones inherit them). */
  kernelArgs: string[];
  /** Whether its trees have a working /bin/sh. */
  shell: boolean;
  /** The trees' dpkg database (base-files versioned per commit) and extra files, as the options gave them. */
  base: { packages: DpkgPackage[]; files: Record<string, string> };
  /** Stops the server (the files stay; see {@link destroy}). */
  stop(): Promise<void>;
  /** Stops the server and removes `dir` (deployments are immutable: removeSysroot). */
  destroy(): Promise<void>;
}

/** Options of {@link buildRemoteSysroot}. */
interface RemoteSysrootOptions {
  /** Stateroot name (default `debian`). */
  osname?: string;
  /** Passed to {@link startStaticServer}. */
  delayMs?: number;
  /** Trees with a working /bin/sh (maintainer scripts can run: package layering). */
  shell?: boolean;
  /** The trees' dpkg database (base-files at `12.4+<version>` in each); default: the synthetic base packages. */
  basePackages?: DpkgPackage[];
  /** Extra files in every tree: path relative to the root → content. */
  baseFiles?: Record<string, string>;
}

/** Options of {@link addServerCommit}. */
interface ServerCommitOptions {
  /** Metadata `version`. */
  version: string;
  /** Extra files in the tree: path relative to the root → content. */
  files?: Record<string, string>;
  /** Commit timestamp (seconds); default: one day after the branch's current tip. */
  timestamp?: number;
  /** Commit subject; default `Debian <version>`. */
  subject?: string;
  /** The tree's dpkg database; default: the base packages with base-files at `12.4+<version>`. */
  dpkgPackages?: DpkgPackage[];
}

const REF = 'debian/bookworm/x86_64';
const REMOTE = 'origin';
const KERNEL_VERSION = '6.1.0-13-amd64';
const KERNEL_ARGS = ['root=UUID=5678', 'rw', 'quiet'];

const OS_RELEASE = BOOKWORM_OS_RELEASE;
const PACKAGES = BASE_PACKAGES;

/** Path (in every fixture commit) of a file holding the commit's version. */
export const FIXTURE_VERSION_FILE = 'usr/lib/apt-ostree-fixture/version';

/**
 * Runs a command without blocking the event loop: anything that talks to the fixture's own
 * server (`ostree pull`) must, or the server in this process never answers.
 */
function runAsync(cmd: string, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile(cmd, args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) fail(new Error(`${cmd} ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
      else done(stdout.trim());
    });
  });
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** Commits a fresh tree for `version` to the server branch and updates the summary. */
function commitOnServer(
  serverRepo: string,
  work: string,
  opts: ServerCommitOptions & { timestamp: number; shell?: boolean; base?: RemoteSysroot['base'] },
): string {
  const tree = mkdtempSync(join(work, 'tree-'));
  try {
    buildTree(tree, {
      kernelVersion: KERNEL_VERSION,
      osRelease: OS_RELEASE,
      dpkgPackages:
        opts.dpkgPackages ?? (opts.base?.packages ?? PACKAGES).map((p) => (p.name === 'base-files' ? { ...p, version: `12.4+${opts.version}` } : p)),
      files: { ...opts.base?.files, [FIXTURE_VERSION_FILE]: `${opts.version}\n`, ...(opts.files ?? {}) },
      shell: opts.shell,
    });
    // The mount point of the physical root in a booted deployment and the /ostree link to it,
    // as in real OSTree trees (deployment roots are immutable: a sandbox that boots one cannot
    // create them).
    mkdirSync(join(tree, 'sysroot'));
    symlinkSync('sysroot/ostree', join(tree, 'ostree'));
    // Debian amd64's merged-/usr link for the ELF interpreter (/lib64/ld-linux-x86-64.so.2).
    symlinkSync('usr/lib64', join(tree, 'lib64'));
    const csum = commitTree(serverRepo, REF, tree, {
      subject: opts.subject ?? `Debian ${opts.version}`,
      version: opts.version,
      timestamp: opts.timestamp,
    });
    run('ostree', ['summary', `--repo=${serverRepo}`, '--update']);
    return csum;
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

/**
 * Builds `<dir>/server/repo` (archive mode, branch `debian/bookworm/x86_64` with v1 = 12.1
 * and v2 = 12.2), serves it, and makes `<dir>/sysroot` with remote `origin` → the server, where
 * `origin:debian/bookworm/x86_64` was pulled and deployed at v1 (kernel arguments
 * `root=UUID=5678 rw quiet`), then at v2: deployments are [v2 (default), v1 (rollback)].
 */
export async function buildRemoteSysroot(dir: string, opts: RemoteSysrootOptions = {}): Promise<RemoteSysroot> {
  const osname = opts.osname ?? 'debian';
  const root = resolve(dir);
  const serverRepo = join(root, 'server', 'repo');
  const work = join(root, 'work');
  mkdirSync(serverRepo, { recursive: true });
  mkdirSync(work, { recursive: true });
  run('ostree', ['init', `--repo=${serverRepo}`, '--mode=archive']);
  const timestamps = { v1: 1_700_000_000, v2: 1_700_086_400 };
  const shell = opts.shell === true;
  const base = { packages: opts.basePackages ?? PACKAGES, files: opts.baseFiles ?? {} };
  const v1 = commitOnServer(serverRepo, work, { version: '12.1', timestamp: timestamps.v1, shell, base });

  const server = await startStaticServer(serverRepo, { delayMs: opts.delayMs });
  try {
    const { sysroot, repo } = createSysroot(join(root, 'sysroot'), osname);
    run('ostree', ['remote', 'add', `--repo=${repo}`, '--no-gpg-verify', REMOTE, server.url]);
    const refspec = `${REMOTE}:${REF}`;
    await runAsync('ostree', ['pull', `--repo=${repo}`, REMOTE, REF]);
    deploy(sysroot, osname, refspec, { kernelArgs: KERNEL_ARGS });

    const v2 = commitOnServer(serverRepo, work, { version: '12.2', timestamp: timestamps.v2, shell, base });
    await runAsync('ostree', ['pull', `--repo=${repo}`, REMOTE, REF]);
    // --retain: v1 stays as the rollback however libostree's defaults evolve.
    deploy(sysroot, osname, refspec, { retain: true });

    return {
      dir: root,
      sysroot,
      repo,
      osname,
      remote: REMOTE,
      ref: REF,
      refspec,
      serverRepo,
      server,
      commits: { v1, v2 },
      timestamps,
      kernelArgs: [...KERNEL_ARGS],
      shell,
      base,
      stop: () => server.stop(),
      async destroy() {
        await server.stop();
        removeSysroot(root);
      },
    };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/**
 * Makes a new commit on the server branch of `remote` (a fresh tree whose
 * {@link FIXTURE_VERSION_FILE} holds `version`, plus `files`), updates the summary, and
 * returns its checksum: "an update" for the client sysroot.
 */
export function addServerCommit(remote: RemoteSysroot, opts: ServerCommitOptions): string {
  const tipTimestamp = commitTimestamp(remote.serverRepo, remote.ref);
  const timestamp = opts.timestamp ?? tipTimestamp + 86_400;
  mkdirSync(join(remote.dir, 'work'), { recursive: true });
  return commitOnServer(remote.serverRepo, join(remote.dir, 'work'), { ...opts, timestamp, shell: remote.shell, base: remote.base });
}

/** Timestamp (seconds) of the commit `rev` resolves to, from `ostree show`'s `Date:` line (UTC). */
function commitTimestamp(repo: string, rev: string): number {
  const out = run('ostree', ['show', `--repo=${repo}`, rev]);
  const m = /^Date:\s+(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) \+0000$/m.exec(out);
  if (m === null) throw new Error(`cannot read the timestamp of ${rev} in ${repo}`);
  return Date.parse(`${m[1]}T${m[2]}Z`) / 1000;
}
