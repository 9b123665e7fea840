import { defineMethod } from '../method.js';
import { t } from '../schema-builder.js';
import { DeploymentId, OsName, PackageName, Refspec, Revision, SearchTerm } from '../types/patterns.js';
import { CachedUpdateRef } from '../types/cached-update.js';
import { DeploymentRef } from '../types/deployment.js';
import { PackageDiffEntryRef, PackageInfoRef, PackageVersionRef } from '../types/package.js';

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

/** A deployment as rpm-ostree's clients name one: its id, or its index in the boot order. */
const deploymentIdOrIndex = (doc: string) => t.optional(t.string({ pattern: '^([0-9]{1,3}|[A-Za-z0-9][A-Za-z0-9._-]*-[0-9a-f]{64}\\.[0-9]+)$', doc }));

export const ListPackages = defineMethod({
  name: 'OS.ListPackages',
  kind: 'read',
  doc: "The installed packages of a deployment (its dpkg database, layered packages included), by name: rpm-ostree's `db list`.",
  params: t.object({
    osname,
    deployment: deploymentIdOrIndex('A deployment id, or its index in the boot order (default: the booted deployment, else the default one).'),
  }),
  result: t.object({
    deployment: t.string({ doc: 'The id of the deployment listed.' }),
    packages: t.array(PackageVersionRef, { doc: 'Installed packages (dpkg status `install ok installed`), sorted by name.' }),
  }),
  action: null,
  errors: ['InvalidSysroot', 'NoSuchOS', 'NoSuchDeployment'],
});

export const GetDeploymentBootConfig = defineMethod({
  name: 'OS.GetDeploymentBootConfig',
  kind: 'read',
  doc: "A deployment's boot configuration, as rpm-ostree's method of that name: the booted deployment's (else the default's), the next boot's with `isPending`, or the one `deployment` names (an id, or an index in the boot order as rpm-ostree's clients give it).",
  params: t.object({
    osname,
    deployment: t.optional(
      t.string({ pattern: '^([0-9]{1,3}|[A-Za-z0-9][A-Za-z0-9._-]*-[0-9a-f]{64}\\.[0-9]+)$', doc: 'A deployment id, or its index in the boot order.' }),
    ),
    isPending: t.optional(t.boolean({ doc: 'The deployment the next boot starts (the default one, staged or not) instead of the booted one.' })),
  }),
  result: t.object({
    bootconfig: t.object({
      staged: t.boolean({ doc: 'The deployment is staged (written at shutdown).' }),
      options: t.string({ doc: 'The kernel command line of its boot entry.' }),
    }),
  }),
  action: null,
  errors: ['InvalidSysroot', 'NoSuchOS', 'NoSuchDeployment'],
});

const AptRepo = t.object({
  id: t.string({ doc: 'The source: its URI and suite (or path, for a flat repository).' }),
  description: t.string({ doc: 'The source as written: type, URI, suite and components.' }),
  isDevel: t.boolean({ doc: 'A development suite (unstable, sid, experimental).' }),
  isSource: t.boolean({ doc: 'A deb-src source.' }),
  isEnabled: t.boolean({ doc: 'Enabled (deb822 `Enabled: no` and commented-out one-line entries are not).' }),
});

export const ListRepos = defineMethod({
  name: 'OS.ListRepos',
  kind: 'read',
  doc: "The APT sources of the OS's default deployment (its /etc/apt/sources.list and sources.list.d), in the shape of rpm-ostree's ListRepos.",
  params: t.object({ osname }),
  result: t.object({ repos: t.array(AptRepo) }),
  action: null,
  errors: ['InvalidSysroot', 'NoSuchOS'],
});

const previewResult = t.object({
  changes: t.array(PackageDiffEntryRef),
  preview: t.nullable(CachedUpdateRef, { doc: 'What was fetched: the commit, its version and origin; null when no such preview is kept.' }),
});

export const GetCachedDeployAptDiff = defineMethod({
  name: 'OS.GetCachedDeployAptDiff',
  kind: 'read',
  doc: "The package diff of a deploy preview (OS.Deploy {revision, check}) against the booted (else default) deployment, as rpm-ostree's GetCachedDeployRpmDiff; empty with a null preview when that revision was not previewed (or the deployment changed since).",
  params: t.object({ osname, revision: Revision }),
  result: previewResult,
  action: null,
  errors: ['InvalidSysroot', 'NoSuchOS'],
});

export const GetCachedRebaseAptDiff = defineMethod({
  name: 'OS.GetCachedRebaseAptDiff',
  kind: 'read',
  doc: "The package diff of a rebase preview (OS.Rebase {refspec, check}) against the booted (else default) deployment, as rpm-ostree's GetCachedRebaseRpmDiff; empty with a null preview when that refspec was not previewed.",
  params: t.object({ osname, refspec: Refspec }),
  result: previewResult,
  action: null,
  errors: ['InvalidSysroot', 'NoSuchOS'],
});
