/**
 * `Properties.Get`/`GetAll` of a transaction object, answered per caller: dbus-next's property
 * getters are synchronous and do not know who asks, while `InitiatingClientDescription` (the
 * initiator's uid, pid and bus name) is told in full only to the initiating uid and root.
 */
import dbus from 'dbus-next';
import { dbusInterfaceName } from '../../api/dbus-signatures.js';
import type { PeerCredentials } from '../../dispatcher/call-context.js';
import type { DbusTransactionObject } from './transaction-object.js';

const PROPERTIES = 'org.freedesktop.DBus.Properties';
const DESCRIPTION = 'InitiatingClientDescription';

/**
 * Answers `msg` when it reads a transaction object's description (Get of it, or GetAll of the
 * Transaction interface): true when it did (the reply is sent once the caller is known), false
 * to let dbus-next handle the message.
 */
export function answerTransactionProperties(
  bus: dbus.MessageBus,
  msg: dbus.Message,
  objects: ReadonlyMap<string, DbusTransactionObject>,
  peerOf: (sender: string) => Promise<PeerCredentials | null>,
): boolean {
  if (msg.interface !== PROPERTIES || (msg.member !== 'Get' && msg.member !== 'GetAll')) return false;
  const object = objects.get(msg.path);
  const [iface, property] = msg.body as [unknown, unknown];
  if (object === undefined || iface !== dbusInterfaceName('Transaction')) return false;
  if (msg.member === 'Get' && property !== DESCRIPTION) return false;
  void peerOf(msg.sender).then((caller) => {
    const description = new dbus.Variant('s', object.describeFor(caller));
    const reply =
      msg.member === 'Get'
        ? dbus.Message.newMethodReturn(msg, 'v', [description])
        : dbus.Message.newMethodReturn(msg, 'a{sv}', [{ Title: new dbus.Variant('s', object.title), [DESCRIPTION]: description }]);
    bus.send(reply);
  });
  return true;
}
