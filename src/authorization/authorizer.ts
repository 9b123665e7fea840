import type { MethodSpec } from '../api/method.js';
import type { CallContext } from '../dispatcher/call-context.js';

/**
 * The authorization step of every call, run after validation and before any work. It throws
 * `NotAuthorized` / `AuthorizationUnavailable` (ApiError) to refuse.
 */
export interface Authorizer {
  authorize(method: MethodSpec, params: Record<string, unknown>, ctx: CallContext): Promise<void>;
}
