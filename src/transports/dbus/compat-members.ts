/**
 * The D-Bus shim's members that exist for rpm-ostree's clients only: the methods that answer
 * NotSupported (with rpm-ostree's signatures, so a client gets the reason instead of
 * UnknownMethod; the OSExperimental interface's are among them), and
 * org.freedesktop.DBus.ObjectManager at /org/projectatomic/aptostree1 (rpm-ostree's clients
 * built on GDBusObjectManagerClient list the Sysroot and OS objects through it).
 */
import dbus from 'dbus-next';
import { DBUS_REFUSED_MEMBERS, type OsInterface } from '../../api/dbus-extra-members.js';
import { ApiError } from '../../api/errors.js';

export const OBJECT_MANAGER_PATH = '/org/projectatomic/aptostree1';

type Proto = Record<string, unknown>;

/** Adds interface `i`'s refused members to a class being configured. */
export function addRefusedMembers(
  i: OsInterface | 'Sysroot',
  proto: Proto,
  methods: Record<string, dbus.interface.MethodOptions>,
  toDbusError: (err: unknown) => dbus.DBusError,
): void {
  for (const m of DBUS_REFUSED_MEMBERS.filter((x) => x.interface === i)) {
    methods[m.member] = { inSignature: m.in.map((a) => a.type).join(''), outSignature: m.out.map((a) => a.type).join('') };
    proto[m.member] = () => {
      throw toDbusError(new ApiError('NotSupported', `${m.member} is not supported: ${m.why}`, { member: m.member }));
    };
  }
}

/** One exported object: its path, and each interface's properties as a{sv}. */
export interface ManagedObject {
  path: string;
  interfaces: Record<string, Record<string, dbus.Variant>>;
}

/** org.freedesktop.DBus.ObjectManager: GetManagedObjects() → a{oa{sa{sv}}}. */
export function objectManagerInterface(objects: () => ManagedObject[]): dbus.interface.Interface {
  class ObjectManager extends dbus.interface.Interface {
    GetManagedObjects(): Record<string, Record<string, Record<string, dbus.Variant>>> {
      return Object.fromEntries(objects().map((o) => [o.path, o.interfaces]));
    }
  }
  ObjectManager.configureMembers({
    methods: { GetManagedObjects: { inSignature: '', outSignature: 'a{oa{sa{sv}}}' } },
    signals: { InterfacesAdded: { signature: 'oa{sa{sv}}' }, InterfacesRemoved: { signature: 'oas' } },
  });
  return new ObjectManager('org.freedesktop.DBus.ObjectManager');
}
