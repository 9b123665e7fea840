import type { MethodSpec } from './method.js';
import * as applyLive from './methods/apply-live.js';
import * as osRead from './methods/os-read.js';
import * as osTransactions from './methods/os-transactions.js';
import * as overrides from './methods/override.js';
import * as pkgChange from './methods/pkg-change.js';
import * as sysroot from './methods/sysroot.js';
import * as updateDeployment from './methods/update-deployment.js';
import * as transaction from './methods/transaction.js';

/**
 * The method table: every API method, declared once. Dispatch, validation, the CLI, schema/,
 * the Varlink IDL, the D-Bus XML, the polkit policy and the man pages derive from it.
 */
export const METHODS = [
  sysroot.GetDeployments,
  sysroot.GetSysrootProperties,
  sysroot.GetOS,
  sysroot.Reload,
  sysroot.ReloadConfig,
  sysroot.RegisterClient,
  sysroot.UnregisterClient,
  osRead.GetOSProperties,
  osRead.Search,
  osRead.WhatProvides,
  osRead.GetPackages,
  osRead.GetDeploymentsAptDiff,
  osRead.GetCachedUpdateAptDiff,
  osRead.GetCachedDeployAptDiff,
  osRead.GetCachedRebaseAptDiff,
  osRead.GetDeploymentBootConfig,
  osRead.ListPackages,
  osRead.ListRepos,
  osTransactions.Deploy,
  osTransactions.Upgrade,
  osTransactions.Rollback,
  osTransactions.ClearRollbackTarget,
  osTransactions.Rebase,
  pkgChange.PkgChange,
  overrides.Override,
  osTransactions.KernelArgs,
  osTransactions.SetInitramfsState,
  osTransactions.InitramfsEtc,
  osTransactions.Cleanup,
  applyLive.ApplyLive,
  updateDeployment.UpdateDeployment,
  osTransactions.FinalizeDeployment,
  osTransactions.RefreshMd,
  osTransactions.AutomaticUpdateTrigger,
  transaction.List,
  transaction.Get,
  transaction.Watch,
  transaction.History,
  transaction.Cancel,
] as const satisfies readonly MethodSpec[];

export type AnyMethod = (typeof METHODS)[number];
export type MethodName = AnyMethod['name'];

const byName = new Map<string, AnyMethod>(METHODS.map((m) => [m.name, m]));

/** Look a method up by its JSON-RPC name. */
export function findMethod(name: string): AnyMethod | undefined {
  return byName.get(name);
}
