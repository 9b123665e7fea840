import type { TransactionObject } from '../api/method-types.js';
import { ExitCode, type CliContext } from './cli-context.js';
import { ProgressRenderer } from './format/progress-renderer.js';

/** Exit code for an ended transaction. */
export function exitCodeOf(tx: TransactionObject): number {
  if (tx.state === 'succeeded') return ExitCode.Ok;
  if (tx.state === 'cancelled') return ExitCode.Cancelled;
  return ExitCode.Failed;
}

/**
 * Starts a transaction method and follows it to the end: detached first (so the id is known
 * at once and Ctrl-C can cancel exactly this transaction), then Transaction.Watch, which
 * replays its events from the start. `--json` prints the raw stream, one JSON text per line.
 */
export interface RunOptions {
  /** Extra text printed after the result message of a successful transaction (not with --json). */
  describeResult?: (result: Record<string, unknown>) => string;
  /** The exit code of a successful transaction from its result (default: 0), e.g. 77 when nothing changed. */
  exitCodeOfResult?: (result: Record<string, unknown>) => number;
  /** Open files passed with the request (docs/fd-passing.md); params name them `{"fd": N}`. */
  fds?: number[];
}

export async function runTransaction(
  ctx: CliContext,
  method: string,
  params: Record<string, unknown>,
  json: boolean,
  { describeResult, exitCodeOfResult, fds = [] }: RunOptions = {},
): Promise<number> {
  const renderer = new ProgressRenderer(ctx.io.stdout, ctx.io.stdout.isTTY === true);
  const client = await ctx.connect((event, p) => {
    if (json) ctx.io.stdout.write(JSON.stringify({ method: event, params: p }) + '\n');
    else renderer.event(event.replace(/^Transaction\./, ''), p);
  });
  let interrupted = false;
  let id: string | undefined;
  const stopListening = ctx.io.onInterrupt?.(() => {
    if (interrupted || id === undefined) return;
    interrupted = true;
    renderer.finish();
    ctx.io.stderr.write(`Cancelling transaction ${id}...\n`);
    client.call('Transaction.Cancel', { id }).catch((err: Error) => ctx.io.stderr.write(`Cancel failed: ${err.message}\n`));
  });
  try {
    const started = await client.call<{ transaction?: string; message?: string }>(method, { ...params, detach: true }, { fds });
    if (started.transaction === undefined) {
      // Nothing was started (AutomaticUpdateTrigger with the none policy): the answer says why.
      ctx.io.stdout.write(json ? JSON.stringify({ result: started }) + '\n' : `${started.message ?? 'Nothing to do.'}\n`);
      return ExitCode.Ok;
    }
    id = started.transaction;
    return await watch(ctx, client, id, json, renderer, describeResult, exitCodeOfResult);
  } finally {
    stopListening?.();
    client.close();
  }
}

/** Follows a transaction by id and reports how it ended. */
export async function watch(
  ctx: CliContext,
  client: { call<T>(method: string, params?: Record<string, unknown>): Promise<T> },
  id: string,
  json: boolean,
  renderer: ProgressRenderer,
  describeResult?: (result: Record<string, unknown>) => string,
  exitCodeOfResult?: (result: Record<string, unknown>) => number,
): Promise<number> {
  const { transaction } = await client.call<{ transaction: TransactionObject }>('Transaction.Watch', { id });
  renderer.finish();
  if (json) {
    ctx.io.stdout.write(JSON.stringify({ transaction }) + '\n');
  } else if (transaction.state === 'succeeded') {
    const message = (transaction.result as { message?: string } | null)?.message;
    ctx.io.stdout.write(`${message ?? 'Done.'}\n`);
    if (describeResult !== undefined && transaction.result !== null) ctx.io.stdout.write(describeResult(transaction.result));
  } else if (transaction.state === 'cancelled') {
    ctx.io.stderr.write(`Transaction ${id} cancelled: ${transaction.error?.message ?? ''}\n`);
  } else {
    ctx.io.stderr.write(`error: ${transaction.error?.message ?? 'transaction failed'}\n`);
  }
  if (transaction.state === 'succeeded' && exitCodeOfResult !== undefined && transaction.result !== null) return exitCodeOfResult(transaction.result);
  return exitCodeOf(transaction);
}
