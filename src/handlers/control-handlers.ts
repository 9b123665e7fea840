import type { HandlerTable } from '../dispatcher/handlers.js';
import type { ClientRegistry } from '../services/client-registry.js';

/** What the control methods act on: the daemon itself. */
export interface ControlHandlerDeps {
  /** Re-reads the configuration file; throws InvalidConfig (the old one stays). */
  reloadConfig(): void;
  reloadSysroot(): void;
  clients: ClientRegistry;
}

/** Sysroot.ReloadConfig, RegisterClient and UnregisterClient (Reload is a read handler's). */
export function controlHandlers({ reloadConfig, reloadSysroot, clients }: ControlHandlerDeps): HandlerTable {
  return {
    'Sysroot.ReloadConfig': () => {
      reloadConfig();
      reloadSysroot();
      return {};
    },
    'Sysroot.RegisterClient': ({ id }, ctx) => {
      clients.register(ctx.signal, id ?? `${ctx.transport} client`);
      return {};
    },
    'Sysroot.UnregisterClient': (_params, ctx) => {
      clients.unregister(ctx.signal);
      return {};
    },
  };
}
