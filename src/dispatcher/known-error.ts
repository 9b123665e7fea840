import { ApiError, internalError, ProtocolError, type KnownError } from '../api/errors.js';
import type { Logger } from '../util/logger.js';

/**
 * `err` as a transport may answer it: an ApiError or a ProtocolError stays as it is; anything
 * else is a bug or an unexpected failure: it is logged here, once, and answered as
 * InternalError, whose message tells nothing of the cause.
 */
export function asKnownError(err: unknown, log: Logger): KnownError {
  if (err instanceof ApiError || err instanceof ProtocolError) return err;
  log.error('internal error', err);
  return internalError();
}
