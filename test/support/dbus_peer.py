"""One client of a transaction's peer-to-peer D-Bus address (python3-gi, Gio), as rpm-ostree's
transaction_connect() makes it: connects, runs ACTION on the transaction object at "/", prints
JSON. Run as any user (runuser) to see what that user may do.

Usage: python3 dbus_peer.py ADDRESS ACTION
ACTION: start | cancel | getall | start-and-wait (Start(), then wait for Finished)
Prints {"connected": false, "error": ...} when the connection is refused, else
{"connected": true, "ok": bool, "value"|"error": ...}.
"""
import json
import sys

import gi

gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

TRANSACTION = 'org.projectatomic.aptostree1.Transaction'


def call(conn, iface, member, args, reply):
    return conn.call_sync(None, '/', iface, member, args, GLib.VariantType(reply), Gio.DBusCallFlags.NONE, 60000, None).unpack()


def run(conn, action):
    if action == 'start':
        return call(conn, TRANSACTION, 'Start', None, '(b)')[0]
    if action == 'cancel':
        call(conn, TRANSACTION, 'Cancel', None, '()')
        return None
    if action == 'getall':
        return call(conn, 'org.freedesktop.DBus.Properties', 'GetAll', GLib.Variant('(s)', (TRANSACTION,)), '(a{sv})')[0]
    if action == 'start-and-wait':
        loop = GLib.MainLoop()
        finished = []

        def on_finished(_conn, _sender, _path, _iface, _name, params):
            finished.append(params.unpack())
            loop.quit()

        conn.signal_subscribe(None, TRANSACTION, 'Finished', '/', None, Gio.DBusSignalFlags.NONE, on_finished)
        started = call(conn, TRANSACTION, 'Start', None, '(b)')[0]
        GLib.timeout_add_seconds(60, loop.quit)
        loop.run()
        return {'started': started, 'finished': finished}
    raise SystemExit(f'unknown action {action}')


def main():
    address, action = sys.argv[1], sys.argv[2]
    try:
        conn = Gio.DBusConnection.new_for_address_sync(address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT, None, None)
    except GLib.Error as e:
        print(json.dumps({'connected': False, 'error': e.message}))
        return
    try:
        print(json.dumps({'connected': True, 'ok': True, 'value': run(conn, action)}))
    except GLib.Error as e:
        print(json.dumps({'connected': True, 'ok': False, 'error': e.message}))


main()
