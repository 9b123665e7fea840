import { t, type Static } from '../schema-builder.js';

/** Names of transaction events; over JSON-RPC each is the notification `Transaction.<type>`. */
const TransactionEventType = t.enum(
  ['Queued', 'Started', 'Message', 'TaskBegin', 'TaskEnd', 'PercentProgress', 'DownloadProgress', 'SignatureProgress', 'ProgressEnd', 'Finished'],
  { doc: 'Kind of event.' },
);

/** One GPG signature of a pulled commit, as libostree reports it (rpm-ostree's SignatureProgress tuple). */
const CommitSignature = t.object(
  {
    valid: t.boolean({ doc: 'The signature verifies against a trusted key.' }),
    sigExpired: t.boolean(),
    keyExpired: t.boolean(),
    keyRevoked: t.boolean(),
    keyMissing: t.boolean({ doc: "The key is not in the remote's keyring." }),
    fingerprint: t.string({ doc: 'Fingerprint of the signing (sub)key.' }),
    timestamp: t.integer({ doc: 'When it was signed, seconds since the epoch.' }),
    expTimestamp: t.integer({ doc: 'When the signature expires (0: never).' }),
    pubkeyAlgorithm: t.string(),
    hashAlgorithm: t.string(),
    userName: t.string(),
    userEmail: t.string(),
    fingerprintPrimary: t.string({ doc: 'Fingerprint of the primary key.' }),
    keyExpTimestamp: t.integer(),
    keyExpTimestampPrimary: t.integer(),
  },
  { doc: "A pulled commit's GPG signature." },
);

/**
 * One progress event of a transaction. A flat object with a `type` tag rather than a union,
 * because Varlink has no unions; the fields present depend on `type`.
 */
export const TransactionEvent = t.object(
  {
    type: t.ref('TransactionEventType', TransactionEventType),
    position: t.optional(t.integer({ doc: 'Queued: place in the queue, 1 = next.' })),
    text: t.optional(
      t.string({
        doc: 'Message, TaskBegin, TaskEnd, PercentProgress: the text. DownloadProgress: what is fetched, `packages` (.debs); absent for OSTree objects.',
      }),
    ),
    percentage: t.optional(t.integer({ minimum: 0, maximum: 100, doc: 'PercentProgress: 0..100.' })),
    bytesTransferred: t.optional(t.integer({ doc: 'DownloadProgress: bytes fetched so far.' })),
    bytesPerSecond: t.optional(t.integer({ doc: 'DownloadProgress: current rate.' })),
    objectsFetched: t.optional(t.integer({ doc: 'DownloadProgress: objects (or .debs) fetched.' })),
    objectsRequested: t.optional(t.integer({ doc: 'DownloadProgress: objects (or .debs) requested.' })),
    outstandingFetches: t.optional(t.integer({ doc: 'DownloadProgress: fetches in flight.' })),
    metadataFetched: t.optional(t.integer({ doc: 'DownloadProgress: metadata objects fetched.' })),
    commit: t.optional(t.string({ doc: 'SignatureProgress: the pulled commit.' })),
    signatures: t.optional(t.array(t.ref('CommitSignature', CommitSignature), { doc: 'SignatureProgress: its GPG signatures (the remote verifies them).' })),
    success: t.optional(t.boolean({ doc: 'Finished: whether it succeeded.' })),
    errorMessage: t.optional(t.string({ doc: 'Finished: the error message, empty on success.' })),
  },
  { doc: 'A transaction progress event.' },
);
export const TransactionEventRef = t.ref('TransactionEvent', TransactionEvent);

/** One transaction event as the engine publishes it and each transport receives it. */
export type TransactionEventData = Static<typeof TransactionEvent>;
