import type { MethodSpec } from '../api/method.js';
import type { CallContext } from '../dispatcher/call-context.js';

/**
 * The authorization step of every call, run after validation and before any work. It throws
 * `NotAuthorized` / `AuthorizationUnavailable` (ApiError) to refuse.
 */
export interface Authorizer {
  authorize(method: MethodSpec, params: Record<string, unknown>, ctx: CallContext): Promise<void>;
}

/**
 * Allows every call. This is the pipeline's placeholder until polkit authorization lands
 * (issue #4); it is safe only because no method that changes the system is implemented yet.
 */
export class AllowAllAuthorizer implements Authorizer {
  async authorize(): Promise<void> {}
}
