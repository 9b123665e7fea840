import { t, type Static } from '../schema-builder.js';

/** A Debian package as package queries report it. */
export const PackageInfo = t.object(
  {
    name: t.string(),
    version: t.string(),
    architecture: t.string(),
    summary: t.string({ doc: 'First line of the description.' }),
    origin: t.string({ doc: 'Repository the package comes from.' }),
    status: t.enum(['base', 'layered', 'available'], {
      doc: 'In the base image, layered on it, or neither.',
    }),
  },
  { doc: 'A package known to APT.' },
);
/** The TypeScript type of a package as package queries report it. */
export type PackageInfo = Static<typeof PackageInfo>;
export const PackageInfoRef = t.ref('PackageInfo', PackageInfo);

/** One name/version/arch triple. */
const PackageVersion = t.object({ name: t.string(), version: t.string(), architecture: t.string() });
export const PackageVersionRef = t.ref('PackageVersion', PackageVersion);

/** One entry of a package diff between two deployments. */
export const PackageDiffEntry = t.object(
  {
    name: t.string(),
    change: t.enum(['added', 'removed', 'upgraded', 'downgraded']),
    previous: t.nullable(PackageVersionRef),
    next: t.nullable(PackageVersionRef),
  },
  { doc: 'A package that differs between two trees.' },
);
/** The TypeScript type of one package diff entry. */
export type PackageDiffEntry = Static<typeof PackageDiffEntry>;
export const PackageDiffEntryRef = t.ref('PackageDiffEntry', PackageDiffEntry);
