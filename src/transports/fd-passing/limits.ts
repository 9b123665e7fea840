/** Descriptors one message may carry at most (docs/fd-passing.md). */
export const MAX_FDS_PER_MESSAGE = 64;

/** The JSON-RPC request that announces a message with descriptors (`rpc.` names are the protocol's own). */
export const JSONRPC_PASS_FDS = 'rpc.passFds';

/** The Varlink call that announces a call with descriptors. */
export const VARLINK_PASS_FDS = 'org.projectatomic.aptostree1.Transport.PassFds';

/** The announced count, or a reason it is not one. */
export function announcedCount(params: unknown): number | string {
  const count = typeof params === 'object' && params !== null ? (params as { count?: unknown }).count : undefined;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) return 'count must be a positive integer';
  if (count > MAX_FDS_PER_MESSAGE) return `at most ${MAX_FDS_PER_MESSAGE} descriptors per message`;
  return count;
}
