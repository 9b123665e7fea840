/**
 * The worker process: runs one operation of one transaction and exits. The daemon starts it
 * with an IPC channel, sends a `run` message, and may kill it at any moment before the point
 * of no return (that is how Cancel works: a pull inside libostree stops at once).
 */
import { OperationError, type OperationContext } from './operation-context.js';
import type { FromWorker, RunMessage, ToWorker } from './protocol.js';
import { join } from 'node:path';
import { readRefs } from '../backends/ostree/write/ref-snapshot.js';
import { dieWithParent } from './parent-death.js';
import { preloadLibraries } from './preload.js';
import type { ParamsOf } from '../api/method-types.js';
import type { OperationMethod } from './define-operation.js';
import { runOperation } from './operation-registry.js';
import { recover } from './recover.js';

function send(message: FromWorker): void {
  process.send?.(message);
}

async function run(message: RunMessage): Promise<FromWorker> {
  let proceed: (() => void) | null = null;
  process.on('message', (m: ToWorker) => {
    if (m.type === 'proceed' && proceed !== null) proceed();
  });
  const ctx: OperationContext = {
    sysroot: message.sysroot,
    osname: message.osname,
    transactionId: message.transactionId,
    config: message.config,
    emit: (event) => send({ type: 'event', event }),
    locked: () => send({ type: 'locked', refs: readRefs(join(message.sysroot, 'ostree', 'repo')) }),
    pointOfNoReturn: () =>
      new Promise<void>((resolve) => {
        proceed = resolve;
        send({ type: 'pointOfNoReturn' });
      }),
  };
  if (message.method === 'recover') {
    const { refsBefore, transactionId } = message.params;
    return { type: 'done', result: await recover(message.sysroot, refsBefore, transactionId) };
  }
  // The daemon validated the params against this method's schema before it queued the transaction.
  const params = message.params as ParamsOf<OperationMethod>;
  return { type: 'done', result: await runOperation(message.method, ctx, params) };
}

dieWithParent();
// A spare worker loads libostree while it waits for its transaction (see worker-pool.ts).
if (process.env.APT_OSTREED_WORKER_PRELOAD === '1') preloadLibraries();
process.once('message', (message: ToWorker) => {
  if (message.type !== 'run') return;
  run(message)
    .catch((err: unknown): FromWorker => {
      const errorName = err instanceof OperationError ? err.errorName : 'Failed';
      return { type: 'failed', errorName, message: err instanceof Error ? err.message : String(err) };
    })
    // Disconnect only once the final message is written: disconnecting drops queued messages.
    .then((final) => process.send?.(final, () => process.disconnect?.()));
});
