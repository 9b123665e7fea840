/**
 * The handler and the precheck of every transaction operation, derived from its definition
 * (src/worker/operations/): precheck (before authorization), then submit to the engine under
 * the operation's title, then answer the JSON-RPC way (transaction-call.ts).
 */
import type { TransactionOptions } from '../api/method.js';
import type { ParamsOf } from '../api/method-types.js';
import type { DaemonConfig } from '../config/daemon-config.js';
import type { CallContext } from '../dispatcher/call-context.js';
import type { Handler, HandlerTable, Precheck, PrecheckTable } from '../dispatcher/handlers.js';
import { resolveOsName, rolesOf } from '../services/deployment-roles.js';
import type { SysrootService } from '../services/sysroot-service.js';
import type { TransactionManager } from '../transactions/transaction-manager.js';
import type { OperationDefinition, OperationMethod, PrecheckContext } from '../worker/define-operation.js';
import { OPERATION_METHODS, operationOf } from '../worker/operation-registry.js';
import { answerSubmission, type Submission } from './transaction-call.js';
import { ReceivedFileHolds } from './received-file-holds.js';
import { receiveDebs } from './received-files.js';
import { receivedDir } from '../services/received-dir.js';

export interface OperationHandlerDeps {
  manager: TransactionManager;
  sysroot: SysrootService;
  config: () => DaemonConfig;
  /** The daemon's cache dir: files requests pass wait under it (received-files.ts). */
  cacheDir: string;
}

/**
 * A request's params as the engine keeps them. Every transaction method's params are an object
 * with the common options (api/method.ts transactionParams); TypeScript cannot see that through
 * the generic ParamsOf<N>.
 */
function wire<N extends OperationMethod>(params: ParamsOf<N>): TransactionOptions & Record<string, unknown> {
  return params as TransactionOptions & Record<string, unknown>;
}

/** The checks every operation gets, then its own: NoSuchOS, noQueue while busy, then `op.precheck`. */
function precheckOf<N extends OperationMethod>(op: OperationDefinition<N>, deps: OperationHandlerDeps) {
  return (params: ParamsOf<N>): string => {
    const options = wire(params);
    const snapshot = deps.sysroot.snapshot();
    const osname = resolveOsName(snapshot, options.osname);
    deps.manager.refuseIfNoQueue(op.method, options, osname);
    if (op.precheck !== undefined) {
      const ctx: PrecheckContext = {
        osname,
        deployments: snapshot.deployments.filter((d) => d.osname === osname),
        roles: rolesOf(snapshot, osname),
        sysrootBooted: snapshot.deployments.some((d) => d.booted),
        config: deps.config(),
        idle: deps.manager.idle,
      };
      op.precheck(ctx, params);
    }
    return osname;
  };
}

function entriesOf<N extends OperationMethod>(
  op: OperationDefinition<N>,
  deps: OperationHandlerDeps,
  received: ReceivedFileHolds,
): { handler: Handler<N>; precheck: Precheck<N> } {
  const precheck = precheckOf(op, deps);
  const handler = async (params: ParamsOf<N>, ctx: CallContext) => {
    deps.manager.prepareWorker();
    // Again at act time: the state may have changed while polkit was asked (or, over D-Bus,
    // until the client called Start()).
    const osname = precheck(params);
    const files = op.receivesFiles?.(params) ?? { param: '', refs: [] };
    const sha256s = files.refs.length === 0 ? [] : receiveDebs(ctx, files.refs, received, files.param);
    const options = sha256s.length === 0 ? wire(params) : { ...wire(params), receivedFiles: sha256s };
    let submission: Submission;
    try {
      submission = deps.manager.submit(op.method, options, osname, op.title(params), ctx.peer);
    } catch (e) {
      received.release(sha256s);
      throw e;
    }
    // The files are the transaction's (or the one it joined) until it ends, whoever follows it.
    if (sha256s.length > 0) void submission.tx.done.then(() => received.release(sha256s));
    return answerSubmission(deps.manager, submission, options, ctx);
  };
  // The engine's answer is the operation's result (its method's result schema) plus the transaction id.
  const precheckAndTitle: Precheck<N> = (params, ctx) => {
    // The worker forks while the precheck reads the sysroot (the first read loads libostree).
    deps.manager.prepareWorker();
    precheck(params);
    ctx.transactionTitle?.(op.title(params));
  };
  return { handler: handler as unknown as Handler<N>, precheck: precheckAndTitle };
}

/** Handlers and prechecks of every operation of the registry. */
export function operationHandlers(deps: OperationHandlerDeps): { handlers: HandlerTable; prechecks: PrecheckTable } {
  const handlers: Record<string, unknown> = {};
  const prechecks: Record<string, unknown> = {};
  const received = new ReceivedFileHolds(receivedDir(deps.cacheDir));
  for (const method of OPERATION_METHODS) {
    const e = entriesOf(operationOf(method), deps, received);
    handlers[method] = e.handler;
    prechecks[method] = e.precheck;
  }
  // Each entry was made for its own method by entriesOf above.
  return { handlers: handlers as HandlerTable, prechecks: prechecks as PrecheckTable };
}
