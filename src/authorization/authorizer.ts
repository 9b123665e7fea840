import type { MethodSpec } from '../api/method.js';
import type { PeerCredentials } from '../api/peer-credentials.js';

/**
 * The authorization step of every call, run after validation and before any work. It throws
 * `NotAuthorized` / `AuthorizationUnavailable` (ApiError) to refuse.
 */
export interface Authorizer {
  authorize(method: MethodSpec, params: Record<string, unknown>, call: AuthorizedCall): Promise<void>;
}

/** What authorization needs to know of a call: who makes it (null when the transport could not tell). */
export interface AuthorizedCall {
  readonly peer: PeerCredentials | null;
}
