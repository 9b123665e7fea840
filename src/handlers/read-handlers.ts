import { join } from 'node:path';
import { aptSources } from '../services/apt-sources.js';
import { readUpdateDriver } from '../services/update-driver-record.js';
import { transactionFor } from '../transactions/transaction-visibility.js';
import { ApiError } from '../api/errors.js';
import { PackageQueries } from '../services/package-queries.js';
import type { DaemonConfig } from '../config/daemon-config.js';
import type { HandlerTable } from '../dispatcher/handlers.js';
import { osObjectPath, resolveOsName, rolesOf } from '../services/deployment-roles.js';
import type { SysrootService } from '../services/sysroot-service.js';
import type { TransactionObject } from '../transactions/transaction.js';
import type { SysrootSnapshot } from '../backends/ostree/sysroot-reader.js';
import { diffPackages } from '../backends/dpkg/package-diff.js';
import { publicCachedUpdate, readCachedUpdate, type CachedUpdateRecord } from '../services/cached-update-file.js';
import { readAutomaticUpdateRun } from '../services/automatic-update-record.js';
import { basePackages, deploymentPackages, deploymentsDiff, findDeployment } from '../services/package-diffs.js';
import type { CallContext } from '../dispatcher/call-context.js';
import { FairSlots } from '../util/fair-slots.js';
import { sharedRun } from '../util/shared-run.js';

/**
 * Read methods that run a tool (apt-cache, ostree cat) at most this many at once over all
 * callers, taking turns per uid (one batch started a thousand root apt-cache).
 */
export const READ_TOOL_SLOTS = 3;

/** What the read handlers need from the daemon. */
export interface ReadHandlerDeps {
  sysroot: SysrootService;
  config: () => DaemonConfig;
  /** The running transaction, as the API shows it. */
  activeTransaction: () => TransactionObject | null;
  /** APT lists and archives (package queries). */
  cacheDir: string;
  /** The cached update. */
  stateDir: string;
}

/** apt-cache for the default deployment of the requested OS. */
async function queriesFor(sysroot: SysrootService, cacheDir: string, osname: string | undefined): Promise<PackageQueries> {
  const snapshot = sysroot.snapshot();
  const os = resolveOsName(snapshot, osname);
  const d = snapshot.deployments.find((x) => x.osname === os);
  if (d === undefined) throw new ApiError('NoSuchOS', `No deployment of ${os}`, { osname: os });
  return PackageQueries.open(snapshot.path, d, cacheDir);
}

/** Implementations of the read methods of Sysroot and OS, and Sysroot.Reload. */
export function readHandlers({ sysroot, config, activeTransaction, cacheDir, stateDir }: ReadHandlerDeps): HandlerTable {
  /** The OS's cached update, unless the deployment it was compared with is no longer the booted/default one. */
  const tools = new FairSlots(READ_TOOL_SLOTS);
  /** Runs a read that spawns tools in one of the shared slots, in turn with other uids; not at all once its caller is gone. */
  const withTool = <T>(ctx: CallContext, read: () => Promise<T>): Promise<T> =>
    tools.run(ctx.peer?.uid ?? -1, read, ctx.signal, () => new ApiError('Failed', 'The caller disconnected before the query ran'));
  /** Overlapping Sysroot.Reload calls (a batch, many clients) share one reload. */
  const reload = sharedRun(() => sysroot.reload());
  /** A deploy or rebase preview of `asked` (the revision or refspec it was made for, its commit, or its version). */
  const preview = (osname: string | undefined, kind: 'deploy' | 'rebase', asked: string) => {
    const snapshot = sysroot.snapshot();
    const os = resolveOsName(snapshot, osname);
    const roles = rolesOf(snapshot, os);
    const r = readCachedUpdate(stateDir, os, (roles.booted ?? roles.default)?.id ?? null, kind);
    const names = r === null ? [] : [r.asked, r.checksum, `revision=${r.checksum}`, r.version, `version=${r.version ?? ''}`, r.origin];
    if (r === null || !names.includes(asked)) return { changes: [], preview: null };
    return { changes: r.packageDiff, preview: publicCachedUpdate(r) };
  };
  const cachedUpdate = (snapshot: SysrootSnapshot, osname: string): CachedUpdateRecord | null => {
    const roles = rolesOf(snapshot, osname);
    return readCachedUpdate(stateDir, osname, (roles.booted ?? roles.default)?.id ?? null);
  };
  return {
    'OS.GetDeploymentsAptDiff': async ({ from, to }) => ({ changes: await deploymentsDiff(sysroot.snapshot(), from, to) }),

    'OS.GetCachedUpdateAptDiff': async ({ osname, id }, ctx) => {
      const snapshot = sysroot.snapshot();
      const os = resolveOsName(snapshot, osname);
      const update = cachedUpdate(snapshot, os);
      const d = id === undefined ? null : findDeployment(snapshot, id);
      if (update === null) return { changes: [], update: null };
      const changes =
        d === null || d.id === update.against ? update.packageDiff : diffPackages(await withTool(ctx, () => basePackages(snapshot, d)), update.packages);
      return { changes, update: publicCachedUpdate(update) };
    },

    'OS.GetCachedDeployAptDiff': ({ osname, revision }) => preview(osname, 'deploy', revision),
    'OS.GetCachedRebaseAptDiff': ({ osname, refspec }) => preview(osname, 'rebase', refspec),

    'OS.ListPackages': async ({ osname, deployment }) => {
      const snapshot = sysroot.snapshot();
      const os = resolveOsName(snapshot, osname);
      const roles = rolesOf(snapshot, os);
      const d =
        deployment === undefined
          ? (roles.booted ?? roles.default)
          : /^[0-9]+$/.test(deployment)
            ? (snapshot.deployments[Number(deployment)] ?? null)
            : findDeployment(snapshot, deployment);
      if (d === null) throw new ApiError('NoSuchDeployment', deployment === undefined ? `No deployment of ${os}` : `No deployment ${deployment}`);
      const packages = await deploymentPackages(snapshot, d);
      return { deployment: d.id, packages: packages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
    },

    'OS.GetDeploymentBootConfig': ({ osname, deployment, isPending }) => {
      const snapshot = sysroot.snapshot();
      const os = resolveOsName(snapshot, osname);
      const roles = rolesOf(snapshot, os);
      let d = isPending === true ? roles.default : (roles.booted ?? roles.default);
      // rpm-ostree's clients name a deployment by its index in the boot order; this API by id.
      if (deployment !== undefined) d = /^[0-9]+$/.test(deployment) ? (snapshot.deployments[Number(deployment)] ?? null) : findDeployment(snapshot, deployment);
      if (d === null) throw new ApiError('NoSuchDeployment', deployment === undefined ? `No deployment of ${os}` : `No deployment ${deployment}`);
      return { bootconfig: { staged: d.staged, options: d.kernelArgs.join(' ') } };
    },

    'OS.ListRepos': ({ osname }) => {
      const snapshot = sysroot.snapshot();
      const os = resolveOsName(snapshot, osname);
      const d = rolesOf(snapshot, os).default;
      if (d === null) throw new ApiError('NoSuchOS', `No deployment of ${os}`, { osname: os });
      return { repos: aptSources(join(snapshot.path, 'ostree/deploy', d.osname, 'deploy', `${d.checksum}.${d.serial}`)) };
    },

    'OS.Search': async ({ osname, names }, ctx) => ({
      packages: await withTool(ctx, async () => (await queriesFor(sysroot, cacheDir, osname)).search([...names])),
    }),
    'OS.WhatProvides': async ({ osname, provides }, ctx) => ({
      packages: await withTool(ctx, async () => (await queriesFor(sysroot, cacheDir, osname)).whatProvides([...provides])),
    }),
    'OS.GetPackages': async ({ osname, names }, ctx) => {
      const found = await withTool(ctx, async () => (await queriesFor(sysroot, cacheDir, osname)).details([...names]));
      const missing = names.filter((n) => !found.some((p) => p.name === n));
      if (missing.length > 0) throw new ApiError('PackageNotFound', `Package not found: ${missing.join(', ')}`, { packages: missing });
      return { packages: found };
    },

    'Sysroot.GetDeployments': () => ({ deployments: sysroot.snapshot().deployments }),

    'Sysroot.GetProperties': (_params, ctx) => {
      const snapshot = sysroot.snapshot();
      const active = activeTransaction();
      return {
        booted: snapshot.booted,
        path: snapshot.path,
        activeTransaction: active === null ? null : transactionFor(active, ctx.peer),
        deployments: snapshot.deployments,
        automaticUpdatePolicy: config().automaticUpdatePolicy,
        automaticUpdateLastRun: readAutomaticUpdateRun(stateDir),
        updateDriver: readUpdateDriver(stateDir)?.name ?? null,
      };
    },

    'Sysroot.GetOS': ({ name }) => {
      const osname = resolveOsName(sysroot.snapshot(), name);
      return { name: osname, objectPath: osObjectPath(osname) };
    },

    'Sysroot.Reload': async () => {
      await reload();
      return {};
    },

    'OS.GetProperties': ({ osname }) => {
      const snapshot = sysroot.snapshot();
      const roles = rolesOf(snapshot, resolveOsName(snapshot, osname));
      const update = cachedUpdate(snapshot, roles.osname);
      return {
        name: roles.osname,
        bootedDeployment: roles.booted,
        defaultDeployment: roles.default,
        rollbackDeployment: roles.rollback,
        cachedUpdate: update === null ? null : publicCachedUpdate(update),
        hasCachedUpdateAptDiff: (update?.packageDiff.length ?? 0) > 0,
      };
    },
  };
}
