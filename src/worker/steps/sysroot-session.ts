/**
 * The locked sysroot an operation works in, and how failures inside it become operation errors.
 */
import { OstreeCallError } from '../../backends/ostree/write/errors.js';
import { SysrootSession } from '../../backends/ostree/write/session.js';
import { OperationError, type OperationContext } from '../operation-context.js';

/** The text of the Message emitted once when the sysroot lock is busy. */
export const LOCK_WAIT_MESSAGE = 'Waiting for the sysroot lock (held by another process)...';

/** Runs `fn` with a locked, loaded sysroot of its own; unlocks and frees it afterwards, also on error. */
export async function withSysroot<T>(ctx: OperationContext, fn: (s: SysrootSession) => Promise<T>): Promise<T> {
  let session: SysrootSession;
  try {
    session = await SysrootSession.open(ctx.sysroot, {
      onWait: () => ctx.emit({ type: 'Message', text: LOCK_WAIT_MESSAGE }),
    });
    ctx.locked();
  } catch (e) {
    if (e instanceof OstreeCallError) throw new OperationError('InvalidSysroot', e.message);
    throw e;
  }
  try {
    return await fn(session);
  } catch (e) {
    throw toOperationError(e);
  } finally {
    session.close();
  }
}

/** OperationError as is; libostree failures and anything else as 'Failed' with their message. */
export function toOperationError(e: unknown): OperationError {
  if (e instanceof OperationError) return e;
  return new OperationError('Failed', e instanceof Error ? e.message : String(e));
}
