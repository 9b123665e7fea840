"""An rpm-ostree-style D-Bus client (python3-gi, Gio): calls OS.<METHOD> with empty options on the
default OS, subscribes to the transaction's signals, calls Start(), lets a second connection call
Start() too (it joins), and prints {address, started, second, events} as JSON when Finished arrives.

Usage: python3 dbus_transaction_client.py BUS_ADDRESS METHOD
"""
import json
import sys

import gi

gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

BUS = 'org.projectatomic.aptostree1'


def connect(address):
    flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
    return Gio.DBusConnection.new_for_address_sync(address, flags, None, None)


def call(conn, path, iface, member, args, reply):
    result = conn.call_sync(BUS, path, f'{BUS}.{iface}', member, args, GLib.VariantType(reply), Gio.DBusCallFlags.NONE, 60000, None)
    return result.unpack()


def main():
    bus_address, method = sys.argv[1], sys.argv[2]
    conn = connect(bus_address)
    (os_path,) = call(conn, '/org/projectatomic/aptostree1/Sysroot', 'Sysroot', 'GetOS', GLib.Variant('(s)', ('',)), '(o)')
    (address,) = call(conn, os_path, 'OS', method, GLib.Variant('(a{sv})', ({},)), '(s)')
    events = []
    loop = GLib.MainLoop()

    def on_signal(_conn, _sender, _path, _iface, name, params):
        events.append([name, params.unpack()])
        if name == 'Finished':
            loop.quit()

    conn.signal_subscribe(BUS, f'{BUS}.Transaction', None, address, None, Gio.DBusSignalFlags.NONE, on_signal)

    def on_properties(_conn, _sender, path, _iface, _name, params):
        iface, changed, _invalidated = params.unpack()
        events.append(['PropertiesChanged', path, iface, sorted(changed.keys())])

    conn.signal_subscribe(BUS, 'org.freedesktop.DBus.Properties', 'PropertiesChanged', None, None,
                          Gio.DBusSignalFlags.NONE, on_properties)
    (title,) = conn.call_sync(BUS, address, 'org.freedesktop.DBus.Properties', 'Get',
                              GLib.Variant('(ss)', (f'{BUS}.Transaction', 'Title')), GLib.VariantType('(v)'),
                              Gio.DBusCallFlags.NONE, 10000, None).unpack()
    (started,) = call(conn, address, 'Transaction', 'Start', None, '(b)')
    (second,) = call(connect(bus_address), address, 'Transaction', 'Start', None, '(b)')
    GLib.timeout_add_seconds(120, loop.quit)
    loop.run()
    # PropertiesChanged of the end may come just after Finished.
    GLib.timeout_add(500, loop.quit)
    loop.run()
    # A client calling Start() after the end gets Finished again (and false).
    late = connect(bus_address)
    again = []

    def on_again(_conn, _sender, _path, _iface, name, params):
        again.append([name, params.unpack()])
        loop.quit()

    late.signal_subscribe(BUS, f'{BUS}.Transaction', 'Finished', address, None, Gio.DBusSignalFlags.NONE, on_again)
    (late_started,) = call(late, address, 'Transaction', 'Start', None, '(b)')
    GLib.timeout_add_seconds(10, loop.quit)
    loop.run()
    print(json.dumps({'address': address, 'title': title, 'started': started, 'second': second, 'events': events,
                      'late': [late_started, again]}))


main()
