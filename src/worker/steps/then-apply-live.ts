/**
 * The `applyLive` option of the methods that make a deployment (rpm-ostree's `install -A`):
 * after the new deployment is written, it is applied to the running system in the same
 * transaction (steps/apply-live.ts).
 */
import { ApiError } from '../../api/errors.js';
import type { PrecheckContext } from '../define-operation.js';
import type { OperationContext } from '../operation-context.js';
import { applyLive } from './apply-live.js';

/** What a request with applyLive may not be, decided before any work. */
export function refuseApplyLive(ctx: PrecheckContext, o: { reboot?: boolean; dryRun?: boolean; downloadOnly?: boolean }): void {
  if (!ctx.config.liveFs) {
    throw new ApiError('Failed', 'Live changes are turned off on this machine ([Experimental] LiveFs=false in the daemon configuration)');
  }
  if (o.reboot === true) throw new ApiError('Failed', 'applyLive and reboot exclude each other');
  if (o.dryRun === true || o.downloadOnly === true) throw new ApiError('Failed', 'applyLive needs a new deployment: not with dryRun or downloadOnly');
  if (!ctx.sysrootBooted) throw new ApiError('Failed', 'apply-live changes the running system, and this sysroot is not the booted one');
}

/** `result` of a deployment-making operation, then its new deployment applied live when `wanted`. */
export async function thenApplyLive<R extends { deployment?: string | null; message?: string }>(
  ctx: OperationContext,
  wanted: boolean | undefined,
  result: R,
): Promise<R & { liveCommit?: string }> {
  if (wanted !== true) return result;
  const checksum = typeof result.deployment === 'string' ? /-([0-9a-f]{64})\.\d+$/.exec(result.deployment)?.[1] : undefined;
  const live = await applyLive(ctx, { target: checksum });
  return { ...result, message: [result.message, live.message].filter((m) => m !== undefined && m !== '').join(' ') };
}
