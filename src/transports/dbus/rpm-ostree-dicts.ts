/**
 * Deployments and the cached update as the `a{sv}` dictionaries rpm-ostree's clients read
 * (rpm-ostree's rpmostreed-deployment-utils): the API's fields in kebab-case (variant-dict.ts)
 * plus rpm-ostree's keys with their rpm-ostree types — empty where the feature behind them does
 * not exist here (local packages, local replacements, signatures). `live-inprogress` and
 * `live-replaced` are left out: rpm-ostree itself sets them only during a live change, and its
 * clients take their presence for one.
 */
import dbus from 'dbus-next';
import { toVariantDict, type VariantDict } from './variant-dict.js';

const V = dbus.Variant;

interface PackageVersion {
  name: string;
  version: string;
  architecture: string;
}
export interface DiffEntry {
  name: string;
  change: string;
  previous: PackageVersion | null;
  next: PackageVersion | null;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function deploymentDict(d: Record<string, unknown> | null): VariantDict {
  if (d === null) return {};
  const dict = toVariantDict(d);
  dict.signatures = new V('av', []);
  dict['requested-local-packages'] = new V('as', strings(d.localPackages));
  dict['requested-base-removals'] = new V('as', strings(d.removedBasePackages));
  dict['requested-base-local-replacements'] = new V('as', strings(d.requestedBaseLocalReplacements));
  dict['base-removals'] = new V('av', []);
  dict['base-local-replacements'] = new V('av', []);
  dict['initramfs-etc'] = new V('as', strings(d.initramfsEtc));
  // rpm-ostree's keys for apply-live (the booted deployment only).
  delete dict['live-commit'];
  delete dict['live-inprogress'];
  if (typeof d.liveCommit === 'string') dict['live-replaced'] = new V('s', d.liveCommit);
  if (typeof d.liveInprogress === 'string') dict['live-inprogress'] = new V('s', d.liveInprogress);
  const meta: VariantDict = typeof d.version === 'string' ? { version: new V('s', d.version) } : {};
  // A layered deployment: the base's metadata and the layered commit's, as rpm-ostree splits them.
  if (typeof d.baseChecksum === 'string') {
    dict['base-commit-meta'] = new V('a{sv}', meta);
    dict['layered-commit-meta'] = new V('a{sv}', {});
  } else {
    dict['base-commit-meta'] = new V('a{sv}', meta);
  }
  return dict;
}

/** rpm-ostree's package types: a change of the base (0), or of a layered package (1). */
const BASE = 0;

/** The dpkg diff as rpm-ostree's `rpm-diff`: upgraded and downgraded `a(us(ss)(ss))`, removed and added `a(usss)`. */
function rpmDiff(entries: DiffEntry[]): VariantDict {
  const modified = (change: string) =>
    entries
      .filter((e) => e.change === change && e.previous !== null && e.next !== null)
      .map((e) => [BASE, e.name, [e.previous?.version ?? '', e.previous?.architecture ?? ''], [e.next?.version ?? '', e.next?.architecture ?? '']]);
  const single = (change: string, side: 'previous' | 'next') =>
    entries.filter((e) => e.change === change && e[side] !== null).map((e) => [BASE, e.name, e[side]?.version ?? '', e[side]?.architecture ?? '']);
  return {
    upgraded: new V('a(us(ss)(ss))', modified('upgraded')),
    downgraded: new V('a(us(ss)(ss))', modified('downgraded')),
    removed: new V('a(usss)', single('removed', 'previous')),
    added: new V('a(usss)', single('added', 'next')),
  };
}

export function cachedUpdateDict(u: Record<string, unknown> | null): VariantDict {
  if (u === null) return {};
  const { packageDiff, ...rest } = u;
  const dict = toVariantDict(rest);
  dict['rpm-diff'] = new V('a{sv}', rpmDiff((packageDiff ?? []) as DiffEntry[]));
  // A cached update is a newer commit of the followed branch.
  dict['ref-has-new-commit'] = new V('b', true);
  dict['gpg-enabled'] = new V('b', u.gpgEnabled === true);
  dict.signatures = new V('av', []);
  // Debian has no updateinfo: no advisories.
  dict.advisories = new V('a(suuasa{sv})', []);
  return dict;
}
