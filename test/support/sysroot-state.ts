/**
 * What a crash may leave in a sysroot, seen with ostree's own tools and the files on disk:
 * the repository's integrity, the deployment set, and anything a transaction writes outside
 * the boot list (its scratch dir, a deployment directory, a boot version in the making).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ostreeAdminStatus, type AdminStatusEntry } from './ostree-admin-status.js';

const repoOf = (sysroot: string): string => join(sysroot, 'ostree', 'repo');
const deployDir = (sysroot: string, d: AdminStatusEntry): string => join(sysroot, 'ostree', 'deploy', d.osname, 'deploy', `${d.checksum}.${d.serial}`);

/** `ostree fsck` of the sysroot's repository exits 0 and reports no error. */
export function assertFsckClean(sysroot: string): void {
  const out = execFileSync('ostree', ['fsck', `--repo=${repoOf(sysroot)}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.match(out, /no errors found/, out);
}

/** `aptostree.base-commit` of a commit (a client layer), else null. */
function layerBase(sysroot: string, checksum: string): string | null {
  const r = spawnSync('ostree', ['show', `--repo=${repoOf(sysroot)}`, '--print-metadata-key=aptostree.base-commit', checksum], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().replace(/^'|'$/g, '') : null;
}

/**
 * The deployment list as `ostree admin status` has it, one line per deployment: commit, serial
 * and origin file. A client layer is named by its base commit (its own checksum carries the
 * time it was committed), so two runs of the same layering give the same lines.
 */
export function deploymentSet(sysroot: string): string[] {
  return ostreeAdminStatus(sysroot).map((d) => {
    const origin = readFileSync(`${deployDir(sysroot, d)}.origin`, 'utf8')
      .trim()
      .split('\n')
      .join(' ');
    const base = layerBase(sysroot, d.checksum);
    return `${d.osname} ${base === null ? d.checksum : `layer on ${base}`}.${d.serial} ${origin}`;
  });
}

/**
 * The repository's refs (`ostree refs`) and the commits they point at, as `REF CHECKSUM` lines;
 * libostree's own deployment refs (`ostree/B/S/N`, named after the boot version) left out.
 */
export function repoRefs(sysroot: string): string[] {
  const repo = `--repo=${repoOf(sysroot)}`;
  return execFileSync('ostree', ['refs', repo], { encoding: 'utf8' })
    .split('\n')
    .filter((r) => r !== '' && !r.startsWith('ostree/'))
    .sort()
    .map((r) => `${r} ${execFileSync('ostree', ['rev-parse', repo, r], { encoding: 'utf8' }).trim()}`);
}

/**
 * Files of a deployment's /usr that differ from its commit (`ostree diff COMMIT DIR`; /etc and
 * /var are the deployment's own): empty for a complete checkout.
 */
export function deploymentDamage(sysroot: string, d: AdminStatusEntry): string[] {
  const out = execFileSync('ostree', ['diff', `--repo=${repoOf(sysroot)}`, d.checksum, deployDir(sysroot, d)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .filter((l) => !/^\S+\s+\/?(etc|var)(\/|$)/.test(l));
}

const entriesOf = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);

/**
 * What a transaction writes outside the boot list, left behind: its scratch dir and
 * temporary checkout (`ostree/repo/tmp/apt-ostree-*`), deployment directories and origin files
 * of no listed deployment (`ostree/deploy/OS/deploy/`), boot versions other than the current one
 * (`boot/loader.N`, `ostree/boot.N[.M]`), and kernel/initramfs dirs (`boot/ostree/OS-BOOTCSUM`)
 * no boot entry uses.
 */
export function transactionLeftovers(sysroot: string): string[] {
  const out: string[] = [];
  const tmp = join(repoOf(sysroot), 'tmp');
  out.push(
    ...entriesOf(tmp)
      .filter((e) => e.startsWith('apt-ostree-'))
      .map((e) => join(tmp, e)),
  );

  const listed = ostreeAdminStatus(sysroot);
  const deployRoot = join(sysroot, 'ostree', 'deploy');
  for (const os of entriesOf(deployRoot)) {
    const dir = join(deployRoot, os, 'deploy');
    const mine = new Set(listed.filter((d) => d.osname === os).flatMap((d) => [`${d.checksum}.${d.serial}`, `${d.checksum}.${d.serial}.origin`]));
    out.push(
      ...entriesOf(dir)
        .filter((e) => !mine.has(e))
        .map((e) => join(dir, e)),
    );
  }

  const loader = readlinkSync(join(sysroot, 'boot', 'loader'));
  out.push(
    ...entriesOf(join(sysroot, 'boot'))
      .filter((e) => /^loader\.\d+$/.test(e) && e !== loader)
      .map((e) => join(sysroot, 'boot', e)),
  );
  const bootversion = loader.slice('loader.'.length);
  const current = new Set([`boot.${bootversion}`, readlinkSync(join(sysroot, 'ostree', `boot.${bootversion}`))]);
  out.push(
    ...entriesOf(join(sysroot, 'ostree'))
      .filter((e) => /^boot\.\d+(\.\d+)?$/.test(e) && !current.has(e))
      .map((e) => join(sysroot, 'ostree', e)),
  );

  const entries = join(sysroot, 'boot', loader, 'entries');
  const used = entriesOf(entries)
    .map((e) => readFileSync(join(entries, e), 'utf8'))
    .join('\n');
  const kernels = join(sysroot, 'boot', 'ostree');
  out.push(
    ...entriesOf(kernels)
      .filter((e) => !used.includes(`/ostree/${e}/`))
      .map((e) => join(kernels, e)),
  );
  return out;
}
