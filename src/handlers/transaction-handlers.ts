import type { DaemonConfig } from '../config/daemon-config.js';
import { ApiError } from '../api/errors.js';
import type { HandlerTable, ParamsOf, ResultOf } from '../dispatcher/handlers.js';
import { resolveOsName } from '../services/deployment-roles.js';
import type { SysrootService } from '../services/sysroot-service.js';
import type { TransactionManager } from '../transactions/transaction-manager.js';
import type { TransactionObject, TransactionRecord } from '../transactions/transaction.js';
import type { Logger } from '../util/logger.js';
import { writeAutomaticUpdateRun } from '../services/automatic-update-record.js';
import { answerSubmission, follow } from './transaction-call.js';
import { seesDetails, transactionFor } from '../transactions/transaction-visibility.js';

export interface TransactionHandlerDeps {
  manager: TransactionManager;
  sysroot: SysrootService;
  config: () => DaemonConfig;
  /** Where the last automatic update run is recorded. */
  stateDir: string;
  log: Logger;
}

/** OS.AutomaticUpdateTrigger and the Transaction interface (the operations: operation-handlers.ts). */
/** rpm-ostree's output-to-self: the transaction's messages go to the daemon's journal too. */
function journalProgress(manager: TransactionManager, tx: TransactionRecord, log: Logger): void {
  let stop: (() => void) | null = null;
  let ended = false;
  stop = manager.subscribe(tx, (event) => {
    if (ended) return;
    if (event.type === 'Message' || event.type === 'TaskBegin') log.info(`automatic update (${tx.id}): ${event.text ?? ''}`);
    if (event.type === 'Finished') {
      ended = true;
      log.info(`automatic update (${tx.id}): ${event.success === true ? 'done' : `failed: ${event.errorMessage ?? ''}`}`);
      stop?.();
    }
  });
  if (ended) stop();
}

export function transactionHandlers({ manager, sysroot, config, stateDir, log }: TransactionHandlerDeps): HandlerTable {
  return {
    'OS.AutomaticUpdateTrigger': async (params, ctx) => {
      const mode = params.mode === undefined || params.mode === 'auto' ? config().automaticUpdatePolicy : params.mode;
      const at = new Date().toISOString();
      if (mode === 'none') {
        writeAutomaticUpdateRun(stateDir, { at, mode, transaction: null });
        return { enabled: false, message: 'Automatic updates are off (AutomaticUpdatePolicy=none): nothing done.' };
      }
      // The policy's work is an Upgrade transaction: check caches the update, stage deploys it
      // (staged when booted, to take effect at the next boot).
      const osname = resolveOsName(sysroot.snapshot(), params.osname);
      const upgrade = mode === 'check' ? { check: true } : {};
      const submission = manager.submit('OS.Upgrade', upgrade, osname, `automatic update (${mode})`, ctx.peer);
      writeAutomaticUpdateRun(stateDir, { at, mode, transaction: submission.tx.id });
      if (params.outputToSelf !== false) journalProgress(manager, submission.tx, log);
      return { enabled: true, ...(await answerSubmission(manager, submission, params, ctx)) } as ResultOf<'OS.AutomaticUpdateTrigger'>;
    },

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
