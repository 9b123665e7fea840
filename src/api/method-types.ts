/**
 * The TypeScript types of the API's requests, answers and shared objects, derived from the
 * method table and the schemas. Clients (the CLI) and the daemon both read them here, so a
 * client needs nothing below src/api to know what the daemon sends.
 */
import type { AnyMethod, MethodName } from './method-table.js';
import type { Static } from './schema-builder.js';
import type { Deployment } from './types/deployment.js';
import type { PackageInfo } from './types/package.js';
import type { Transaction } from './types/transaction.js';

/** The table's declaration of the method named N. */
export type MethodByName<N extends MethodName> = Extract<AnyMethod, { name: N }>;

/** The params object of method N, as validated by the daemon. */
export type ParamsOf<N extends MethodName> = Static<MethodByName<N>['params']>;
/** The result of method N. */
export type ResultOf<N extends MethodName> = Static<MethodByName<N>['result']>;
/** The methods that change the system through a transaction. */
export type TransactionMethodName = Extract<AnyMethod, { kind: 'transaction' }>['name'];

/** A deployment as every transport shows it. */
export type DeploymentObject = Static<typeof Deployment>;
/** A transaction as every transport shows it. */
export type TransactionObject = Static<typeof Transaction>;
/** A package as package queries report it. */
export type PackageInfoObject = Static<typeof PackageInfo>;
