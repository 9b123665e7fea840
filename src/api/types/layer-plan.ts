import { t, type Static } from '../schema-builder.js';

/** One package a layering would install. */
const PlannedPackage = t.object({
  name: t.string(),
  version: t.string(),
  architecture: t.string(),
  origin: t.string({ doc: 'The archive it comes from (APT origin).' }),
  replaces: t.nullable(t.string({ doc: 'Version of the base package it replaces, if any.' })),
});

/** What a package change would do: a dry run's answer. */
export const LayerPlan = t.object(
  {
    packages: t.array(PlannedPackage),
    downloadSize: t.integer({ doc: 'Bytes still to download (cached .debs excluded).' }),
    installedSize: t.integer({ doc: "Sum of the packages' Installed-Size, bytes." }),
    files: t.array(t.string(), { doc: 'Files the layer adds, sorted.' }),
    removes: t.optional(t.array(t.string(), { doc: 'Base packages the layer removes (overrides).' })),
  },
  { doc: 'Dry run: packages, sizes and files the change would bring.' },
);
export const LayerPlanRef = t.ref('LayerPlan', LayerPlan);
export type LayerPlan = Static<typeof LayerPlan>;
