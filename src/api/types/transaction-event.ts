import { t, type Static } from '../schema-builder.js';

/** Names of transaction events; over JSON-RPC each is the notification `Transaction.<type>`. */
const TransactionEventType = t.enum(
  ['Queued', 'Started', 'Message', 'TaskBegin', 'TaskEnd', 'PercentProgress', 'DownloadProgress', 'ProgressEnd', 'Finished'],
  { doc: 'Kind of event.' },
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
    success: t.optional(t.boolean({ doc: 'Finished: whether it succeeded.' })),
    errorMessage: t.optional(t.string({ doc: 'Finished: the error message, empty on success.' })),
  },
  { doc: 'A transaction progress event.' },
);
export const TransactionEventRef = t.ref('TransactionEvent', TransactionEvent);

/** One transaction event as the engine publishes it and each transport receives it. */
export type TransactionEventData = Static<typeof TransactionEvent>;
