/**
 * Builds synthetic Debian-like OSTree sysroots for tests and the demo, in about a
 * second and without network. Fixture code: it drives the `ostree` CLI (argv arrays
 * only), unlike the daemon's read path which goes through libostree.
 *
 * Over 300 lines: the tree, commit and deploy steps of one builder, and the standard sysroots
 * the tests share, which compose those steps.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** One package in a tree's dpkg database. */
export interface DpkgPackage {
  name: string;
  version: string;
  arch: string;
  description?: string;
  /** The `Depends:` field. */
  depends?: string;
}

/** What {@link buildTree} puts in a tree. */
interface TreeOptions {
  /** Directory name under usr/lib/modules. */
  kernelVersion: string;
  /** usr/lib/os-release fields, e.g. `{ID: 'debian', VERSION_ID: '12'}`. */
  osRelease: Record<string, string>;
  /** Extra files: path relative to the tree root → content. */
  files?: Record<string, string>;
  /** Packages listed as installed in usr/share/dpkg/database/status. */
  dpkgPackages?: DpkgPackage[];
  /** usr/etc/hostname content (default `debian`). */
  hostname?: string;
  /**
   * A working /bin/sh (the host's dash with its C library and loader), so that maintainer
   * scripts run when packages are layered onto the tree.
   */
  shell?: boolean;
}

/** Options of {@link commitTree}. */
interface CommitOptions {
  subject?: string;
  /** Metadata `version` (a string). */
  version?: string;
  /** Parent commit checksum; default: the ref's current commit, as `ostree commit -b` does. */
  parent?: string;
  /** Commit timestamp, seconds since the epoch. */
  timestamp?: number;
  /** String metadata: key → value. */
  metadataStrings?: Record<string, string>;
  /** Typed metadata: key → GVariant text, e.g. `"['a','b']"` or `"true"`. */
  metadataVariants?: Record<string, string>;
}

/** Options of {@link deploy}. */
interface DeployOptions {
  /** Each becomes `--karg=ARG` (replaces an inherited argument of the same name). */
  kernelArgs?: string[];
  /** Path of an origin file to use instead of one derived from the refspec. */
  originFile?: string;
  /** `--retain`: keep every previous deployment. */
  retain?: boolean;
  /** `--not-as-default`: append instead of prepend. */
  notAsDefault?: boolean;
  /** `--no-prune`: keep unreferenced commits in the repo. */
  noPrune?: boolean;
}

/** Runs a command (argv array), returns trimmed stdout; throws with stderr on failure. */
function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr.trim()}`);
  }
  return r.stdout.trim();
}

function writeFile(root: string, rel: string, content: string | Buffer): void {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, content);
}

function osReleaseText(fields: Record<string, string>): string {
  const quote = (v: string): string => `"${v.replace(/(["\\$`])/g, '\\$1')}"`;
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${quote(v)}\n`)
    .join('');
}

/** A dpkg status file listing `pkgs` as installed (real dpkg stanza format). */
function dpkgStatusText(pkgs: DpkgPackage[]): string {
  return pkgs
    .map(
      (p) =>
        [
          `Package: ${p.name}`,
          'Status: install ok installed',
          'Priority: optional',
          'Section: misc',
          'Installed-Size: 1',
          'Maintainer: apt-ostree demo <demo@example.invalid>',
          `Architecture: ${p.arch}`,
          `Version: ${p.version}`,
          ...(p.depends !== undefined ? [`Depends: ${p.depends}`] : []),
          `Description: ${p.description ?? `${p.name} (synthetic package)`}`,
        ].join('\n') + '\n',
    )
    .join('\n');
}

/**
 * Writes a deployable Debian-like tree into `dir` (created if missing): /etc at
 * usr/etc, kernel and initramfs (dummy bytes) in usr/lib/modules/KVER, the dpkg
 * database in usr/share/dpkg/database, and the pristine /var in usr/share/factory/var
 * (a commit's own var/ is ignored by ostree 2022.7, so it stays empty).
 */
export function buildTree(dir: string, opts: TreeOptions): void {
  mkdirSync(dir, { recursive: true });
  for (const d of ['var', 'dev', 'proc', 'sys', 'run', 'tmp', 'boot', 'usr/sbin', 'usr/lib/tmpfiles.d']) {
    mkdirSync(join(dir, d), { recursive: true });
  }
  // Merged /usr, as Debian 12 ships it.
  for (const l of ['bin', 'sbin', 'lib']) symlinkSync(`usr/${l}`, join(dir, l));

  writeFile(dir, 'usr/lib/os-release', osReleaseText(opts.osRelease));
  mkdirSync(join(dir, 'usr/etc/apt/sources.list.d'), { recursive: true });
  symlinkSync('../lib/os-release', join(dir, 'usr/etc/os-release'));
  writeFile(dir, 'usr/etc/hostname', `${opts.hostname ?? 'debian'}\n`);
  writeFile(dir, 'usr/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n');
  writeFile(dir, 'usr/etc/group', 'root:x:0:\n');
  writeFile(dir, 'usr/etc/apt/sources.list', '# placeholder: apt-ostree sources are configured per deployment\n');

  const kdir = `usr/lib/modules/${opts.kernelVersion}`;
  writeFile(dir, `${kdir}/vmlinuz`, Buffer.from(`synthetic kernel ${opts.kernelVersion}\n`));
  writeFile(dir, `${kdir}/initramfs.img`, Buffer.from(`synthetic initramfs ${opts.kernelVersion}\n`));

  const db = 'usr/share/dpkg/database';
  writeFile(dir, `${db}/status`, dpkgStatusText(opts.dpkgPackages ?? []));
  for (const f of ['available', 'diversions', 'statoverride']) writeFile(dir, `${db}/${f}`, '');
  for (const d of ['info', 'updates', 'triggers']) mkdirSync(join(dir, db, d), { recursive: true });
  // The factory /var's dpkg link resolves once copied to /var/lib/dpkg, not in place.
  mkdirSync(join(dir, 'usr/share/factory/var/lib'), { recursive: true });
  symlinkSync('../../usr/share/dpkg/database', join(dir, 'usr/share/factory/var/lib/dpkg'));
  writeFile(dir, 'usr/lib/tmpfiles.d/apt-ostree-dpkg.conf', 'L /var/lib/dpkg - - - - ../../usr/share/dpkg/database\n');

  writeFile(dir, 'usr/bin/true', '#!/bin/sh\nexit 0\n');
  if (opts.shell === true) addShell(dir);
  for (const [rel, content] of Object.entries(opts.files ?? {})) writeFile(dir, rel, content);
}

/** The host's dash as usr/bin/sh and its sleep, with libc and the ELF loader (merged-/usr paths). */
function addShell(dir: string): void {
  for (const [from, to] of [
    ['/usr/bin/dash', 'usr/bin/sh'],
    ['/usr/bin/sleep', 'usr/bin/sleep'],
    ['/lib/x86_64-linux-gnu/libc.so.6', 'usr/lib/x86_64-linux-gnu/libc.so.6'],
    ['/lib64/ld-linux-x86-64.so.2', 'usr/lib64/ld-linux-x86-64.so.2'],
  ]) {
    mkdirSync(dirname(join(dir, to)), { recursive: true });
    copyFileSync(from, join(dir, to));
    chmodSync(join(dir, to), 0o755);
  }
}

/**
 * Creates an empty sysroot with one stateroot: `ostree admin init-fs`, `os-init`, and
 * `sysroot.bootloader none` so deploys write BLS entries only.
 */
export function createSysroot(dir: string, osname: string): { sysroot: string; repo: string } {
  const sysroot = resolve(dir);
  const repo = join(sysroot, 'ostree/repo');
  mkdirSync(sysroot, { recursive: true });
  run('ostree', ['admin', 'init-fs', sysroot]);
  osInit(sysroot, osname);
  run('ostree', ['config', `--repo=${repo}`, 'set', 'sysroot.bootloader', 'none']);
  return { sysroot, repo };
}

/** Adds stateroot `osname` to an existing sysroot (`ostree admin os-init`). */
export function osInit(sysroot: string, osname: string): void {
  run('ostree', ['admin', 'os-init', `--sysroot=${sysroot}`, osname]);
}

/** Commits `treeDir` to branch `ref` of `repo` (`ostree commit -b`); returns the checksum. */
export function commitTree(repo: string, ref: string, treeDir: string, opts: CommitOptions = {}): string {
  const args = ['commit', `--repo=${repo}`, `--branch=${ref}`, `--tree=dir=${treeDir}`];
  if (opts.subject !== undefined) args.push(`--subject=${opts.subject}`);
  if (opts.parent !== undefined) args.push(`--parent=${opts.parent}`);
  if (opts.timestamp !== undefined) args.push(`--timestamp=@${Math.trunc(opts.timestamp)}`);
  if (opts.version !== undefined) args.push(`--add-metadata-string=version=${opts.version}`);
  for (const [k, v] of Object.entries(opts.metadataStrings ?? {})) args.push(`--add-metadata-string=${k}=${v}`);
  for (const [k, v] of Object.entries(opts.metadataVariants ?? {})) args.push(`--add-metadata=${k}=${v}`);
  return run('ostree', args);
}

/** Points `ref` at `checksum` (`ostree refs --create`, replacing an existing ref). */
export function setRef(repo: string, ref: string, checksum: string): void {
  run('ostree', ['refs', `--repo=${repo}`, '--force', `--create=${ref}`, checksum]);
}

/** `ostree admin deploy` of `refspec` into stateroot `osname`. */
export function deploy(sysroot: string, osname: string, refspec: string, opts: DeployOptions = {}): void {
  const args = ['admin', 'deploy', `--sysroot=${sysroot}`, `--os=${osname}`];
  for (const k of opts.kernelArgs ?? []) args.push(`--karg=${k}`);
  if (opts.originFile !== undefined) args.push(`--origin-file=${opts.originFile}`);
  if (opts.retain) args.push('--retain');
  if (opts.notAsDefault) args.push('--not-as-default');
  if (opts.noPrune) args.push('--no-prune');
  args.push(refspec);
  run('ostree', args);
}

/** `ostree admin pin INDEX` (or `--unpin`). */
export function pin(sysroot: string, index: number, unpin = false): void {
  run('ostree', ['admin', 'pin', `--sysroot=${sysroot}`, ...(unpin ? ['--unpin'] : []), String(index)]);
}

/** `ostree admin undeploy INDEX`. */
export function undeploy(sysroot: string, index: number): void {
  run('ostree', ['admin', 'undeploy', `--sysroot=${sysroot}`, String(index)]);
}

/**
 * Deployment roots (`ostree/deploy/OS/deploy/CSUM.SERIAL`) in `dir` or in sysroots
 * nested up to `depth` directories below it.
 */
function findDeploymentRoots(dir: string, depth: number): string[] {
  const stateroots = join(dir, 'ostree/deploy');
  if (existsSync(stateroots)) {
    const roots: string[] = [];
    for (const os of readdirSync(stateroots)) {
      const deployDir = join(stateroots, os, 'deploy');
      if (!existsSync(deployDir)) continue;
      for (const e of readdirSync(deployDir, { withFileTypes: true })) {
        if (e.isDirectory() && /\.[0-9]+$/.test(e.name)) roots.push(join(deployDir, e.name));
      }
    }
    return roots;
  }
  if (depth === 0) return [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isDirectory()).flatMap((e) => findDeploymentRoots(join(dir, e.name), depth - 1));
}

/**
 * Removes a sysroot (or a directory holding sysroots up to 3 levels down): deployment
 * roots are `chattr +i`, so they are made mutable first. Missing `dir` is fine.
 */
export function removeSysroot(dir: string): void {
  if (!existsSync(dir)) return;
  const roots = findDeploymentRoots(dir, 3);
  if (roots.length > 0) {
    // Failure here (e.g. a filesystem without attributes) surfaces as rmSync's error.
    spawnSync('chattr', ['-i', ...roots], { stdio: 'ignore' });
  }
  rmSync(dir, { recursive: true, force: true });
}

/** What {@link buildStandardSysroot} made. */
export interface StandardSysroot {
  sysroot: string;
  repo: string;
  osname: string;
  /** The base ref, `debian/bookworm/x86_64`. */
  refspec: string;
  /** Local ref of the layered commit. */
  layeredRef: string;
  /** Ref keeping the layered deployment's base alive. */
  baseRef: string;
  commits: { v1: string; v2: string; layered: string };
  /** Commit timestamps (seconds). */
  timestamps: { v1: number; v2: number; layered: number };
}

/** os-release fields of the synthetic Debian 12 trees. */
export const BOOKWORM_OS_RELEASE: Record<string, string> = {
  PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)',
  NAME: 'Debian GNU/Linux',
  VERSION_ID: '12',
  VERSION: '12 (bookworm)',
  VERSION_CODENAME: 'bookworm',
  ID: 'debian',
};

/** The dpkg database of the synthetic base trees. */
export const BASE_PACKAGES: DpkgPackage[] = [
  { name: 'base-files', version: '12.4', arch: 'amd64' },
  { name: 'bash', version: '5.2.15-2+b2', arch: 'amd64' },
  { name: 'dpkg', version: '1.21.22', arch: 'amd64' },
  { name: 'libc6', version: '2.36-9', arch: 'amd64' },
];

/**
 * A sysroot with three deployments of stateroot `osname` (default `debian`), in
 * libostree order:
 *  0. a layered commit (parent v2; hello and jq; origin `baserefspec=` + `[packages]`),
 *  1. v2 (version 12.2),
 *  2. v1 (version 12.1), pinned.
 * The first deploy sets kernel arguments `root=UUID=1234 rw quiet`; later deploys inherit
 * them. The sysroot is `dir` itself; build trees are made under the repo's tmp/ and removed.
 */
export function buildStandardSysroot(dir: string, opts: { osname?: string } = {}): StandardSysroot {
  const osname = opts.osname ?? 'debian';
  const refspec = 'debian/bookworm/x86_64';
  const layeredRef = 'aptostree/layered/1';
  const baseRef = 'aptostree/base/0';
  const { sysroot, repo } = createSysroot(dir, osname);
  const work = mkdtempSync(join(repo, 'tmp', 'sysroot-builder-'));
  const timestamps = { v1: 1_700_000_000, v2: 1_700_086_400, layered: 1_700_090_000 };
  try {
    const tree1 = join(work, 'v1');
    buildTree(tree1, { kernelVersion: '6.1.0-13-amd64', osRelease: BOOKWORM_OS_RELEASE, dpkgPackages: BASE_PACKAGES });
    const v1 = commitTree(repo, refspec, tree1, { subject: 'Debian 12.1', version: '12.1', timestamp: timestamps.v1 });
    deploy(sysroot, osname, refspec, { kernelArgs: ['root=UUID=1234', 'rw', 'quiet'] });

    const v2Packages = BASE_PACKAGES.map((p) => (p.name === 'base-files' ? { ...p, version: '12.4+deb12u1' } : p));
    const v2Files = { 'usr/share/doc/base-files/point-release': '12.2\n' };
    const tree2 = join(work, 'v2');
    buildTree(tree2, {
      kernelVersion: '6.1.0-13-amd64',
      osRelease: BOOKWORM_OS_RELEASE,
      dpkgPackages: v2Packages,
      files: v2Files,
    });
    const v2 = commitTree(repo, refspec, tree2, { subject: 'Debian 12.2', version: '12.2', timestamp: timestamps.v2 });
    deploy(sysroot, osname, refspec);
    // Index 1 is v1 now; pinning follows the deployment when later deploys shift indexes.
    pin(sysroot, 1);

    const layeredPackages: DpkgPackage[] = [
      { name: 'hello', version: '2.10-3', arch: 'amd64' },
      { name: 'jq', version: '1.6-2.1', arch: 'amd64' },
    ];
    const tree3 = join(work, 'layered');
    buildTree(tree3, {
      kernelVersion: '6.1.0-13-amd64',
      osRelease: BOOKWORM_OS_RELEASE,
      dpkgPackages: [...v2Packages, ...layeredPackages].sort((a, b) => a.name.localeCompare(b.name)),
      files: {
        ...v2Files,
        'usr/bin/hello': '#!/bin/sh\necho "Hello, world!"\n',
        'usr/bin/jq': '#!/bin/sh\ncat\n',
      },
    });
    setRef(repo, baseRef, v2);
    const layered = commitTree(repo, layeredRef, tree3, {
      subject: 'apt-ostree layer: hello jq',
      version: '12.2',
      parent: v2,
      timestamp: timestamps.layered,
      metadataStrings: { 'aptostree.base-commit': v2 },
      metadataVariants: {
        'aptostree.clientlayer': 'true',
        'aptostree.requested-packages': "['hello', 'jq']",
        'aptostree.packages': `[${layeredPackages.map((p) => `'${p.name}=${p.version}:${p.arch}'`).join(', ')}]`,
      },
    });
    const originFile = join(work, 'layered.origin');
    writeFileSync(originFile, `[origin]\nbaserefspec=${refspec}\n\n[packages]\nrequested=hello;jq;\n`);
    // Unbooted, libostree keeps the previous default (v2) anyway; --retain states it.
    deploy(sysroot, osname, layeredRef, { originFile, retain: true });
    return { sysroot, repo, osname, refspec, layeredRef, baseRef, commits: { v1, v2, layered }, timestamps };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
