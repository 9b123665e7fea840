/**
 * One transaction operation, declared once: the method it implements, how its transactions are
 * titled, what it refuses before authorization, whether success reboots, and what it does. The
 * daemon uses the first four (titles, prechecks, the reboot rule); the worker process runs
 * `run`. Every operation is one file in ./operations/, collected by ./operation-registry.ts.
 */
import type { ParamsOf, ResultOf, TransactionMethodName } from '../api/method-types.js';
import type { DaemonConfig } from '../config/daemon-config.js';
import type { Deployment } from '../api/types/deployment.js';
import type { OsRoles } from '../services/deployment-roles.js';
import type { OperationContext } from './operation-context.js';

/** The methods a worker runs: every transaction method but the automatic-update trigger, which starts an Upgrade. */
export type OperationMethod = Exclude<TransactionMethodName, 'OS.AutomaticUpdateTrigger'>;

/** What the daemon knows when it prechecks a request, without doing any work. */
export interface PrecheckContext {
  /** The OS the request acts on (an unknown one was refused already: NoSuchOS). */
  readonly osname: string;
  /** The deployments of that OS, in boot order, read now. */
  readonly deployments: readonly Deployment[];
  /** Their roles. */
  readonly roles: OsRoles;
  /** The sysroot is the booted system's (some deployment is booted). */
  readonly sysrootBooted: boolean;
  readonly config: DaemonConfig;
  /**
   * Nothing runs or waits: the deployments the precheck sees are those the operation will start
   * from. Checks of the deployments apply only then (a queued request is checked by its worker).
   */
  readonly idle: boolean;
}

/** An operation's result: its method's result without the transaction id, which the engine adds. */
export type OperationOutput<N extends OperationMethod> = Omit<ResultOf<N>, 'transaction'>;

export interface OperationDefinition<N extends OperationMethod> {
  readonly method: N;
  /** The transaction's title, as status and history show it (rpm-ostree's style: the command line). */
  title(params: ParamsOf<N>): string;
  /** Refuses (throws an ApiError) what can be decided without work, before authorization. */
  precheck?(ctx: PrecheckContext, params: ParamsOf<N>): void;
  /**
   * When the daemon runs the reboot command after success: 'always' (FinalizeDeployment: the
   * shutdown is what finalizes), or when this says so; by default when the request has `reboot: true`.
   */
  readonly reboot?: 'always' | ((params: ParamsOf<N>) => boolean);
  /**
   * The params naming files the request passed (`{"fd": N}`, docs/fd-passing.md): the daemon
   * stores each before the transaction starts and gives the worker their sha256s as
   * `receivedFiles`, in this order.
   */
  receivesFiles?(params: ParamsOf<N>): { param: string; refs: readonly unknown[] };
  /** The work, in the worker process. */
  run(ctx: OperationContext, params: ParamsOf<N>): Promise<OperationOutput<N>>;
}

/** Declares an operation, keeping its params typed from the method table. */
export function defineOperation<const N extends OperationMethod>(op: OperationDefinition<N>): OperationDefinition<N> {
  return op;
}
