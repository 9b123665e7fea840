import type { DaemonConfig } from '../config/daemon-config.js';
import type { HandlerTable } from '../dispatcher/handlers.js';
import { osObjectPath, resolveOsName, rolesOf } from '../services/deployment-roles.js';
import type { SysrootService } from '../services/sysroot-service.js';
import type { TransactionObject } from '../transactions/transaction.js';

/** What the read handlers need from the daemon. */
export interface ReadHandlerDeps {
  sysroot: SysrootService;
  config: () => DaemonConfig;
  /** The running transaction, as the API shows it. */
  activeTransaction: () => TransactionObject | null;
}

/** Implementations of the read methods of Sysroot and OS, and Sysroot.Reload. */
export function readHandlers({ sysroot, config, activeTransaction }: ReadHandlerDeps): HandlerTable {
  return {
    'Sysroot.GetDeployments': () => ({ deployments: sysroot.snapshot().deployments }),

    'Sysroot.GetProperties': () => {
      const snapshot = sysroot.snapshot();
      return {
        booted: snapshot.booted,
        path: snapshot.path,
        activeTransaction: activeTransaction(),
        deployments: snapshot.deployments,
        automaticUpdatePolicy: config().automaticUpdatePolicy,
      };
    },

    'Sysroot.GetOS': ({ name }) => {
      const osname = resolveOsName(sysroot.snapshot(), name);
      return { name: osname, objectPath: osObjectPath(osname) };
    },

    'Sysroot.Reload': () => {
      sysroot.reload();
      return {};
    },

    'OS.GetProperties': ({ osname }) => {
      const snapshot = sysroot.snapshot();
      const roles = rolesOf(snapshot, resolveOsName(snapshot, osname));
      return {
        name: roles.osname,
        bootedDeployment: roles.booted,
        defaultDeployment: roles.default,
        rollbackDeployment: roles.rollback,
        cachedUpdate: null,
        hasCachedUpdateAptDiff: false,
      };
    },
  };
}
