import type { OperationContext } from '../operation-context.js';

/** Emits TaskBegin, runs `fn`, emits TaskEnd with the same text on success. */
export async function task<T>(ctx: OperationContext, text: string, fn: () => T | Promise<T>): Promise<T> {
  ctx.emit({ type: 'TaskBegin', text });
  const r = await fn();
  ctx.emit({ type: 'TaskEnd', text });
  return r;
}
