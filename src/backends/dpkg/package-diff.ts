/**
 * The package differences between two dpkg databases: added, removed, upgraded, downgraded
 * (by Debian version comparison), ordered by kind, then name, then architecture. A package
 * is identified by name and architecture (Multi-Arch: same packages exist once per arch); one
 * that only changed architecture (all ↔ amd64) counts as upgraded or downgraded by version.
 */
import { compareDebianVersions } from './debian-version.js';
import type { InstalledPackage } from './status-file.js';
import type { PackageDiffEntry } from '../../api/types/package.js';

type PackageChange = PackageDiffEntry['change'];

const ORDER: PackageChange[] = ['added', 'removed', 'upgraded', 'downgraded'];

/** `from` → `to`. Packages with the same name, architecture and version are left out. */
export function diffPackages(from: InstalledPackage[], to: InstalledPackage[]): PackageDiffEntry[] {
  const byName = (ps: InstalledPackage[]): Map<string, InstalledPackage[]> => {
    const m = new Map<string, InstalledPackage[]>();
    for (const p of ps) m.set(p.name, [...(m.get(p.name) ?? []), p]);
    return m;
  };
  const before = byName(from);
  const after = byName(to);
  const entries: PackageDiffEntry[] = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const olds = [...(before.get(name) ?? [])];
    const news = [...(after.get(name) ?? [])];
    // Same architecture first; then a single remaining pair is an architecture change.
    for (const o of [...olds]) {
      const n = news.find((x) => x.architecture === o.architecture);
      if (n === undefined) continue;
      olds.splice(olds.indexOf(o), 1);
      news.splice(news.indexOf(n), 1);
      const c = compareDebianVersions(o.version, n.version);
      if (c !== 0) entries.push({ name, change: c < 0 ? 'upgraded' : 'downgraded', previous: o, next: n });
    }
    if (olds.length === 1 && news.length === 1) {
      const c = compareDebianVersions(olds[0].version, news[0].version);
      entries.push({ name, change: c <= 0 ? 'upgraded' : 'downgraded', previous: olds[0], next: news[0] });
      continue;
    }
    for (const o of olds) entries.push({ name, change: 'removed', previous: o, next: null });
    for (const n of news) entries.push({ name, change: 'added', previous: null, next: n });
  }
  const arch = (e: PackageDiffEntry): string => (e.next ?? e.previous)?.architecture ?? '';
  return entries.sort(
    (a, b) => ORDER.indexOf(a.change) - ORDER.indexOf(b.change) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || arch(a).localeCompare(arch(b)),
  );
}
