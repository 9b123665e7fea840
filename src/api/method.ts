import type { ErrorName } from './errors.js';
import type { PolkitAction } from './polkit-actions.js';
import { t, type AnyType, type Props, type SomeObjectType, type Static } from './schema-builder.js';
import { CommandLineText, OsName } from './types/patterns.js';

/**
 * read: answers at once, open to everyone. transaction: changes the system; queued,
 * authorized, run by the worker, streams progress. control: acts on the daemon itself.
 */
type MethodKind = 'read' | 'transaction' | 'control';

/** Interfaces, mirroring rpm-ostree's D-Bus interfaces (Sysroot, OS, Transaction). */
export type InterfaceName = 'Sysroot' | 'OS' | 'Transaction';

/** The declaration of one API method: the only place the method is described. */
/** `<Interface>.<Member>`, the JSON-RPC method name. */
type MethodNameString = `${InterfaceName}.${string}`;

export interface MethodSpec<
  P extends SomeObjectType = SomeObjectType,
  R extends AnyType = AnyType,
  N extends MethodNameString = MethodNameString,
  K extends MethodKind = MethodKind,
> {
  readonly name: N;
  readonly kind: K;
  /** One line for docs, CLI help and interface descriptions. */
  readonly doc: string;
  readonly params: P;
  readonly result: R;
  /** polkit action a non-root caller needs; null for methods open to everyone. */
  readonly action: PolkitAction | null;
  /** For methods whose action depends on the request (UpdateDeployment). */
  readonly selectAction?: (params: Static<P>) => PolkitAction;
  /** Application errors the method can raise besides the ones every method can. */
  readonly errors: readonly ErrorName[];
}

/** Declares a method, keeping its precise params/result types for handlers. */
export function defineMethod<P extends SomeObjectType, R extends AnyType, const N extends MethodNameString, const K extends MethodKind>(
  spec: MethodSpec<P, R, N, K>,
): MethodSpec<P, R, N, K> {
  return spec;
}

/**
 * The option of every method that may ask polkit (a non-null action): a refusal that polkit
 * would turn into a password prompt suggests it, so every such method must accept it.
 */
export const interactiveAuthOption = {
  allowInteractiveAuthentication: t.optional(t.boolean({ doc: 'Let polkit ask the user for a password.' })),
};

/** Options every transaction method accepts (docs/design-decisions.md "Parameters"). */
function transactionOptions<const WithReboot extends boolean>(withReboot: WithReboot) {
  const common = {
    osname: t.optional(OsName),
    detach: t.optional(t.boolean({ doc: 'Answer at once with the transaction id instead of at the end.' })),
    noQueue: t.optional(t.boolean({ doc: 'Fail with TransactionInProgress instead of queueing.' })),
    initiatingCommandLine: t.optional(CommandLineText),
    ...interactiveAuthOption,
  };
  const reboot = { reboot: t.optional(t.boolean({ doc: 'Reboot after success.' })) };
  return (withReboot ? { ...common, ...reboot } : common) as WithReboot extends true ? typeof common & typeof reboot : typeof common;
}

/** Params object of a transaction method: its own fields plus the common options. */
export function transactionParams<P extends Props, const WithReboot extends boolean>(props: P, withReboot: WithReboot) {
  return t.object({ ...transactionOptions(withReboot), ...props });
}

/** The options every transaction method's params have (reboot only where it applies). */
export type TransactionOptions = Partial<Static<ReturnType<typeof transactionParams<Record<never, never>, true>>>>;
