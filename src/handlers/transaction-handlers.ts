import type { DaemonConfig } from '../config/daemon-config.js';
import { ApiError } from '../api/errors.js';
import type { HandlerTable, ParamsOf, ResultOf } from '../dispatcher/handlers.js';
import type { CallContext } from '../dispatcher/call-context.js';
import { resolveOsName } from '../services/deployment-roles.js';
import type { SysrootService } from '../services/sysroot-service.js';
import type { TransactionManager } from '../transactions/transaction-manager.js';
import type { TransactionObject } from '../transactions/transaction.js';
import type { WorkerMethod } from '../worker/protocol.js';
import { writeAutomaticUpdateRun } from '../services/automatic-update-record.js';
import { answerTransaction, follow } from './transaction-call.js';
import { seesDetails, transactionFor } from '../transactions/transaction-visibility.js';

export interface TransactionHandlerDeps {
  manager: TransactionManager;
  sysroot: SysrootService;
  config: () => DaemonConfig;
  /** Where the last automatic update run is recorded. */
  stateDir: string;
}

/** LockLayering=true: package changes are refused before anything is queued. */
function refuseIfLayeringLocked(config: DaemonConfig, packages: (readonly string[] | undefined)[]): void {
  if (config.lockLayering && packages.some((p) => (p ?? []).length > 0)) {
    throw new ApiError('LayeringLocked', 'Package layering is locked by the administrator (LockLayering=true)');
  }
}

/** OS.Upgrade, OS.Deploy, OS.Rollback and the Transaction interface. */
export function transactionHandlers({ manager, sysroot, config, stateDir }: TransactionHandlerDeps): HandlerTable {
  /** Resolves the OS, submits (or joins) and answers the JSON-RPC way. */
  const start = async <R>(
    method: WorkerMethod,
    params: Record<string, unknown> & { osname?: string; detach?: boolean },
    title: string,
    ctx: CallContext,
  ): Promise<R> => {
    manager.prepareWorker();
    const osname = resolveOsName(sysroot.snapshot(), params.osname);
    const { tx } = manager.submit(method, params, osname, title, ctx.peer);
    return (await answerTransaction(manager, tx, params, ctx)) as R;
  };

  return {
    'OS.Upgrade': (params, ctx) => {
      const title = ['upgrade', params.downloadOnly ? '--download-only' : '', params.allowDowngrade ? '--allow-downgrade' : '']
        .filter((w) => w !== '')
        .join(' ');
      return start<ResultOf<'OS.Upgrade'>>('OS.Upgrade', params, title, ctx);
    },
    'OS.Deploy': (params, ctx) => start<ResultOf<'OS.Deploy'>>('OS.Deploy', params, `deploy ${params.revision}`, ctx),
    'OS.Rollback': (params, ctx) => start<ResultOf<'OS.Rollback'>>('OS.Rollback', params, 'rollback', ctx),
    'OS.Rebase': (params, ctx) => {
      refuseIfLayeringLocked(config(), [params.packages]);
      return start<ResultOf<'OS.Rebase'>>('OS.Rebase', params, `rebase ${params.refspec}`, ctx);
    },
    'OS.RefreshMd': (params, ctx) =>
      start<ResultOf<'OS.RefreshMd'>>('OS.RefreshMd', params, params.force === true ? 'refresh-md --force' : 'refresh-md', ctx),
    'OS.PkgChange': (params, ctx) => {
      refuseIfLayeringLocked(config(), [params.add, params.remove]);
      const words = [...(params.add ?? []).map((p) => `+${p}`), ...(params.remove ?? []).map((p) => `-${p}`)];
      return start<ResultOf<'OS.PkgChange'>>('OS.PkgChange', params, `pkg-change ${words.join(' ')}`, ctx);
    },
    'OS.UpdateDeployment': (params, ctx) => {
      const m = params.modifiers;
      refuseIfLayeringLocked(config(), [m.installPackages, m.uninstallPackages]);
      const title = m.setRefspec !== undefined ? `rebase ${m.setRefspec}` : m.setRevision !== undefined ? `deploy ${m.setRevision}` : 'upgrade';
      return start<ResultOf<'OS.UpdateDeployment'>>('OS.UpdateDeployment', params, title, ctx);
    },
    'OS.Cleanup': (params, ctx) =>
      start<ResultOf<'OS.Cleanup'>>('OS.Cleanup', params, `cleanup ${[...params.elements].sort().join(' ')}`, ctx),
    'OS.KernelArgs': (params, ctx) => {
      const edits = ['append', 'replace', 'delete', 'appendIfMissing', 'deleteIfPresent'] as const;
      const title = ['kargs', ...edits.flatMap((k) => (params[k] ?? []).map((a) => `--${k}=${a}`))].join(' ');
      return start<ResultOf<'OS.KernelArgs'>>('OS.KernelArgs', params, title, ctx);
    },

    'OS.AutomaticUpdateTrigger': async (params, ctx) => {
      const mode = params.mode ?? config().automaticUpdatePolicy;
      const at = new Date().toISOString();
      if (mode === 'none') {
        writeAutomaticUpdateRun(stateDir, { at, mode, transaction: null });
        return { enabled: false, message: 'Automatic updates are off (AutomaticUpdatePolicy=none): nothing done.' };
      }
      // The policy's work is an Upgrade transaction: check caches the update, stage deploys it
      // (staged when booted, to take effect at the next boot).
      const osname = resolveOsName(sysroot.snapshot(), params.osname);
      const upgrade = mode === 'check' ? { check: true } : {};
      const { tx } = manager.submit('OS.Upgrade', upgrade, osname, `automatic update (${mode})`, ctx.peer);
      writeAutomaticUpdateRun(stateDir, { at, mode, transaction: tx.id });
      return { enabled: true, ...(await answerTransaction(manager, tx, params, ctx)) } as ResultOf<'OS.AutomaticUpdateTrigger'>;
    },

    'OS.SetInitramfsState': (params, ctx) => {
      const title = params.regenerate ? ['initramfs --enable', ...(params.args ?? []).map((a) => `--arg=${a}`)].join(' ') : 'initramfs --disable';
      return start<ResultOf<'OS.SetInitramfsState'>>('OS.SetInitramfsState', params, title, ctx);
    },

    'OS.FinalizeDeployment': (params, ctx) =>
      start<ResultOf<'OS.FinalizeDeployment'>>('OS.FinalizeDeployment', params, `finalize-deployment ${params.checksum}`, ctx),

    // Reads: the whole transaction for its initiator and root, id/method/state/times for others.
    'Transaction.List': (_params, ctx) => ({ transactions: manager.list().map((t) => transactionFor(t.toJSON(), ctx.peer)) }),

    'Transaction.Get': ({ id }, ctx) => ({ transaction: transactionFor(lookup(manager, id), ctx.peer) }),

    'Transaction.Watch': async ({ id }: ParamsOf<'Transaction.Watch'>, ctx) => {
      const tx = manager.find(id);
      if (tx === undefined) return { transaction: transactionFor(lookup(manager, id), ctx.peer) };
      const details = seesDetails(tx.caller?.uid ?? null, ctx.peer);
      return { transaction: transactionFor((await follow(manager, tx, ctx, details)).toJSON(), ctx.peer) };
    },

    'Transaction.History': async ({ limit }, ctx) => ({ transactions: (await manager.history(limit ?? 50)).map((t) => transactionFor(t, ctx.peer)) }),

    'Transaction.Cancel': async ({ id }) => {
      const tx = await manager.cancel(id);
      if (tx.state !== 'cancelled') {
        // It ended another way while the cancellation was under way (e.g. its worker had just finished).
        throw new ApiError('TooLateToCancel', `Transaction ${tx.id} ${tx.state} before it could be cancelled`, {
          transaction: tx.id,
        });
      }
      return { transaction: tx.id };
    },
  };
}

function lookup(manager: TransactionManager, id: string): TransactionObject {
  const found = manager.lookup(id);
  if (found === undefined) throw new ApiError('NoSuchTransaction', `No transaction ${id}`, { transaction: id });
  return 'toJSON' in found ? found.toJSON() : found;
}
