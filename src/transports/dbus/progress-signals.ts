/**
 * Progress signals in rpm-ostree's types. A DownloadProgress event as the arguments of rpm-ostree's `DownloadProgress` signal,
 * `((tt)(uu)(uuu)(uuut)(uu)(tt))`: time (start, elapsed seconds), outstanding (fetches,
 * writes), metadata (scanned, fetched, outstanding), delta (total parts, fetched parts, total
 * superblocks, total size: zero, no static delta is pulled), content (fetched, requested),
 * transfer (bytes, bytes per second).
 */
import dbus from 'dbus-next';
import type { TransactionEventData } from '../../api/types/transaction-event.js';

const U32_MAX = 0xffff_ffff;

/** A count as a D-Bus `u`: an integer in 0..2^32-1. */
const u32 = (value: number | undefined): number => Math.min(U32_MAX, Math.max(0, Math.trunc(Number(value ?? 0))));
/** A count as a D-Bus `t`. */
const u64 = (value: number | undefined): bigint => BigInt(Math.max(0, Math.trunc(Number(value ?? 0))));

export function downloadProgressArgs(event: TransactionEventData, startSeconds: number, nowSeconds: number): unknown[] {
  return [
    [BigInt(startSeconds), BigInt(Math.max(0, nowSeconds - startSeconds))],
    [u32(event.outstandingFetches), 0],
    [0, u32(event.metadataFetched), 0],
    [0, 0, 0, 0n],
    [u32(event.objectsFetched), u32(event.objectsRequested)],
    [u64(event.bytesTransferred), u64(event.bytesPerSecond)],
  ];
}

type Signature = NonNullable<TransactionEventData['signatures']>[number];

/** SignatureProgress's `av`: each signature as libostree's `(bbbbbsxxsssssxx)` tuple, as rpm-ostree sends it. */
export function signatureVariants(signatures: Signature[]): dbus.Variant[] {
  return signatures.map(
    (s) =>
      new dbus.Variant('(bbbbbsxxsssssxx)', [
        s.valid,
        s.sigExpired,
        s.keyExpired,
        s.keyRevoked,
        s.keyMissing,
        s.fingerprint,
        BigInt(s.timestamp),
        BigInt(s.expTimestamp),
        s.pubkeyAlgorithm,
        s.hashAlgorithm,
        s.userName,
        s.userEmail,
        s.fingerprintPrimary,
        BigInt(s.keyExpTimestamp),
        BigInt(s.keyExpTimestampPrimary),
      ]),
  );
}
