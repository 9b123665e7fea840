/**
 * `apt-ostree status --json` in the shape of `rpm-ostree status --json`, so scripts written for
 * it (`rpm-ostree status --json | jq '.deployments[0].checksum'`) work: kebab-case keys,
 * `deployments` with rpm-ostree's deployment keys (layered packages are `packages`, the
 * requested ones `requested-packages`; `requested-base-removals` the names of removed base
 * packages; local packages empty until they exist),
 * `transaction` as rpm-ostree's `[method, sender, object path]` or null, `cached-update` with
 * its `rpm-diff` (the dpkg diff in rpm-ostree's shape), `update-driver`. The JSON-RPC API keeps
 * its camelCase objects.
 */
import type { ResultOf } from '../../api/method-types.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const RENAMES: Record<string, string> = { layeredPackages: 'packages' };
const kebab = (key: string): string => RENAMES[key] ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function kebabKeys(value: unknown): Json {
  if (Array.isArray(value)) return value.map(kebabKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [kebab(k), kebabKeys(v)]));
  }
  return value as Json;
}

type SysrootProperties = ResultOf<'Sysroot.GetProperties'>;
type Deployment = SysrootProperties['deployments'][number];

function deploymentJson(d: Deployment): Json {
  const { removedBasePackages, replacedBasePackages, requestedBaseLocalReplacements, localPackages, initramfsEtc, liveCommit, liveInprogress, ...rest } = d;
  return {
    ...(kebabKeys(rest) as Record<string, Json>),
    // rpm-ostree's keys for apply-live, on the booted deployment only.
    ...(liveCommit !== undefined ? { 'live-replaced': liveCommit } : {}),
    ...(liveInprogress !== undefined ? { 'live-inprogress': liveInprogress } : {}),
    'requested-local-packages': localPackages,
    'requested-base-removals': removedBasePackages,
    // Replacements from the configured sources (rpm-ostree's are local files or remote repos).
    'requested-base-replacements': replacedBasePackages,
    'requested-base-local-replacements': requestedBaseLocalReplacements,
    'base-removals': removedBasePackages.map((name) => ({ name })),
    'base-local-replacements': [],
    'initramfs-etc': initramfsEtc,
    signatures: [],
  };
}

interface DiffEntry {
  name: string;
  change: string;
  previous: { version: string; architecture: string } | null;
  next: { version: string; architecture: string } | null;
}

/** rpm-ostree's rpm-diff: upgraded/downgraded [type, name, [old evr, arch], [new evr, arch]], removed/added [type, name, evr, arch]. */
function rpmDiff(entries: DiffEntry[]): Json {
  const modified = (change: string): Json =>
    entries
      .filter((e) => e.change === change)
      .map((e) => [0, e.name, [e.previous?.version ?? '', e.previous?.architecture ?? ''], [e.next?.version ?? '', e.next?.architecture ?? '']]);
  const single = (change: string, side: 'previous' | 'next'): Json =>
    entries.filter((e) => e.change === change).map((e) => [0, e.name, e[side]?.version ?? '', e[side]?.architecture ?? '']);
  return { upgraded: modified('upgraded'), downgraded: modified('downgraded'), removed: single('removed', 'previous'), added: single('added', 'next') };
}

export function rpmOstreeStatusJson(
  sysroot: SysrootProperties,
  deployments: Deployment[],
  cachedUpdate: ResultOf<'OS.GetProperties'>['cachedUpdate'] | null,
  osObjectPath: string,
): string {
  const t = sysroot.activeTransaction;
  let update: Json = null;
  if (cachedUpdate !== null) {
    const { packageDiff, ...rest } = cachedUpdate;
    update = { ...(kebabKeys(rest) as Record<string, Json>), 'rpm-diff': rpmDiff(packageDiff as DiffEntry[]), advisories: [] };
  }
  const out = {
    deployments: deployments.map(deploymentJson),
    transaction: t === null ? null : [t.method.slice(t.method.indexOf('.') + 1), '', osObjectPath],
    'cached-update': update,
    'update-driver': sysroot.updateDriver,
  };
  return JSON.stringify(out, null, 2) + '\n';
}
