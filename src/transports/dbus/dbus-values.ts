/**
 * Values between the API and D-Bus for the shim: in-arguments to params fields (rpm-ostree's
 * "nothing" values and value names), property values and out-arguments in rpm-ostree's shapes.
 */
import dbus from 'dbus-next';
import { EMPTY_ONLY, type DbusArg } from '../../api/dbus-signatures.js';
import { ApiError } from '../../api/errors.js';
import { RPM_OSTREE_VALUE_ALIASES } from '../../api/dbus-options.js';
import type { MethodName } from '../../api/method-table.js';
import { osObjectPath } from '../../services/deployment-roles.js';
import { toVariantDict } from './variant-dict.js';
import { cachedUpdateDict, deploymentDict, type DiffEntry } from './rpm-ostree-dicts.js';

/** Fields whose "" means "not given" (rpm-ostree's clients pass "" for the default). */
const EMPTY_IS_ABSENT = new Set(['id', 'existingKernelArgString', 'deployment']);

/** A positional in-argument as its params field: undefined when it stands for "not given". */
export function inValue(method: MethodName, a: DbusArg, value: unknown): unknown {
  if (a.field === EMPTY_ONLY) {
    if (Array.isArray(value) && value.length > 0) {
      throw new ApiError(
        'NotSupported',
        `${method.slice(method.indexOf('.') + 1)}: "${a.name}" is not supported here (layering packages in a preview); pass it empty`,
        { argument: a.name },
      );
    }
    return undefined;
  }
  if (a.type === 's' && value === '' && EMPTY_IS_ABSENT.has(a.field)) return undefined;
  const aliases = RPM_OSTREE_VALUE_ALIASES[method]?.[a.field];
  if (aliases !== undefined && Array.isArray(value)) return value.map((v: unknown) => (typeof v === 'string' ? (aliases[v] ?? v) : v));
  return value;
}

export function signatureOf(args: readonly (DbusArg | 'options')[]): string {
  return args.map((a) => (a === 'options' ? 'a{sv}' : a.type)).join('');
}

/** The booted deployment's OS, else the default deployment's; null with no deployment. */
export function bootedOsName(props: Record<string, unknown>): string | null {
  const deployments = (props.deployments ?? []) as { id: string; osname: string }[];
  return (deployments.find((d) => d.id === props.booted) ?? deployments[0])?.osname ?? null;
}

/** Sysroot.Booted: the object of the booted deployment's OS (as rpm-ostree), "/" when not booted. */
export function bootedOsPath(props: Record<string, unknown>): string {
  const deployments = (props.deployments ?? []) as { id: string; osname: string }[];
  const booted = deployments.find((d) => d.id === props.booted);
  return booted === undefined ? '/' : osObjectPath(booted.osname);
}

/** Properties holding deployments or the cached update: rpm-ostree's dictionaries (rpm-ostree-dicts.ts). */
const DEPLOYMENT_PROPERTIES = new Set(['Deployments', 'BootedDeployment', 'DefaultDeployment', 'RollbackDeployment']);

/** A property's value in its D-Bus type (rpm-ostree's conventions for "nothing": "", "/", {}). */
export function propertyValue(name: string, type: string, value: unknown): unknown {
  if (DEPLOYMENT_PROPERTIES.has(name)) {
    if (type === 'aa{sv}') return ((value as Record<string, unknown>[] | null) ?? []).map((v) => deploymentDict(v));
    return deploymentDict(value as Record<string, unknown> | null);
  }
  if (name === 'CachedUpdate') return cachedUpdateDict(value as Record<string, unknown> | null);
  switch (type) {
    case 'a{sv}':
      return toVariantDict(value as Record<string, unknown> | null);
    case 'aa{sv}':
      return ((value as Record<string, unknown>[] | null) ?? []).map((v) => toVariantDict(v));
    case 'b':
      return value === true;
    default:
      return value === null || value === undefined ? '' : String(value);
  }
}

const packageTuple = (p: { name: string; version: string; architecture: string }): dbus.Variant =>
  new dbus.Variant('(sss)', [p.name, p.version, p.architecture]);

/** An out-argument from a result field. */
export function outValue(a: DbusArg, value: unknown): unknown {
  switch (a.type) {
    case 'aa{sv}':
      return ((value as Record<string, unknown>[] | null) ?? []).map((v) => toVariantDict(v));
    case 'a{sv}':
      // GetCachedUpdate*Diff's details: the cached update's dictionary.
      return a.field === 'update' || a.field === 'preview'
        ? cachedUpdateDict(value as Record<string, unknown> | null)
        : toVariantDict(value as Record<string, unknown> | null);
    case 'a(sua{sv})':
      // rpm-ostree's shape: (name, type 0 added 1 removed 2 upgraded 3 downgraded, {PreviousPackage, NewPackage: (sss)}).
      return ((value as DiffEntry[] | null) ?? []).map((e) => {
        const details: Record<string, dbus.Variant> = {};
        if (e.previous !== null) details.PreviousPackage = packageTuple(e.previous);
        if (e.next !== null) details.NewPackage = packageTuple(e.next);
        return [e.name, ['added', 'removed', 'upgraded', 'downgraded'].indexOf(e.change), details];
      });
    default:
      return value;
  }
}

/** InitiatingClientDescription: the command line the client gave (initiating-command-line), then who it is. */
export function clientDescription(peer: { uid: number; pid: number } | null, sender: string, commandLine: unknown): string {
  const who = `uid ${peer?.uid ?? '?'} pid ${peer?.pid ?? '?'} (${sender})`;
  return typeof commandLine === 'string' && commandLine !== '' ? `${commandLine} [${who}]` : who;
}
