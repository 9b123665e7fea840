import { defineMethod } from '../method.js';
import { t } from '../schema-builder.js';
import { DeploymentId, OsName, PackageName, SearchTerm } from '../types/patterns.js';
import { CachedUpdateRef } from '../types/cached-update.js';
import { DeploymentRef } from '../types/deployment.js';
import { PackageDiffEntryRef, PackageInfoRef } from '../types/package.js';

const osname = t.optional(OsName);
const names = t.array(PackageName, { minItems: 1, maxItems: 256, doc: 'Package names.' });
const packages = t.object({ packages: t.array(PackageInfoRef) });

export const GetOSProperties = defineMethod({
  name: 'OS.GetProperties',
  kind: 'read',
  doc: "An OS's properties: name, booted, default and rollback deployments, cached update.",
  params: t.object({ osname }),
  result: t.object({
    name: t.string(),
    bootedDeployment: t.nullable(DeploymentRef),
    defaultDeployment: t.nullable(DeploymentRef),
    rollbackDeployment: t.nullable(DeploymentRef),
    cachedUpdate: t.nullable(CachedUpdateRef),
    hasCachedUpdateAptDiff: t.boolean(),
  }),
  action: null,
  errors: ['InvalidSysroot', 'NoSuchOS'],
});

export const Search = defineMethod({
  name: 'OS.Search',
  kind: 'read',
  doc: 'Search package names and descriptions in the APT lists.',
  params: t.object({ osname, names: t.array(SearchTerm, { minItems: 1, maxItems: 64, doc: 'Search words.' }) }),
  result: packages,
  action: null,
  errors: ['InvalidSysroot', 'NoSuchOS'],
});

export const WhatProvides = defineMethod({
  name: 'OS.WhatProvides',
  kind: 'read',
  doc: 'Packages that provide the given names (virtual packages, Provides).',
  params: t.object({ osname, provides: names }),
  result: packages,
  action: null,
  errors: ['InvalidSysroot', 'NoSuchOS'],
});

export const GetPackages = defineMethod({
  name: 'OS.GetPackages',
  kind: 'read',
  doc: 'Details of the named packages.',
  params: t.object({ osname, names }),
  result: packages,
  action: null,
  errors: ['InvalidSysroot', 'NoSuchOS', 'PackageNotFound'],
});

export const GetDeploymentsAptDiff = defineMethod({
  name: 'OS.GetDeploymentsAptDiff',
  kind: 'read',
  doc: 'Package differences between two deployments.',
  params: t.object({
    osname,
    from: DeploymentId,
    to: DeploymentId,
  }),
  result: t.object({ changes: t.array(PackageDiffEntryRef) }),
  action: null,
  errors: ['InvalidSysroot', 'NoSuchDeployment'],
});

export const GetCachedUpdateAptDiff = defineMethod({
  name: 'OS.GetCachedUpdateAptDiff',
  kind: 'read',
  doc: 'Package differences between a deployment (default: booted, else default) and the cached update.',
  params: t.object({ osname, id: t.optional(DeploymentId) }),
  result: t.object({ changes: t.array(PackageDiffEntryRef), update: t.nullable(CachedUpdateRef) }),
  action: null,
  errors: ['InvalidSysroot', 'NoSuchDeployment'],
});
