/**
 * Layering 10 real Debian packages onto a debootstrap tree: `apt-ostree install` (CLI → daemon →
 * worker) beside the same pipeline by hand in the same run — hardlinked checkout with copies of
 * what dpkg writes, apt, dpkg in bubblewrap, commit, deploy — on fresh identical sysroots each
 * round (five rounds, the median counts), with the APT lists and .debs already in the cache for both (the network is not what is
 * measured). The floor is what no layering can avoid: `ostree commit` of the packages' files
 * onto the base and `ostree admin deploy`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchTools } from './bench-tools.js';
import { groupResidentMb, peakMemorySampler, rssMb } from './process-stats.js';
import { debootstrapTree } from '../src/demo/debootstrap-tree.js';
import { commitTree, createSysroot, deploy, removeSysroot } from '../src/demo/sysroot-builder.js';

const execFileAsync = promisify(execFile);
const run = (cmd: string, args: string[], env?: NodeJS.ProcessEnv) =>
  execFileAsync(cmd, args, { maxBuffer: 64 * 1024 * 1024, env: env === undefined ? process.env : { ...process.env, ...env } });

/** jq, less, file and bc pull in 6 more: 10 packages. */
export const BENCH_PACKAGES = ['jq', 'less', 'file', 'bc'];
const REF = 'debian/bookworm/x86_64';
const OS = 'debian';
/** Rounds on fresh sysroots; the median counts (layering times move by ±20 % between rounds here). */
const ROUNDS = 5;

interface Fixture {
  sysroot: string;
  repo: string;
  base: string;
}

function fixture(dir: string, tree: string): Fixture {
  const { sysroot, repo } = createSysroot(dir, OS);
  const base = commitTree(repo, REF, tree, { subject: 'Debian 12 minbase', version: '12', timestamp: 1_700_000_000 });
  deploy(sysroot, OS, REF, { kernelArgs: ['root=UUID=1234', 'rw'] });
  return { sysroot, repo, base };
}

/** The deployed /etc/apt of the fixture's only deployment. */
function etcApt(f: Fixture): string {
  const deployDir = join(f.sysroot, 'ostree/deploy', OS, 'deploy');
  const d = readdirSync(deployDir).find((e) => /\.\d+$/.test(e));
  if (d === undefined) throw new Error('no deployment');
  return join(deployDir, d, 'etc/apt');
}

/** An APT_CONFIG for the by-hand pipeline, sharing the daemon's cached lists and .debs. */
function handAptConfig(file: string, etc: string, status: string, cacheDir: string): void {
  const apt = join(cacheDir, 'apt');
  const lines = [
    'Dir "/";',
    `Dir::Etc "${etc}";`,
    `Dir::State "${join(apt, 'state')}";`,
    `Dir::State::status "${status}";`,
    `Dir::State::Lists "${join(apt, 'lists')}";`,
    `Dir::Cache "${apt}";`,
    `Dir::Cache::Archives "${join(apt, 'archives')}";`,
    `Dir::Cache::srcpkgcache "${join(apt, 'srcpkgcache.bin')}";`,
    `Dir::Cache::pkgcache "";`,
    'Debug::NoLocking "true";',
    'APT::Sandbox::User "root";',
    'APT::Install-Recommends "false";',
  ];
  writeFileSync(file, lines.join('\n') + '\n');
}

/** The pipeline by hand, as a careful admin would script it with the same tools. */
async function layerByHand(f: Fixture, work: string, cacheDir: string): Promise<void> {
  mkdirSync(work, { recursive: true });
  const co = join(work, 'checkout');
  const repo = `--repo=${f.repo}`;
  await run('ostree', ['checkout', repo, '-H', f.base, co]);
  // What dpkg writes must not be hardlinks into the repo: copies (-C; a plain `ostree
  // checkout` hardlinks whenever it can, and dpkg writing into those files corrupts the repo).
  rmSync(join(co, 'usr/etc'), { recursive: true });
  rmSync(join(co, 'usr/share/dpkg/database'), { recursive: true });
  await Promise.all([
    run('ostree', ['checkout', repo, '-C', '--subpath=/usr/etc', f.base, join(co, 'etc')]),
    run('ostree', ['checkout', repo, '-C', '--subpath=/usr/share/dpkg/database', f.base, join(co, 'usr/share/dpkg/database')]),
  ]);
  rmSync(join(co, 'var'), { recursive: true });
  await run('ostree', ['checkout', repo, '-C', '--subpath=/usr/share/factory/var', f.base, join(co, 'var')]);
  const conf = join(work, 'apt.conf');
  handAptConfig(conf, etcApt(f), join(co, 'usr/share/dpkg/database/status'), cacheDir);
  const sim = await run('apt-get', ['-s', '-q', 'install', '--', ...BENCH_PACKAGES], { APT_CONFIG: conf });
  const debs = [...sim.stdout.matchAll(/^Inst (\S+) \((\S+) .*\[(\S+)\]\)$/gm)].map((m) =>
    join(cacheDir, 'apt/archives', `${m[1]}_${m[2].replace(/:/g, '%3a')}_${m[3]}.deb`),
  );
  writeFileSync(join(co, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  await run('bwrap', [
    ...['--ro-bind', '/', '/', '--bind', co, co, '--dev', join(co, 'dev'), '--proc', join(co, 'proc')],
    ...['--tmpfs', join(co, 'tmp'), '--tmpfs', join(co, 'run'), '--unshare-net', '--unshare-pid', '--die-with-parent'],
    ...['dpkg', `--root=${co}`, `--admindir=${join(co, 'usr/share/dpkg/database')}`, '--force-confdef', '--force-confold', '--install', ...debs],
  ]);
  rmSync(join(co, 'usr/sbin/policy-rc.d'));
  renameSync(join(co, 'etc'), join(co, 'usr/etc'));
  rmSync(join(co, 'var'), { recursive: true });
  mkdirSync(join(co, 'var'));
  const commit = await run('ostree', ['commit', repo, `--tree=dir=${co}`, `--parent=${f.base}`, '--orphan', '--link-checkout-speedup', '--subject=by hand']);
  await run('ostree', ['admin', 'deploy', `--sysroot=${f.sysroot}`, `--os=${OS}`, commit.stdout.trim()]);
  rmSync(work, { recursive: true, force: true });
}

/** The floor: the packages' files (extracted beforehand) committed onto the base, and deployed. */
async function floor(f: Fixture, extracted: string): Promise<void> {
  const commit = await run('ostree', [
    'commit',
    `--repo=${f.repo}`,
    `--tree=ref=${f.base}`,
    `--tree=dir=${extracted}`,
    `--parent=${f.base}`,
    '--orphan',
    '--subject=floor',
  ]);
  await run('ostree', ['admin', 'deploy', `--sysroot=${f.sysroot}`, `--os=${OS}`, commit.stdout.trim()]);
}

/** A running daemon on `f` with `cacheDir`. */
async function startDaemon(t: BenchTools, f: Fixture, dir: string, cacheDir: string): Promise<{ sock: string; child: ChildProcess }> {
  mkdirSync(dir, { recursive: true });
  const sock = join(dir, 'daemon.sock');
  const child = spawn(
    process.execPath,
    [t.daemonBin, '--sysroot', f.sysroot, '--socket', sock, '--config', '/dev/null', '--state-dir', join(dir, 'state'), '--cache-dir', cacheDir],
    {
      stdio: 'ignore',
    },
  );
  await t.waitForSocket(sock);
  return { sock, child };
}

/** Two bare node processes serving a socket, idle: the VmRSS of one, and both as a group. */
async function bareNodeMemory(t: BenchTools, dir: string): Promise<{ rss: number; group: number }> {
  const socks = [join(dir, 'bare-1.sock'), join(dir, 'bare-2.sock')];
  const children = socks.map((sock) => spawn(process.execPath, [t.echoBin, sock], { stdio: 'ignore' }));
  try {
    for (const sock of socks) await t.waitForSocket(sock);
    await new Promise((r) => setTimeout(r, 1000));
    return { rss: rssMb(children[0].pid as number), group: groupResidentMb(children.map((c) => c.pid as number)) };
  } finally {
    await Promise.all(children.map((c) => t.stop(c)));
  }
}

export async function layeringFigures(dir: string, t: BenchTools): Promise<void> {
  const tree = debootstrapTree();
  const cacheDir = join(dir, 'layer-cache');
  const cli = (sock: string) => run(process.execPath, [t.cliBin, '--socket', sock, 'install', ...BENCH_PACKAGES]);

  // Warm-up: the daemon fetches the lists and the .debs into the shared cache; then the
  // packages' files are extracted once for the floor.
  const warm = fixture(join(dir, 'layer-warm'), tree);
  const extracted = join(dir, 'layer-extracted');
  try {
    const d = await startDaemon(t, warm, join(dir, 'layer-warm-daemon'), cacheDir);
    try {
      await cli(d.sock);
    } finally {
      await t.stop(d.child);
    }
    mkdirSync(extracted);
    for (const deb of readdirSync(join(cacheDir, 'apt/archives')).filter((e) => e.endsWith('.deb'))) {
      await run('dpkg-deb', ['-x', join(cacheDir, 'apt/archives', deb), extracted]);
    }
    // Into the tree's layout: /lib, /bin, /sbin are symlinks into /usr there, /etc is usr/etc.
    for (const [from, to] of [
      ['lib', 'usr/lib'],
      ['bin', 'usr/bin'],
      ['sbin', 'usr/sbin'],
      ['etc', 'usr/etc'],
    ]) {
      if (!existsSync(join(extracted, from))) continue;
      mkdirSync(join(extracted, to), { recursive: true });
      await run('cp', ['-a', '--', `${join(extracted, from)}/.`, join(extracted, to)]);
      rmSync(join(extracted, from), { recursive: true });
    }
  } finally {
    removeSysroot(join(dir, 'layer-warm'));
  }

  const packages = readdirSync(join(cacheDir, 'apt/archives')).filter((e) => e.endsWith('.deb')).length;
  const times: number[][] = [[], [], []];
  const peaks: { rssSum: number; group: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const dirs = [0, 1, 2].map((k) => join(dir, `layer-${round}-${k}`));
    const [viaCli, byHand, atFloor] = dirs.map((d) => fixture(d, tree));
    const daemonDir = join(dir, `layer-${round}-daemon`);
    const d = await startDaemon(t, viaCli, daemonDir, cacheDir);
    try {
      for (const k of t.shuffled(3)) {
        if (k === 0) {
          const sampler = peakMemorySampler(d.child.pid as number);
          times[0].push(await t.timed(() => cli(d.sock)));
          peaks.push(sampler.stop());
        }
        if (k === 1) times[1].push(await t.timed(() => layerByHand(byHand, join(byHand.repo, 'tmp', 'by-hand'), cacheDir)));
        if (k === 2) times[2].push(await t.timed(() => floor(atFloor, extracted)));
      }
    } finally {
      await t.stop(d.child);
      for (const x of dirs) removeSysroot(x);
      rmSync(daemonDir, { recursive: true, force: true });
    }
  }
  const [cliMs, handMs, floorMs] = times.map(t.median);
  t.add(`apt-ostree install of ${packages} Debian packages (CLI) vs the same pipeline by hand`, cliMs, handMs, 'ms', 1.2);
  t.add(`apt-ostree install of ${packages} Debian packages (CLI) vs the floor (commit of their files + deploy)`, cliMs, floorMs, 'ms', null);
  t.addWithLimit('seconds per Debian package layered (CLI) vs by hand', cliMs / 1000 / packages, handMs / 1000 / packages, 's', 5);
  const bare = await bareNodeMemory(t, dir);
  t.addWithLimit(
    'peak memory of the daemon + worker processes during a layering (not apt/dpkg/ostree), shared pages once, vs 2 bare node',
    Math.max(...peaks.map((p) => p.group)),
    bare.group,
    'MB',
    100,
  );
  t.add(
    'peak VmRSS of the daemon + worker processes summed (shared pages twice) vs 2 bare node processes',
    Math.max(...peaks.map((p) => p.rssSum)),
    2 * bare.rss,
    'MB',
    null,
  );
  rmSync(extracted, { recursive: true, force: true });
}
