/**
 * The members rpm-ostree's D-Bus interface has beyond this API's own methods
 * (dbus-signatures.ts), so that its clients need only the bus names changed: rpm-ostree's names
 * for methods this API names after APT (`GetDeploymentsRpmDiff` → `GetDeploymentsAptDiff`), a
 * member that is one of the table's methods with fixed params (`DownloadUpdateRpmDiff` is an
 * Upgrade that only checks), and members that mean nothing here, on the bus with rpm-ostree's
 * signature and answering NotSupported with the reason.
 */
import { DBUS_SIGNATURES, dbusMethodsOf, EMPTY_ONLY, type DbusArg, type DbusMethod } from './dbus-signatures.js';
import type { MethodName } from './method-table.js';

/** An interface of the OS objects. */
export type OsInterface = 'OS' | 'OSExperimental';

export interface DbusMember {
  member: string;
  method: MethodName;
  sig: DbusMethod;
  /** Params every call of this member has (beside its arguments). */
  fixed?: Record<string, unknown>;
}

export interface DbusRefusedMember {
  interface: OsInterface;
  member: string;
  in: readonly DbusArg[];
  out: readonly DbusArg[];
  why: string;
}

const arg = (name: string, type: string): DbusArg => ({ name, type, field: name });
const address = arg('transaction_address', 's');

/** rpm-ostree's member name → the table's method answering it under that name too. */
const ALIASES: Record<string, MethodName> = {
  GetDeploymentsRpmDiff: 'OS.GetDeploymentsAptDiff',
  GetCachedUpdateRpmDiff: 'OS.GetCachedUpdateAptDiff',
  GetCachedDeployRpmDiff: 'OS.GetCachedDeployAptDiff',
  GetCachedRebaseRpmDiff: 'OS.GetCachedRebaseAptDiff',
};

/** rpm-ostree's property names for properties this API names otherwise. */
export const DBUS_PROPERTY_ALIASES: Record<string, string> = { HasCachedUpdateRpmDiff: 'HasCachedUpdateAptDiff' };

export const DBUS_REFUSED_MEMBERS: readonly DbusRefusedMember[] = [
  {
    interface: 'OS',
    member: 'ModifyYumRepo',
    in: [arg('repo_id', 's'), arg('settings', 'a{ss}')],
    out: [address],
    why: 'APT sources are files (/etc/apt/sources.list.d): edit them, then run `apt-ostree refresh-md`',
  },
  {
    interface: 'OSExperimental',
    member: 'Moo',
    in: [arg('utf8', 'b')],
    out: [arg('result', 's')],
    why: "rpm-ostree's easter egg; apt has its own (`apt moo`)",
  },
  {
    interface: 'OSExperimental',
    member: 'DownloadPackages',
    in: [arg('queries', 'as'), arg('source', 's')],
    out: [],
    why: 'RPM package downloads have no meaning here (`apt-get download` in the deployment does that)',
  },
];

/** Every D-Bus method of interface `i` answered by a method of the table: its own, aliases, fixed-params members. */
export function dbusMembersOf(i: 'Sysroot' | 'OS' | 'OSExperimental'): DbusMember[] {
  // rpm-ostree's apply-live: OSExperimental.LiveFs(options) is OS.ApplyLive.
  if (i === 'OSExperimental') return [{ member: 'LiveFs', method: 'OS.ApplyLive', sig: DBUS_SIGNATURES['OS.ApplyLive'] as DbusMethod }];
  const own: DbusMember[] = dbusMethodsOf(i);
  if (i !== 'OS') return own;
  const aliases = Object.entries(ALIASES).map(([member, method]) => ({ member, method, sig: DBUS_SIGNATURES[method] as DbusMethod }));
  const out = [{ ...address, field: 'transaction' }];
  const packages = { name: 'packages', type: 'as', field: EMPTY_ONLY };
  const fixed: DbusMember[] = [
    { member: 'DownloadUpdateRpmDiff', method: 'OS.Upgrade', sig: { in: [], out }, fixed: { check: true } },
    {
      member: 'DownloadDeployRpmDiff',
      method: 'OS.Deploy',
      sig: { in: [{ name: 'revision', type: 's', field: 'revision' }, packages], out },
      fixed: { check: true },
    },
    {
      member: 'DownloadRebaseRpmDiff',
      method: 'OS.Rebase',
      sig: { in: [{ name: 'refspec', type: 's', field: 'refspec' }, packages], out },
      fixed: { check: true },
    },
  ];
  return [...own, ...aliases, ...fixed];
}
