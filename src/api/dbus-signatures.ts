/**
 * How each method of the table appears on D-Bus: the signatures of rpm-ostree's D-Bus interface
 * for the methods it has, and those of docs/design-decisions.md for the others. A method is either a D-Bus method with
 * positional arguments — params fields, and `options`, the a{sv} that carries every other
 * param under its rpm-ostree kebab-case key — or not a D-Bus method at all: the
 * `GetProperties` methods are the objects' properties, `GetDeployments` is the `Deployments`
 * property, and the Transaction interface's methods are the transaction objects' own
 * (Start, Cancel, signals). A test checks that every method of the table is here.
 */
import type { InterfaceName } from './method.js';
import type { MethodName } from './method-table.js';

/** The daemon's name on the system bus, and the prefix of its interfaces. */
export const BUS_NAME = 'org.projectatomic.aptostree1';
export const dbusInterfaceName = (i: InterfaceName | 'OSExperimental'): string => `${BUS_NAME}.${i}`;

/** One positional argument: a params field (in) or a result field (out), and its signature. */
export interface DbusArg {
  name: string;
  type: string;
  field: string;
}

export interface DbusMethod {
  /** In-args in order; `options` is the a{sv} of the remaining params. */
  in: readonly (DbusArg | 'options')[];
  /** Out-args; a transaction method answers its address (`transaction_address`). */
  out: readonly DbusArg[];
}

/** Why a method of the table is not a D-Bus method. */
type NotOnDbus = { property: string } | { transactionObject: true };

const arg = (name: string, type: string, field: string): DbusArg => ({ name, type, field });
/** The field of an rpm-ostree argument this API has no param for: accepted empty, else NotSupported. */
export const EMPTY_ONLY = '';
const address = arg('transaction_address', 's', 'transaction');
const packages = [arg('packages', 'aa{sv}', 'packages')];
const diff = arg('changes', 'a(sua{sv})', 'changes');

export const DBUS_SIGNATURES: Record<MethodName, DbusMethod | NotOnDbus> = {
  'Sysroot.GetDeployments': { property: 'Deployments' },
  'Sysroot.GetProperties': { property: '*' },
  'Sysroot.GetOS': { in: [arg('name', 's', 'name')], out: [arg('object_path', 'o', 'objectPath')] },
  'Sysroot.Reload': { in: [], out: [] },
  'Sysroot.ReloadConfig': { in: [], out: [] },
  'Sysroot.RegisterClient': { in: ['options'], out: [] },
  'Sysroot.UnregisterClient': { in: ['options'], out: [] },
  'OS.GetProperties': { property: '*' },
  'OS.Search': { in: [arg('names', 'as', 'names')], out: packages },
  'OS.WhatProvides': { in: [arg('provides', 'as', 'provides')], out: packages },
  'OS.GetPackages': { in: [arg('names', 'as', 'names')], out: packages },
  'OS.GetDeploymentsAptDiff': { in: [arg('id0', 's', 'from'), arg('id1', 's', 'to')], out: [diff] },
  'OS.GetCachedUpdateAptDiff': { in: [arg('id', 's', 'id')], out: [diff, arg('details', 'a{sv}', 'update')] },
  // rpm-ostree's `packages` argument of the previews: layering along is not previewed (it must be empty).
  'OS.GetCachedDeployAptDiff': { in: [arg('revision', 's', 'revision'), arg('packages', 'as', EMPTY_ONLY)], out: [diff, arg('details', 'a{sv}', 'preview')] },
  'OS.GetCachedRebaseAptDiff': { in: [arg('refspec', 's', 'refspec'), arg('packages', 'as', EMPTY_ONLY)], out: [diff, arg('details', 'a{sv}', 'preview')] },
  'OS.GetDeploymentBootConfig': {
    in: [arg('deployid', 's', 'deployment'), arg('is_pending', 'b', 'isPending')],
    out: [arg('bootconfig', 'a{sv}', 'bootconfig')],
  },
  'OS.ListRepos': { in: [], out: [arg('repos', 'aa{sv}', 'repos')] },
  // apt-ostree's own (rpm-ostree's `db list` reads the rpmdb client-side): "" is the booted (else default) deployment.
  'OS.ListPackages': { in: [arg('deployid', 's', 'deployment')], out: [arg('deployment', 's', 'deployment'), arg('packages', 'aa{sv}', 'packages')] },
  'OS.Deploy': { in: [arg('revision', 's', 'revision'), 'options'], out: [address] },
  'OS.Upgrade': { in: ['options'], out: [address] },
  'OS.Rollback': { in: ['options'], out: [address] },
  'OS.ClearRollbackTarget': { in: ['options'], out: [address] },
  'OS.Rebase': { in: ['options', arg('refspec', 's', 'refspec'), arg('packages', 'as', 'packages')], out: [address] },
  'OS.PkgChange': { in: ['options', arg('packages_added', 'as', 'add'), arg('packages_removed', 'as', 'remove')], out: [address] },
  'OS.KernelArgs': {
    in: [
      arg('existing_kernel_arg_string', 's', 'existingKernelArgString'),
      arg('kernel_args_added', 'as', 'append'),
      arg('kernel_args_replaced', 'as', 'replace'),
      arg('kernel_args_removed', 'as', 'delete'),
      'options',
    ],
    out: [address],
  },
  'OS.Override': {
    in: [arg('remove', 'as', 'remove'), arg('replace', 'as', 'replace'), arg('reset', 'as', 'reset'), 'options'],
    out: [address],
  },
  'OS.SetInitramfsState': { in: [arg('regenerate', 'b', 'regenerate'), arg('args', 'as', 'args'), 'options'], out: [address] },
  'OS.InitramfsEtc': {
    in: [arg('track', 'as', 'track'), arg('untrack', 'as', 'untrack'), arg('untrack_all', 'b', 'untrackAll'), arg('force_sync', 'b', 'forceSync'), 'options'],
    out: [address],
  },
  'OS.Cleanup': { in: [arg('elements', 'as', 'elements')], out: [address] },
  // Also rpm-ostree's OSExperimental.LiveFs (dbus-extra-members.ts), whose options are target and replace.
  'OS.ApplyLive': { in: ['options'], out: [address] },
  'OS.UpdateDeployment': { in: [arg('modifiers', 'a{sv}', 'modifiers'), arg('options', 'a{sv}', 'options')], out: [address] },
  'OS.FinalizeDeployment': { in: ['options'], out: [address] },
  'OS.RefreshMd': { in: ['options'], out: [address] },
  'OS.AutomaticUpdateTrigger': { in: ['options'], out: [arg('enabled', 'b', 'enabled'), address] },
  'Transaction.List': { transactionObject: true },
  'Transaction.Get': { transactionObject: true },
  'Transaction.Watch': { transactionObject: true },
  'Transaction.History': { transactionObject: true },
  'Transaction.Cancel': { transactionObject: true },
};

/** The D-Bus methods of interface `i`, in table order. */
export function dbusMethodsOf(i: 'Sysroot' | 'OS'): { member: string; method: MethodName; sig: DbusMethod }[] {
  return (Object.entries(DBUS_SIGNATURES) as [MethodName, (typeof DBUS_SIGNATURES)[MethodName]][])
    .filter(([name, sig]) => name.startsWith(`${i}.`) && 'in' in sig)
    .map(([name, sig]) => ({ member: name.slice(i.length + 1), method: name, sig: sig as DbusMethod }));
}

/** camelCase params field → rpm-ostree's kebab-case option key (`allowDowngrade` → `allow-downgrade`). */
export function optionKey(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** A read-only D-Bus property: the `GetProperties` result field it shows, with its signature. */
interface DbusProperty {
  name: string;
  type: string;
  /** Field of Sysroot.GetProperties / OS.GetProperties (docs/design-decisions.md), or how it is derived. */
  field: string;
}

/** The properties of the Sysroot and OS objects, as rpm-ostree's D-Bus interface has them. */
export const DBUS_PROPERTIES: { Sysroot: DbusProperty[]; OS: DbusProperty[] } = {
  Sysroot: [
    { name: 'Booted', type: 'o', field: 'booted' },
    { name: 'Path', type: 's', field: 'path' },
    { name: 'ActiveTransaction', type: '(sss)', field: 'activeTransaction' },
    { name: 'ActiveTransactionPath', type: 's', field: 'activeTransaction' },
    { name: 'Deployments', type: 'aa{sv}', field: 'deployments' },
    { name: 'AutomaticUpdatePolicy', type: 's', field: 'automaticUpdatePolicy' },
  ],
  OS: [
    { name: 'BootedDeployment', type: 'a{sv}', field: 'bootedDeployment' },
    { name: 'DefaultDeployment', type: 'a{sv}', field: 'defaultDeployment' },
    { name: 'RollbackDeployment', type: 'a{sv}', field: 'rollbackDeployment' },
    { name: 'CachedUpdate', type: 'a{sv}', field: 'cachedUpdate' },
    { name: 'HasCachedUpdateAptDiff', type: 'b', field: 'hasCachedUpdateAptDiff' },
    { name: 'Name', type: 's', field: 'name' },
  ],
};

/** The transaction objects' interface (rpm-ostree's), the same for every transaction. */
export const DBUS_TRANSACTION_INTERFACE = {
  properties: [
    { name: 'Title', type: 's' },
    { name: 'InitiatingClientDescription', type: 's' },
  ],
  methods: [
    { name: 'Start', in: [] as DbusArg[], out: [arg('started', 'b', 'started')] },
    { name: 'Cancel', in: [] as DbusArg[], out: [] as DbusArg[] },
  ],
  signals: [
    { name: 'Finished', args: [arg('success', 'b', 'success'), arg('error_message', 's', 'errorMessage')] },
    { name: 'Message', args: [arg('text', 's', 'text')] },
    { name: 'TaskBegin', args: [arg('text', 's', 'text')] },
    { name: 'TaskEnd', args: [arg('text', 's', 'text')] },
    { name: 'PercentProgress', args: [arg('text', 's', 'text'), arg('percentage', 'u', 'percentage')] },
    {
      name: 'DownloadProgress',
      args: [
        arg('time', '(tt)', 'time'),
        arg('outstanding', '(uu)', 'outstanding'),
        arg('metadata', '(uuu)', 'metadata'),
        arg('delta', '(uuut)', 'delta'),
        arg('content', '(uu)', 'content'),
        arg('transfer', '(tt)', 'transfer'),
      ],
    },
    { name: 'SignatureProgress', args: [arg('signature', 'av', 'signature'), arg('commit', 's', 'commit')] },
    { name: 'ProgressEnd', args: [] as DbusArg[] },
  ],
};

export { osObjectPath } from './dbus-object-paths.js';
