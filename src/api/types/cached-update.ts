import { t, type Static } from '../schema-builder.js';
import { PackageDiffEntryRef } from './package.js';

/** What `Upgrade {check}` found on the remote, kept in the state dir. */
export const CachedUpdate = t.object(
  {
    osname: t.string(),
    origin: t.string({ doc: 'Refspec checked.' }),
    checksum: t.string({ doc: 'Newest commit of the refspec.' }),
    version: t.nullable(t.string()),
    timestamp: t.integer(),
    checkedAt: t.string({ doc: 'ISO 8601 time of the check.' }),
    packageDiff: t.array(PackageDiffEntryRef, { doc: 'Package changes against the booted/default deployment.' }),
  },
  { doc: 'An available update found by the last check.' },
);
/** The TypeScript type of a cached update, derived from the schema. */
export type CachedUpdate = Static<typeof CachedUpdate>;
export const CachedUpdateRef = t.ref('CachedUpdate', CachedUpdate);
