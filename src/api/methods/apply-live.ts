/**
 * OS.ApplyLive (apt-ostree apply-live; rpm-ostree's OSExperimental.LiveFs): the running system
 * gets another deployment's /usr — by default the pending one's — without a reboot, in a
 * transient overlay over /usr (gone at the next boot, which boots the pending deployment as
 * usual). Package additions only, unless allowReplacement.
 */
import { defineMethod, transactionParams } from '../method.js';
import { t } from '../schema-builder.js';
import { Checksum } from '../types/patterns.js';
import { TRANSACTION_ERRORS, transaction } from './os-transactions.js';

/** The `applyLive` option of the methods that make a deployment (rpm-ostree's `install -A`). */
export const applyLiveOption = t.optional(
  t.boolean({
    doc: 'Then apply the new deployment to the running system (OS.ApplyLive): package additions only; not with reboot.',
  }),
);

export const ApplyLive = defineMethod({
  name: 'OS.ApplyLive',
  kind: 'transaction',
  doc: "Apply a deployment's /usr to the running system without a reboot (rpm-ostree's apply-live): package additions only unless allowReplacement; a transient overlay that the next boot drops.",
  params: transactionParams(
    {
      // The commit of a deployment of this OS to apply (default: the pending deployment's).
      target: t.optional(Checksum),
      reset: t.optional(t.boolean({ doc: 'Take back everything applied live: the running /usr is the booted commit again.' })),
      allowReplacement: t.optional(t.boolean({ doc: 'Also upgrade, downgrade and remove packages on the running system.' })),
    },
    false,
  ),
  result: t.object({
    transaction,
    changed: t.optional(t.boolean()),
    liveCommit: t.optional(t.string({ doc: 'The commit whose /usr the running system now has.' })),
    message: t.optional(t.string()),
  }),
  action: 'install-uninstall-packages',
  errors: TRANSACTION_ERRORS,
});
