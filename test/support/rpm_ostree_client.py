"""A D-Bus client written from rpm-ostree's published interface only (python3-gi, Gio).

The interface XML it is given is rpm-ostree's (src/daemon/org.projectatomic.rpmostree1.xml of
github.com/coreos/rpm-ostree, as data in src/api/rpm-ostree-interface.ts) with the bus names
swapped. Every proxy carries that interface info, so Gio checks every type: a property of
another type is missing from the cache, a signal of another type is dropped, a reply of
another type is an error. It reads every property, calls every read method, and follows every
transaction method through its peer-to-peer address (rpm-ostree's transaction_connect()) to
Finished, with initiating-command-line in the options. Prints one JSON report.

Usage: python3 rpm_ostree_client.py BUS_ADDRESS INTERFACE_XML PLAN_JSON
PLAN_JSON: {"reads": [[member, gvariant_type, args]], "transactions": [[member, gvariant_type, args]]}
"""
import json
import sys

import gi

gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

BUS = 'org.projectatomic.aptostree1'
SYSROOT = '/org/projectatomic/aptostree1/Sysroot'


def plain(value):
    """A GVariant's value as JSON can carry it."""
    if isinstance(value, GLib.Variant):
        return plain(value.unpack())
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def arg(value):
    """A plan argument: {"__asv__": {key: [type, value]}} is an a{sv}; the rest is as it is."""
    if isinstance(value, dict) and '__asv__' in value:
        return {k: GLib.Variant(t, v) for k, (t, v) in value['__asv__'].items()}
    return value


def variant(vtype, args):
    return GLib.Variant(vtype, tuple(arg(a) for a in args)) if vtype else None


def proxy(conn, name, path, info):
    return Gio.DBusProxy.new_sync(conn, Gio.DBusProxyFlags.NONE, info, name, path, info.name, None)


def properties(p, info):
    """Every property of the interface: its type as received, or null when Gio dropped or lacks it."""
    out = {}
    for prop in info.properties:
        v = p.get_cached_property(prop.name)
        out[prop.name] = None if v is None else v.get_type_string()
    return out


def call(p, member, args):
    return p.call_sync(member, args, Gio.DBusCallFlags.NONE, 120000, None)


def follow(address, info, loop_timeout=120):
    """rpm-ostree's transaction_connect(): the transaction at / of a private connection."""
    peer = Gio.DBusConnection.new_for_address_sync(address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT, None, None)
    tx = Gio.DBusProxy.new_sync(peer, Gio.DBusProxyFlags.NONE, info, None, '/', info.name, None)
    loop = GLib.MainLoop()
    signals = []
    finished = []

    def on_signal(_proxy, _sender, name, params):
        signals.append([name, params.get_type_string()])
        if name == 'Finished':
            finished.append(plain(params))
            loop.quit()

    tx.connect('g-signal', on_signal)
    title = tx.get_cached_property('Title')
    description = tx.get_cached_property('InitiatingClientDescription')
    started = call(tx, 'Start', None).unpack()[0]
    GLib.timeout_add_seconds(loop_timeout, loop.quit)
    if not finished:
        loop.run()
    return {'title': None if title is None else title.unpack(),
            'description': None if description is None else description.unpack(), 'started': started, 'signals': signals,
            'finished': finished[0] if finished else None}


def os_property(conn, path, iface, name):
    reply = conn.call_sync(BUS, path, 'org.freedesktop.DBus.Properties', 'Get', GLib.Variant('(ss)', (iface, name)),
                           GLib.VariantType('(v)'), Gio.DBusCallFlags.NONE, 60000, None)
    return reply.get_child_value(0).get_variant()


def key_types(dict_variant):
    """An a{sv}'s keys and the type of each value."""
    out = {}
    for i in range(dict_variant.n_children()):
        entry = dict_variant.get_child_value(i)
        out[entry.get_child_value(0).get_string()] = entry.get_child_value(1).get_variant().get_type_string()
    return out


def connect(bus_address, xml_path):
    """The bus connection, the interfaces by short name, and proxies of the Sysroot and the booted OS (GetOS)."""
    with open(xml_path, encoding='utf-8') as f:
        node = Gio.DBusNodeInfo.new_for_xml(f.read())
    infos = {i.name.rsplit('.', 1)[1]: i for i in node.interfaces}
    conn = Gio.DBusConnection.new_for_address_sync(
        bus_address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
    sysroot = proxy(conn, BUS, SYSROOT, infos['Sysroot'])
    (os_path,) = call(sysroot, 'GetOS', GLib.Variant('(s)', ('',))).unpack()
    return conn, infos, sysroot, os_path, proxy(conn, BUS, os_path, infos['OS'])


def main():
    bus_address, xml_path, plan_path = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(plan_path, encoding='utf-8') as f:
        plan = json.load(f)
    conn, infos, sysroot, os_path, os_proxy = connect(bus_address, xml_path)
    report = {'properties': {'Sysroot': properties(sysroot, infos['Sysroot']), 'OS': properties(os_proxy, infos['OS'])},
              'reads': {}, 'transactions': {}}
    targets = {'Sysroot': sysroot, 'OS': os_proxy, 'OSExperimental': proxy(conn, BUS, os_path, infos['OSExperimental'])}
    def reads(entries):
        for iface, member, vtype, args in entries:
            try:
                reply = call(targets[iface], member, variant(vtype, args))
                report['reads'][member] = {'type': reply.get_type_string(), 'value': plain(reply)}
            except GLib.Error as e:
                report['reads'][member] = {'error': Gio.DBusError.get_remote_error(e), 'message': e.message}

    reads(plan['reads'])
    for member, vtype, args in plan['transactions']:
        entry = {}
        try:
            reply = call(os_proxy, member, variant(vtype, args)).unpack()
            address = reply[-1]
            entry['address'] = address
            if member == 'AutomaticUpdateTrigger':
                entry['enabled'] = reply[0]
            if address:
                entry.update(follow(address, infos['Transaction']))
        except GLib.Error as e:
            entry['error'] = Gio.DBusError.get_remote_error(e)
            entry['message'] = e.message
        report['transactions'][member] = entry
        if member == 'DownloadUpdateRpmDiff':
            # Read afresh right after the check that cached it (later transactions move the default on).
            report['cached_update_after_check'] = key_types(os_property(conn, os_path, infos['OS'].name, 'CachedUpdate'))
    reads(plan.get('reads_after', []))
    report['after'] = {'DefaultDeployment': key_types(os_property(conn, os_path, infos['OS'].name, 'DefaultDeployment')),
                       'CachedUpdate': report.pop('cached_update_after_check', {})}
    print(json.dumps(report))


if __name__ == '__main__':
    main()
