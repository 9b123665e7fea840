/**
 * The D-Bus shim's clients as the bus knows them: who a sender is (its uid and pid, recorded by
 * the bus when it connected), and an abort signal per sender that fires when it leaves the bus
 * (RegisterClient ends then; passed descriptors are released).
 */
import dbus from 'dbus-next';
import type { PeerCredentials } from '../../dispatcher/call-context.js';
import type { Logger } from '../../util/logger.js';

const busMessage = (member: string, signature: string, body: unknown[]): dbus.Message =>
  new dbus.Message({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member, signature, body });

/** One abort signal per bus name, fired when the name leaves the bus (NameOwnerChanged to no owner). */
export class BusClients {
  private readonly signals = new Map<string, AbortController>();

  /** The abort signal standing for `sender`'s connection. */
  signal(sender: string): AbortSignal {
    let c = this.signals.get(sender);
    if (c === undefined) {
      c = new AbortController();
      this.signals.set(sender, c);
    }
    return c.signal;
  }

  /** Starts watching clients leave `bus`. */
  async watch(bus: dbus.MessageBus): Promise<void> {
    await bus.call(busMessage('AddMatch', 's', ["type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged'"]));
    bus.on('message', (msg: dbus.Message) => {
      if (msg.member !== 'NameOwnerChanged' || msg.interface !== 'org.freedesktop.DBus') return;
      const [name, , newOwner] = msg.body as [string, string, string];
      if (newOwner !== '') return;
      this.signals.get(name)?.abort();
      this.signals.delete(name);
    });
  }
}

/**
 * Who `sender` is, from the bus: its uid and pid (GetConnectionUnixUser/ProcessID, recorded by
 * the bus when it connected) and its unique name, which polkit is asked about (a pid read here
 * could already name another process). Null when the bus cannot say.
 */
export async function busPeer(bus: dbus.MessageBus, sender: string, log: Logger): Promise<PeerCredentials | null> {
  try {
    const ask = async (member: string): Promise<number> => Number((await bus.call(busMessage(member, 's', [sender])))?.body[0]);
    const [uid, pid] = await Promise.all([ask('GetConnectionUnixUser'), ask('GetConnectionUnixProcessID')]);
    return { uid, pid, gid: -1, busName: sender };
  } catch (err) {
    log.debug(`D-Bus: cannot learn who ${sender} is: ${(err as Error).message}`);
    return null;
  }
}
