import { t, type Static } from '../schema-builder.js';

/** One deployment of the sysroot, as every transport shows it. */
export const Deployment = t.object(
  {
    id: t.string({ doc: 'Deployment id: <osname>-<checksum>.<serial>.' }),
    osname: t.string({ doc: 'Stateroot the deployment belongs to.' }),
    checksum: t.string({ doc: 'OSTree commit checksum deployed.' }),
    serial: t.integer({ doc: 'Deploy serial, distinguishing deployments of the same commit.' }),
    index: t.integer({ doc: 'Position in the boot order; 0 is the default.' }),
    booted: t.boolean({ doc: 'The running system booted this deployment.' }),
    staged: t.boolean({ doc: 'Staged: written at shutdown (ostree-finalize-staged).' }),
    pinned: t.boolean({ doc: 'Pinned: never garbage-collected.' }),
    unlocked: t.string({ doc: 'Unlock state: none, development, hotfix or transient.' }),
    origin: t.nullable(t.string(), { doc: 'Refspec the deployment follows (the base refspec when layered).' }),
    version: t.nullable(t.string(), { doc: "The commit's version metadata." }),
    timestamp: t.integer({ doc: 'Commit time, seconds since the epoch.' }),
    baseChecksum: t.nullable(t.string(), { doc: 'Base commit of a layered deployment, else null.' }),
    requestedPackages: t.array(t.string(), { doc: 'Packages the origin requests to be layered.' }),
    layeredPackages: t.array(t.string(), { doc: 'Packages layered in the deployed commit.' }),
    localPackages: t.array(t.string(), { doc: 'Local .deb files the origin layers: NAME:SHA256 (the file is kept in the repository).' }),
    removedBasePackages: t.array(t.string(), { doc: 'Base packages the origin removes (overrides).' }),
    replacedBasePackages: t.array(t.string(), { doc: 'Base packages the origin replaces by other versions from the sources: name=version (overrides).' }),
    requestedBaseLocalReplacements: t.array(t.string(), {
      doc: 'Base packages the origin replaces by local .deb files: NAME:SHA256 (overrides; the file is kept in the repository).',
    }),
    kernelArgs: t.array(t.string(), { doc: 'Kernel arguments from the boot entry.' }),
    regenerateInitramfs: t.boolean({ doc: 'The initramfs is regenerated on the client.' }),
    initramfsArgs: t.array(t.string(), { doc: 'Extra arguments for initramfs regeneration.' }),
    initramfsEtc: t.array(t.string(), { doc: 'Files of /etc tracked in the initramfs (rpm-ostree initramfs-etc).' }),
    liveCommit: t.optional(t.string({ doc: 'Booted deployment only: the commit whose /usr apply-live gave the running system.' })),
    liveInprogress: t.optional(t.string({ doc: 'Booted deployment only: the commit an interrupted apply-live was applying.' })),
  },
  { doc: 'A deployment of the sysroot.' },
);
/** The TypeScript type of a deployment, derived from the schema. */
export type Deployment = Static<typeof Deployment>;
export const DeploymentRef = t.ref('Deployment', Deployment);
