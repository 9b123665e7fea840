import type { PeerCredentials } from '../dispatcher/call-context.js';
import { processStartTime } from './process-start-time.js';

/** CheckAuthorizationFlags.AllowUserInteraction */
const ALLOW_USER_INTERACTION = 1;

export interface PolkitAnswer {
  authorized: boolean;
  /** polkit would authorize after authentication (a password prompt). */
  challenge: boolean;
}

/** polkit could not be asked: no system bus, or no polkitd on it. */
export class PolkitUnavailableError extends Error {}

// dbus-next has no type declarations; this is the slice of its API used here.
interface DBusModule {
  systemBus(): DBusBus;
  Message: new (init: Record<string, unknown>) => unknown;
  Variant: new (signature: string, value: unknown) => unknown;
}
interface DBusBus {
  call(message: unknown): Promise<{ body: unknown[] }>;
  disconnect(): void;
  on(event: 'error', handler: (err: Error) => void): void;
}

/**
 * polkit's CheckAuthorization over the system bus (DBUS_SYSTEM_BUS_ADDRESS, else the default
 * socket). dbus-next is imported on first use only: it costs ~25 ms and root never needs it.
 */
export class PolkitClient {
  private bus: DBusBus | null = null;
  private dbus: DBusModule | null = null;

  async check(
    actionId: string,
    subject: PeerCredentials,
    details: Record<string, string>,
    allowInteraction: boolean,
  ): Promise<PolkitAnswer> {
    if (this.dbus === null) {
      const mod = (await import('dbus-next')) as unknown as DBusModule & { default?: DBusModule };
      this.dbus = mod.default ?? mod;
    }
    const dbus = this.dbus;
    let startTime: bigint;
    try {
      // The start time seen at connect time: the pid may belong to another process by now.
      startTime = subject.startTime ?? processStartTime(subject.pid);
    } catch {
      // The caller is gone: nothing to authorize.
      return { authorized: false, challenge: false };
    }
    const message = new dbus.Message({
      destination: 'org.freedesktop.PolicyKit1',
      path: '/org/freedesktop/PolicyKit1/Authority',
      interface: 'org.freedesktop.PolicyKit1.Authority',
      member: 'CheckAuthorization',
      signature: '(sa{sv})sa{ss}us',
      body: [
        [
          'unix-process',
          {
            pid: new dbus.Variant('u', subject.pid),
            'start-time': new dbus.Variant('t', startTime),
            uid: new dbus.Variant('i', subject.uid),
          },
        ],
        actionId,
        details,
        allowInteraction ? ALLOW_USER_INTERACTION : 0,
        '',
      ],
    });
    let reply: { body: unknown[] };
    let bus: DBusBus | null = null;
    try {
      bus = this.bus ??= this.connect(dbus);
      reply = await bus.call(message);
    } catch (err) {
      // Only the connection this call used: another request may have opened a new one meanwhile.
      if (bus !== null && this.bus === bus) this.close();
      throw new PolkitUnavailableError(`polkit is not reachable on the system bus: ${(err as Error).message}`);
    }
    const [authorized, challenge] = reply.body[0] as [boolean, boolean, Record<string, string>];
    return { authorized, challenge };
  }

  close(): void {
    try {
      this.bus?.disconnect();
    } catch {
      // Already gone.
    }
    this.bus = null;
  }

  private connect(dbus: DBusModule): DBusBus {
    const bus = dbus.systemBus();
    bus.on('error', () => this.close());
    return bus;
  }
}
