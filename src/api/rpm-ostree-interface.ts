/**
 * rpm-ostree's published D-Bus interface, as data: every method (in and out signatures),
 * property and signal of `org.projectatomic.rpmostree1.{Sysroot,OS,OSExperimental,Transaction}`,
 * written down from rpm-ostree's `src/daemon/org.projectatomic.rpmostree1.xml`
 * (github.com/coreos/rpm-ostree, June 2026). Its clients are written against exactly this: the
 * compatibility table in docs/rpm-ostree-compatibility.md is generated from it and from the
 * method table, and the D-Bus tests drive a Gio client that checks every type against it.
 */

export type RpmOstreeInterface = 'Sysroot' | 'OS' | 'OSExperimental' | 'Transaction';

export interface RpmOstreeMember {
  interface: RpmOstreeInterface;
  kind: 'method' | 'property' | 'signal';
  name: string;
  /** Method: in-arguments; signal: arguments; property: its type. */
  in: string;
  /** Method: out-arguments. */
  out: string;
}

const m = (i: RpmOstreeInterface, name: string, inSig: string, outSig: string): RpmOstreeMember => ({
  interface: i,
  kind: 'method',
  name,
  in: inSig,
  out: outSig,
});
const p = (i: RpmOstreeInterface, name: string, type: string): RpmOstreeMember => ({ interface: i, kind: 'property', name, in: type, out: '' });
const s = (i: RpmOstreeInterface, name: string, args: string): RpmOstreeMember => ({ interface: i, kind: 'signal', name, in: args, out: '' });

export const RPM_OSTREE_MEMBERS: readonly RpmOstreeMember[] = [
  m('Sysroot', 'RegisterClient', 'a{sv}', ''),
  m('Sysroot', 'UnregisterClient', 'a{sv}', ''),
  m('Sysroot', 'Reload', '', ''),
  m('Sysroot', 'ReloadConfig', '', ''),
  m('Sysroot', 'GetOS', 's', 'o'),
  p('Sysroot', 'Booted', 'o'),
  p('Sysroot', 'Path', 's'),
  p('Sysroot', 'ActiveTransaction', '(sss)'),
  p('Sysroot', 'ActiveTransactionPath', 's'),
  p('Sysroot', 'AutomaticUpdatePolicy', 's'),
  p('Sysroot', 'Deployments', 'aa{sv}'),
  m('OS', 'AutomaticUpdateTrigger', 'a{sv}', 'bs'),
  m('OS', 'GetDeploymentsRpmDiff', 'ss', 'a(sua{sv})'),
  m('OS', 'Deploy', 'sa{sv}', 's'),
  m('OS', 'GetCachedDeployRpmDiff', 'sas', 'a(sua{sv})a{sv}'),
  m('OS', 'DownloadDeployRpmDiff', 'sas', 's'),
  m('OS', 'Upgrade', 'a{sv}', 's'),
  m('OS', 'GetCachedUpdateRpmDiff', 's', 'a(sua{sv})a{sv}'),
  m('OS', 'DownloadUpdateRpmDiff', '', 's'),
  m('OS', 'Rollback', 'a{sv}', 's'),
  m('OS', 'ClearRollbackTarget', 'a{sv}', 's'),
  m('OS', 'Rebase', 'a{sv}sas', 's'),
  m('OS', 'GetCachedRebaseRpmDiff', 'sas', 'a(sua{sv})a{sv}'),
  m('OS', 'DownloadRebaseRpmDiff', 'sas', 's'),
  m('OS', 'PkgChange', 'a{sv}asas', 's'),
  m('OS', 'SetInitramfsState', 'basa{sv}', 's'),
  m('OS', 'InitramfsEtc', 'asasbba{sv}', 's'),
  m('OS', 'KernelArgs', 'sasasasa{sv}', 's'),
  m('OS', 'GetDeploymentBootConfig', 'sb', 'a{sv}'),
  m('OS', 'Cleanup', 'as', 's'),
  m('OS', 'RefreshMd', 'a{sv}', 's'),
  m('OS', 'ModifyYumRepo', 'sa{ss}', 's'),
  m('OS', 'ListRepos', '', 'aa{sv}'),
  m('OS', 'UpdateDeployment', 'a{sv}a{sv}', 's'),
  m('OS', 'FinalizeDeployment', 'a{sv}', 's'),
  m('OS', 'WhatProvides', 'as', 'aa{sv}'),
  m('OS', 'GetPackages', 'as', 'aa{sv}'),
  m('OS', 'Search', 'as', 'aa{sv}'),
  p('OS', 'BootedDeployment', 'a{sv}'),
  p('OS', 'DefaultDeployment', 'a{sv}'),
  p('OS', 'RollbackDeployment', 'a{sv}'),
  p('OS', 'CachedUpdate', 'a{sv}'),
  p('OS', 'HasCachedUpdateRpmDiff', 'b'),
  p('OS', 'Name', 's'),
  m('OSExperimental', 'Moo', 'b', 's'),
  m('OSExperimental', 'LiveFs', 'a{sv}', 's'),
  m('OSExperimental', 'DownloadPackages', 'ass', ''),
  m('Transaction', 'Cancel', '', ''),
  m('Transaction', 'Start', '', 'b'),
  p('Transaction', 'Title', 's'),
  p('Transaction', 'InitiatingClientDescription', 's'),
  s('Transaction', 'Finished', 'bs'),
  s('Transaction', 'Message', 's'),
  s('Transaction', 'TaskBegin', 's'),
  s('Transaction', 'TaskEnd', 's'),
  s('Transaction', 'PercentProgress', 'su'),
  s('Transaction', 'DownloadProgress', '(tt)(uu)(uuu)(uuut)(uu)(tt)'),
  s('Transaction', 'SignatureProgress', 'avs'),
  s('Transaction', 'ProgressEnd', ''),
];
