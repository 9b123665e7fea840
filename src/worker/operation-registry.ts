/**
 * Every transaction operation, collected: the daemon takes titles, prechecks and the reboot
 * rule from here, the worker the code it runs. Adding an operation is adding its file to the list.
 */
import type { ParamsOf } from '../api/method-types.js';
import type { OperationContext } from './operation-context.js';
import type { OperationDefinition, OperationMethod, OperationOutput } from './define-operation.js';
import applyLive from './operations/apply-live.js';
import cleanup from './operations/cleanup.js';
import clearRollbackTarget from './operations/clear-rollback-target.js';
import deploy from './operations/deploy.js';
import finalizeDeployment from './operations/finalize-deployment.js';
import initramfsEtc from './operations/initramfs-etc.js';
import setInitramfsState from './operations/initramfs-state.js';
import kernelArgs from './operations/kernel-args.js';
import override from './operations/override.js';
import pkgChange from './operations/pkg-change.js';
import rebase from './operations/rebase.js';
import refreshMd from './operations/refresh-md.js';
import rollback from './operations/rollback.js';
import updateDeployment from './operations/update-deployment.js';
import upgrade from './operations/upgrade.js';

const OPERATIONS = [
  upgrade,
  deploy,
  rollback,
  rebase,
  pkgChange,
  override,
  kernelArgs,
  setInitramfsState,
  initramfsEtc,
  cleanup,
  applyLive,
  clearRollbackTarget,
  updateDeployment,
  finalizeDeployment,
  refreshMd,
] as const;

type Registry = { readonly [N in OperationMethod]: OperationDefinition<N> };

/** Fails to compile, naming the method, when an operation method has no operation in the list. */
type Missing = Exclude<OperationMethod, (typeof OPERATIONS)[number]['method']>;
const complete: [Missing] extends [never] ? true : Missing = true;
void complete;

// Keyed by each definition's own `method`, so entry N is OperationDefinition<N>.
const REGISTRY = Object.fromEntries(OPERATIONS.map((op) => [op.method, op])) as unknown as Registry;

/** Every operation method. */
export const OPERATION_METHODS: readonly OperationMethod[] = OPERATIONS.map((op) => op.method);

export function isOperationMethod(method: string): method is OperationMethod {
  return Object.hasOwn(REGISTRY, method);
}

/** The operation of a method. */
export function operationOf<N extends OperationMethod>(method: N): OperationDefinition<N> {
  return REGISTRY[method];
}

/** Runs operation `method` (in the worker); `params` were validated against its schema by the daemon. */
export function runOperation<N extends OperationMethod>(method: N, ctx: OperationContext, params: ParamsOf<N>): Promise<OperationOutput<N>> {
  return operationOf(method).run(ctx, params);
}

/**
 * Whether the daemon runs the reboot command after `method` succeeded with `params` (as the
 * engine keeps them: validated against the method's schema when the request was submitted).
 */
export function rebootsAfter(method: OperationMethod, params: Record<string, unknown>): boolean {
  const rule = operationOf(method).reboot;
  if (rule === 'always') return true;
  if (rule === undefined) return params.reboot === true;
  return (rule as (p: Record<string, unknown>) => boolean)(params);
}
