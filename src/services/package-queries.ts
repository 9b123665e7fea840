/**
 * OS.Search, OS.WhatProvides and OS.GetPackages: answered by apt-cache from the APT lists in
 * the cache dir, with the default deployment's /etc/apt and dpkg status (so "base" and
 * "layered" are what that deployment has). Lists that were never fetched answer nothing;
 * `apt-ostree refresh-md` fetches them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AptEnvironment, hostArchitecture } from '../backends/apt/apt-environment.js';
import { DPKG_STATUS, installedPackageNames } from '../backends/dpkg/status-file.js';
import type { Deployment } from '../api/types/deployment.js';
import type { PackageInfo } from '../api/types/package.js';

/** apt-cache for `d` (a deployment of the sysroot at `sysrootPath`). */
export class PackageQueries {
  private constructor(
    private readonly apt: AptEnvironment,
    private readonly installed: Set<string>,
    private readonly layered: Set<string>,
  ) {}

  static async open(sysrootPath: string, d: Deployment, cacheDir: string): Promise<PackageQueries> {
    const root = join(sysrootPath, 'ostree/deploy', d.osname, 'deploy', `${d.checksum}.${d.serial}`);
    const statusFile = join(root, DPKG_STATUS);
    const apt = new AptEnvironment({
      etcApt: join(root, 'etc/apt'),
      statusFile,
      cacheDir,
      scratchDir: join(cacheDir, 'apt', 'query'),
      architecture: await hostArchitecture(),
      installRecommends: true,
      timeoutSeconds: 30,
      maxConcurrentDownloads: 1,
    });
    const installed = existsSync(statusFile) ? installedPackageNames(readFileSync(statusFile, 'utf8')) : new Set<string>();
    return new PackageQueries(apt, installed, new Set(d.layeredPackages));
  }

  /** Packages whose name or description matches every term. */
  async search(terms: string[]): Promise<PackageInfo[]> {
    const r = await this.apt.run('apt-cache', ['search', '--', ...terms]);
    const names = r.stdout
      .split('\n')
      .map((l) => /^(\S+) - /.exec(l)?.[1])
      .filter((n): n is string => n !== undefined);
    return this.details([...new Set(names)].sort());
  }

  /** Packages that are, or provide, each name. */
  async whatProvides(names: string[]): Promise<PackageInfo[]> {
    const found = new Set<string>();
    for (const name of names) {
      const r = await this.apt.run('apt-cache', ['showpkg', '--', name]);
      if (r.code !== 0 || !/^Package: /m.test(r.stdout)) continue;
      const versions = /^Versions: \n(\S)/m.test(r.stdout);
      if (versions) found.add(name);
      const reverse = r.stdout.split(/^Reverse Provides: ?\n/m)[1] ?? '';
      for (const line of reverse.split('\n')) {
        const m = /^(\S+) \S+/.exec(line);
        if (m !== null) found.add(m[1]);
      }
    }
    return this.details([...found].sort());
  }

  /** Details of named packages (the candidate version); unknown names are left out. */
  async details(names: string[]): Promise<PackageInfo[]> {
    if (names.length === 0) return [];
    const show = await this.apt.run('apt-cache', ['show', '--no-all-versions', '--', ...names]);
    const madison = await this.apt.run('apt-cache', ['madison', '--', ...names]);
    const origins = new Map<string, string>();
    for (const line of madison.stdout.split('\n')) {
      const m = /^\s*(\S+)\s*\|\s*(\S+)\s*\|\s*(.+?)\s*$/.exec(line);
      if (m !== null && !origins.has(`${m[1]} ${m[2]}`)) origins.set(`${m[1]} ${m[2]}`, m[3]);
    }
    const out: PackageInfo[] = [];
    for (const stanza of show.stdout.split(/\n\s*\n/)) {
      const field = (k: string): string | undefined => new RegExp(`^${k}: (.*)$`, 'm').exec(stanza)?.[1];
      const name = field('Package');
      const version = field('Version');
      if (name === undefined || version === undefined) continue;
      out.push({
        name,
        version,
        architecture: field('Architecture') ?? '',
        summary: field('Description') ?? field('Description-en') ?? '',
        origin: origins.get(`${name} ${version}`) ?? '',
        status: this.layered.has(name) ? 'layered' : this.installed.has(name) ? 'base' : 'available',
      });
    }
    return out;
  }
}
