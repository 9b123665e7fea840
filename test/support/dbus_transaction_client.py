"""An rpm-ostree-style D-Bus client (python3-gi, Gio), doing what rpm-ostree's clientlib does:
calls OS.<METHOD> on the default OS, gets a peer-to-peer address, connects to it
(g_dbus_connection_new_for_address_sync), subscribes to the transaction's signals at "/",
reads Title, calls Start(), lets a second connection call Start() too (it joins), and prints
{address, title, started, second, events, late} as JSON when Finished arrives.

Usage: python3 dbus_transaction_client.py BUS_ADDRESS METHOD [OPTIONS_JSON]
       python3 dbus_transaction_client.py BUS_ADDRESS cancel-before-start METHOD
OPTIONS_JSON: {"key": ["gvariant type", value], ...} for the options dictionary.
"""
import json
import sys

import gi

gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

BUS = 'org.projectatomic.aptostree1'
TRANSACTION = f'{BUS}.Transaction'


def connect_bus(address):
    flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
    return Gio.DBusConnection.new_for_address_sync(address, flags, None, None)


def connect_peer(address):
    """rpm-ostree's transaction_connect(): a private connection to the transaction's address."""
    return Gio.DBusConnection.new_for_address_sync(address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT, None, None)


def call(conn, name, path, iface, member, args, reply):
    result = conn.call_sync(name, path, f'{BUS}.{iface}', member, args, GLib.VariantType(reply), Gio.DBusCallFlags.NONE, 60000, None)
    return result.unpack()


def options_of(text):
    return {k: GLib.Variant(t, v) for k, (t, v) in json.loads(text).items()}


def start_method(conn, method, options):
    (os_path,) = call(conn, BUS, '/org/projectatomic/aptostree1/Sysroot', 'Sysroot', 'GetOS', GLib.Variant('(s)', ('',)), '(o)')
    (address,) = call(conn, BUS, os_path, 'OS', method, GLib.Variant('(a{sv})', (options,)), '(s)')
    return address


def follow(bus_address, method, options):
    conn = connect_bus(bus_address)
    address = start_method(conn, method, options)
    peer = connect_peer(address)
    events = []
    types = {}
    loop = GLib.MainLoop()

    def on_signal(_conn, _sender, _path, _iface, name, params):
        events.append([name, params.unpack()])
        types[name] = params.get_type_string()
        if name == 'Finished':
            loop.quit()

    peer.signal_subscribe(None, TRANSACTION, None, '/', None, Gio.DBusSignalFlags.NONE, on_signal)

    def on_properties(_conn, _sender, path, _iface, _name, params):
        iface, changed, _invalidated = params.unpack()
        events.append(['PropertiesChanged', path, iface, sorted(changed.keys())])

    conn.signal_subscribe(BUS, 'org.freedesktop.DBus.Properties', 'PropertiesChanged', None, None,
                          Gio.DBusSignalFlags.NONE, on_properties)
    (title,) = peer.call_sync(None, '/', 'org.freedesktop.DBus.Properties', 'Get', GLib.Variant('(ss)', (TRANSACTION, 'Title')),
                              GLib.VariantType('(v)'), Gio.DBusCallFlags.NONE, 10000, None).unpack()
    (started,) = call(peer, None, '/', 'Transaction', 'Start', None, '(b)')
    (second,) = call(connect_peer(address), None, '/', 'Transaction', 'Start', None, '(b)')
    GLib.timeout_add_seconds(120, loop.quit)
    loop.run()
    # PropertiesChanged of the end may come just after Finished.
    GLib.timeout_add(500, loop.quit)
    loop.run()
    # A client calling Start() after the end gets Finished again (and false).
    late = connect_peer(address)
    again = []

    def on_again(_conn, _sender, _path, _iface, name, params):
        again.append([name, params.unpack()])
        loop.quit()

    late.signal_subscribe(None, TRANSACTION, 'Finished', '/', None, Gio.DBusSignalFlags.NONE, on_again)
    (late_started,) = call(late, None, '/', 'Transaction', 'Start', None, '(b)')
    GLib.timeout_add_seconds(10, loop.quit)
    loop.run()
    print(json.dumps({'address': address, 'title': title, 'started': started, 'second': second, 'events': events,
                      'types': types, 'late': [late_started, again]}))


def cancel_before_start(bus_address, method):
    conn = connect_bus(bus_address)
    address = start_method(conn, method, {})
    peer = connect_peer(address)
    finished = []
    loop = GLib.MainLoop()

    def on_finished(_conn, _sender, _path, _iface, _name, params):
        finished.append(params.unpack())
        loop.quit()

    peer.signal_subscribe(None, TRANSACTION, 'Finished', '/', None, Gio.DBusSignalFlags.NONE, on_finished)
    call(peer, None, '/', 'Transaction', 'Cancel', None, '()')
    GLib.timeout_add_seconds(10, loop.quit)
    loop.run()
    (started,) = call(peer, None, '/', 'Transaction', 'Start', None, '(b)')
    print(json.dumps({'address': address, 'finished': finished, 'started': started}))


def main():
    bus_address, what = sys.argv[1], sys.argv[2]
    if what == 'cancel-before-start':
        cancel_before_start(bus_address, sys.argv[3])
    else:
        follow(bus_address, what, options_of(sys.argv[3]) if len(sys.argv) > 3 else {})


main()
