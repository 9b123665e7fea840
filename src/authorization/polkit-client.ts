import type { DBusError, Message, MessageBus, Variant } from 'dbus-next';
import type { PeerCredentials } from '../api/peer-credentials.js';
import { SettlingBus } from './settling-bus.js';

/** CheckAuthorizationFlags.AllowUserInteraction */
const ALLOW_USER_INTERACTION = 1;

/** How long a check may wait for polkit: the D-Bus default reply timeout. */
const CHECK_TIMEOUT_MS = 25_000;
/** A check that lets polkit ask for a password waits for a person at an authentication agent. */
const INTERACTIVE_CHECK_TIMEOUT_MS = 300_000;

/** The bus driver: errors it sends mean the message did not reach polkit (e.g. ServiceUnknown). */
const BUS_DRIVER = 'org.freedesktop.DBus';

type PolkitAnswer =
  | {
      authorized: boolean;
      /** polkit would authorize after authentication (a password prompt). */
      challenge: boolean;
      refusal?: undefined;
    }
  /** polkit answered this check with an error (e.g. the subject is gone): refused, for this call only. */
  | { authorized: false; challenge: false; refusal: string };

/** polkit could not be asked: no system bus, no polkitd on it, or no answer in time. */
export class PolkitUnavailableError extends Error {}

// The values of dbus-next used here (it is imported on first use).
interface DBusModule {
  systemBus(): MessageBus;
  Message: new (init: Record<string, unknown>) => Message;
  Variant: new (signature: string, value: unknown) => Variant;
  DBusError: typeof DBusError;
}

/**
 * polkit's CheckAuthorization over the system bus (DBUS_SYSTEM_BUS_ADDRESS, else the default
 * socket). dbus-next is imported on first use only: it costs ~25 ms and root never needs it.
 *
 * One connection is shared by every check. An error polkit sends for one check (its subject
 * exited, its pid was replaced, its bus name left) refuses that check only; the connection
 * stays. Each check has a timeout (CHECK_TIMEOUT_MS, INTERACTIVE_CHECK_TIMEOUT_MS); a dropped
 * connection fails its pending checks at once and the next check opens a new one.
 */
export class PolkitClient {
  private bus: SettlingBus | null = null;
  private dbus: DBusModule | null = null;

  async check(actionId: string, subject: PeerCredentials, details: Record<string, string>, allowInteraction: boolean): Promise<PolkitAnswer> {
    if (this.dbus === null) {
      const mod = (await import('dbus-next')) as unknown as DBusModule & { default?: DBusModule };
      this.dbus = mod.default ?? mod;
    }
    const dbus = this.dbus;
    const message = new dbus.Message({
      destination: 'org.freedesktop.PolicyKit1',
      path: '/org/freedesktop/PolicyKit1/Authority',
      interface: 'org.freedesktop.PolicyKit1.Authority',
      member: 'CheckAuthorization',
      signature: '(sa{sv})sa{ss}us',
      body: [polkitSubject(dbus, subject), actionId, details, allowInteraction ? ALLOW_USER_INTERACTION : 0, ''],
    });
    let reply: Message | null;
    try {
      const bus = (this.bus ??= this.connect(dbus));
      reply = await bus.call(message, allowInteraction ? INTERACTIVE_CHECK_TIMEOUT_MS : CHECK_TIMEOUT_MS);
    } catch (err) {
      if (err instanceof dbus.DBusError && (err.reply as { sender?: string } | undefined)?.sender !== BUS_DRIVER) {
        return { authorized: false, challenge: false, refusal: `${err.type}: ${err.text}` };
      }
      throw new PolkitUnavailableError(`polkit is not reachable on the system bus: ${(err as Error).message}`);
    }
    const [authorized, challenge] = (reply?.body[0] ?? [false, false]) as [boolean, boolean, Record<string, string>];
    return { authorized, challenge };
  }

  close(): void {
    this.bus?.disconnect();
    this.bus = null;
  }

  private connect(dbus: DBusModule): SettlingBus {
    const bus: SettlingBus = new SettlingBus(dbus.systemBus(), () => {
      // Only this connection: a newer one may have replaced it meanwhile.
      if (this.bus === bus) this.bus = null;
    });
    return bus;
  }
}

/**
 * Who polkit decides about. A D-Bus caller: its unique bus name (polkit resolves it through
 * the bus, as for rpm-ostree). A socket caller: the pinned process (pid, start time, uid);
 * polkit refuses it with an error if the pid names a process with another start time.
 */
function polkitSubject(dbus: DBusModule, subject: PeerCredentials): [string, Record<string, Variant>] {
  if (subject.busName !== undefined) return ['system-bus-name', { name: new dbus.Variant('s', subject.busName) }];
  if (subject.startTime === undefined) throw new Error('a unix-process subject needs its start time');
  return [
    'unix-process',
    {
      pid: new dbus.Variant('u', subject.pid),
      'start-time': new dbus.Variant('t', subject.startTime),
      uid: new dbus.Variant('i', subject.uid),
    },
  ];
}
