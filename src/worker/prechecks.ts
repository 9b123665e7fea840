/** Prechecks more than one operation makes (see define-operation.ts). */
import { ApiError } from '../api/errors.js';
import type { PrecheckContext } from './define-operation.js';

/** LockLayering=true: a request that changes layered packages is refused. */
export function refuseIfLayeringLocked(ctx: PrecheckContext, ...packages: (readonly string[] | undefined)[]): void {
  if (ctx.config.lockLayering && packages.some((p) => (p ?? []).length > 0)) {
    throw new ApiError('LayeringLocked', 'Package layering is locked by the administrator (LockLayering=true)');
  }
}

/** `+a -b` words of a package change, for titles. */
export function packageChangeWords(add: readonly string[] | undefined, remove: readonly string[] | undefined): string[] {
  return [...(add ?? []).map((p) => `+${p}`), ...(remove ?? []).map((p) => `-${p}`)];
}
