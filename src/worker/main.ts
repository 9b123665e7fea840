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
  // Operations are loaded on demand: each pulls in libostree bindings the others may not need.
  switch (message.method) {
    case 'OS.Upgrade': {
      const { upgrade } = await import('./operations/upgrade.js');
      return { type: 'done', result: await upgrade(ctx, message.params) };
    }
    case 'OS.Deploy': {
      const { deploy } = await import('./operations/deploy.js');
      return { type: 'done', result: await deploy(ctx, message.params as { revision: string }) };
    }
    case 'OS.Rollback': {
      const { rollback } = await import('./operations/rollback.js');
      return { type: 'done', result: await rollback(ctx) };
    }
    case 'OS.KernelArgs': {
      const { kernelArgs } = await import('./operations/kernel-args.js');
      return { type: 'done', result: await kernelArgs(ctx, message.params) };
    }
    case 'OS.UpdateDeployment': {
      const { updateDeployment } = await import('./operations/update-deployment.js');
      return { type: 'done', result: await updateDeployment(ctx, message.params as never) };
    }
    case 'OS.Rebase': {
      const { rebase } = await import('./operations/rebase.js');
      return { type: 'done', result: await rebase(ctx, message.params as { refspec: string }) };
    }
    case 'OS.Cleanup': {
      const { cleanup } = await import('./operations/cleanup.js');
      return { type: 'done', result: await cleanup(ctx, message.params as { elements: ('base' | 'pending-deploy' | 'rollback-deploy' | 'metadata')[] }) };
    }
    case 'OS.PkgChange': {
      const { pkgChange } = await import('./operations/pkg-change.js');
      return { type: 'done', result: await pkgChange(ctx, message.params) };
    }
    case 'OS.RefreshMd': {
      const { refreshMd } = await import('./operations/refresh-md.js');
      return { type: 'done', result: await refreshMd(ctx, message.params as { force?: boolean }) };
    }
    case 'OS.FinalizeDeployment': {
      const { finalizeDeployment } = await import('./operations/finalize-deployment.js');
      return { type: 'done', result: await finalizeDeployment(ctx, message.params as { checksum: string }) };
    }
    case 'OS.SetInitramfsState': {
      const { setInitramfsState } = await import('./operations/initramfs-state.js');
      return { type: 'done', result: await setInitramfsState(ctx, message.params as { regenerate: boolean; args?: string[] }) };
    }
    case 'recover': {
      const { recover } = await import('./operations/recover.js');
      const refs = (message.params.refsBefore ?? null) as Record<string, string> | null;
      const id = (message.params.transactionId ?? null) as string | null;
      return { type: 'done', result: await recover(message.sysroot, refs, id) };
    }
  }
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
